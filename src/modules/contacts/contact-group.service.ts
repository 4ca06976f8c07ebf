import { contactGroupEvent, ContactGroupEventType } from './contact-group.events';
import { AppError, ErrorCode, notFound, validationFailed } from '../../platform/errors';
import { withDbErrors } from '../../platform/db/pg-errors';
import { findByIdOrFail } from '../../platform/db/entity-lookup';
import { isUuid } from '../../platform/graphql/batch-results';
import { keysetPage } from '../../platform/graphql/keyset-pagination';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import type { EntityManager } from 'typeorm';
import { ContactGroup } from './contact-group.entity';
import type { CreateContactGroupInput, UpdateContactGroupInput } from './contact-group.types';

const GROUP_CONFLICTS = { UQ_contact_groups_name_live: 'A group with this name already exists' };

/** Most contacts one call may add to or remove from a group. */
export const MAX_GROUP_CHANGE = 1_000;

/** Contact groups and who is in them. Deleting a group is a soft delete; its members stay linked. */
export class ContactGroupService {
  async list(ctx: RequestContext, args: ConnectionArgs): Promise<Connection<ContactGroup>> {
    const manager = await ctx.tenant().manager();
    const query = () => manager.getRepository(ContactGroup).createQueryBuilder('g');
    // By name: UQ_contact_groups_name_live (name) WHERE deleted_at IS NULL serves the order.
    return keysetPage(query(), args, { alias: 'g', column: 'name', type: 'text', direction: 'ASC' }, () => query().getCount());
  }

  async find(ctx: RequestContext, id: string): Promise<ContactGroup | null> {
    if (!isUuid(id)) return null;
    return (await ctx.tenant().manager()).getRepository(ContactGroup).findOneBy({ id });
  }

  async create(ctx: RequestContext, input: CreateContactGroupInput): Promise<ContactGroup> {
    return withDbErrors(
      () =>
        ctx.tenant().transaction(async ({ manager, record }) => {
          const repository = manager.getRepository(ContactGroup);
          const group = await repository.save(repository.create({ name: input.name.trim(), description: input.description ?? null }));
          record(contactGroupEvent(ContactGroupEventType.CREATED, group));
          return group;
        }),
      GROUP_CONFLICTS,
    );
  }

  async update(ctx: RequestContext, id: string, input: UpdateContactGroupInput): Promise<ContactGroup> {
    return withDbErrors(
      () =>
        ctx.tenant().transaction(async ({ manager, record }) => {
          const group = await this.findOrFail(manager, id);
          if (input.name !== undefined && input.name !== null) group.name = input.name.trim();
          if (input.description !== undefined) group.description = input.description ?? null;
          const saved = await manager.getRepository(ContactGroup).save(group);
          record(contactGroupEvent(ContactGroupEventType.UPDATED, saved));
          return saved;
        }),
      GROUP_CONFLICTS,
    );
  }

  async softDelete(ctx: RequestContext, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('Contact group');
    await ctx.tenant().transaction(async ({ manager, record }) => {
      const group = await manager.getRepository(ContactGroup).findOneBy({ id });
      if (!group) throw notFound('Contact group');
      await manager.getRepository(ContactGroup).softDelete({ id });
      record(contactGroupEvent(ContactGroupEventType.DELETED, group));
    });
  }

  /** Adds live contacts to a live group; contacts already in it are left as they are. */
  async addContacts(ctx: RequestContext, groupId: string, contactIds: string[]): Promise<ContactGroup> {
    const ids = checkIds(contactIds);
    return ctx.tenant().transaction(async ({ manager: transaction, record }) => {
      const group = await this.findOrFail(transaction, groupId);
      const live: Array<{ id: string }> = await transaction.query('SELECT id FROM contacts WHERE id = ANY($1) AND deleted_at IS NULL', [ids]);
      if (live.length !== ids.length) {
        const found = new Set(live.map((row) => row.id));
        throw new AppError(ErrorCode.NOT_FOUND, 'Some contacts were not found', { contactIds: ids.filter((id) => !found.has(id)) });
      }
      const added: Array<{ contact_id: string }> = await transaction.query(
        `INSERT INTO contact_group_members (group_id, contact_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING contact_id`,
        [group.id, ids],
      );
      if (added.length > 0) record(contactGroupEvent(ContactGroupEventType.CONTACTS_ADDED, group, added.map((row) => row.contact_id)));
      return group;
    });
  }

  async removeContacts(ctx: RequestContext, groupId: string, contactIds: string[]): Promise<ContactGroup> {
    const ids = checkIds(contactIds);
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const group = await this.findOrFail(manager, groupId);
      const [removed]: [Array<{ contact_id: string }>, number] = await manager.query(
        'DELETE FROM contact_group_members WHERE group_id = $1 AND contact_id = ANY($2) RETURNING contact_id',
        [group.id, ids],
      );
      if (removed.length > 0) record(contactGroupEvent(ContactGroupEventType.CONTACTS_REMOVED, group, removed.map((row) => row.contact_id)));
      return group;
    });
  }

  private findOrFail(manager: EntityManager, id: string): Promise<ContactGroup> {
    return findByIdOrFail(manager, ContactGroup, id, 'Contact group');
  }
}

/** Distinct ids; a malformed id cannot match a contact, so it is reported as not found. */
function checkIds(contactIds: string[]): string[] {
  const ids = [...new Set(contactIds)];
  if (ids.length === 0 || ids.length > MAX_GROUP_CHANGE) {
    throw validationFailed(`Give 1 to ${MAX_GROUP_CHANGE} contact ids`, { field: 'contactIds' });
  }
  const malformed = ids.filter((id) => !isUuid(id));
  if (malformed.length > 0) throw new AppError(ErrorCode.NOT_FOUND, 'Some contacts were not found', { contactIds: malformed });
  return ids;
}
