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
    const repository = (await ctx.tenant().manager()).getRepository(ContactGroup);
    const group = repository.create({ name: input.name.trim(), description: input.description ?? null });
    return withDbErrors(() => repository.save(group), GROUP_CONFLICTS);
  }

  async update(ctx: RequestContext, id: string, input: UpdateContactGroupInput): Promise<ContactGroup> {
    const manager = await ctx.tenant().manager();
    const group = await this.findOrFail(manager, id);
    if (input.name !== undefined && input.name !== null) group.name = input.name.trim();
    if (input.description !== undefined) group.description = input.description ?? null;
    return withDbErrors(() => manager.getRepository(ContactGroup).save(group), GROUP_CONFLICTS);
  }

  async softDelete(ctx: RequestContext, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('Contact group');
    const result = await (await ctx.tenant().manager()).getRepository(ContactGroup).softDelete({ id });
    if (!result.affected) throw notFound('Contact group');
  }

  /** Adds live contacts to a live group; contacts already in it are left as they are. */
  async addContacts(ctx: RequestContext, groupId: string, contactIds: string[]): Promise<ContactGroup> {
    const ids = checkIds(contactIds);
    const manager = await ctx.tenant().manager();
    return manager.transaction(async (transaction) => {
      const group = await this.findOrFail(transaction, groupId);
      const live: Array<{ id: string }> = await transaction.query('SELECT id FROM contacts WHERE id = ANY($1) AND deleted_at IS NULL', [ids]);
      if (live.length !== ids.length) {
        const found = new Set(live.map((row) => row.id));
        throw new AppError(ErrorCode.NOT_FOUND, 'Some contacts were not found', { contactIds: ids.filter((id) => !found.has(id)) });
      }
      await transaction.query(
        `INSERT INTO contact_group_members (group_id, contact_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
        [group.id, ids],
      );
      return group;
    });
  }

  async removeContacts(ctx: RequestContext, groupId: string, contactIds: string[]): Promise<ContactGroup> {
    const ids = checkIds(contactIds);
    const manager = await ctx.tenant().manager();
    const group = await this.findOrFail(manager, groupId);
    await manager.query('DELETE FROM contact_group_members WHERE group_id = $1 AND contact_id = ANY($2)', [group.id, ids]);
    return group;
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
