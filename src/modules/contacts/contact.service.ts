import type { EntityManager } from 'typeorm';
import { invalidField, notFound } from '../../platform/errors';
import { withDbErrors } from '../../platform/db/pg-errors';
import { findByIdOrFail } from '../../platform/db/entity-lookup';
import { isUuid } from '../../platform/graphql/batch-results';
import { keysetPage } from '../../platform/graphql/keyset-pagination';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Contact } from './contact.entity';
import { assertContactCapacity } from './contact-capacity';
import type { ContactFilter, CreateContactInput, UpdateContactInput } from './contact.types';
import { normalizePhone, tenantDefaultCountry } from './phone-number';
import { contactEvent, ContactEventType } from './contact.events';

export const CONTACT_CONFLICTS = { UQ_contacts_phone_live: 'A contact with this phone number already exists' };

/** Escapes LIKE wildcards so a search for '50%' means the characters. */
export const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

async function phoneOrFail(manager: EntityManager, input: string): Promise<string> {
  const phone = normalizePhone(input, await tenantDefaultCountry(manager));
  if (!phone) {
    throw invalidField('phone', "phone must be a valid number with country code, e.g. '+44 7911 123456' (or national, once the tenant's defaultCountry is set)");
  }
  return phone;
}

/** Contacts: listing, CRUD with soft delete, all within the caller's tenant. */
export class ContactService {
  async list(ctx: RequestContext, args: ConnectionArgs, filter: ContactFilter | undefined): Promise<Connection<Contact>> {
    const manager = await ctx.tenant().manager();
    const filtered = () => {
      const query = manager.getRepository(Contact).createQueryBuilder('c');
      const search = filter?.search?.trim().toLowerCase();
      if (search) {
        const digits = search.replace(/[^0-9]/g, '');
        const phoneLike = /^[+0-9\s().\-/]+$/.test(search) && digits.length > 0;
        query.andWhere(
          `(lower(c.name) LIKE :prefix OR lower(c.name) LIKE :wordPrefix OR lower(c.email) LIKE :prefix${phoneLike ? ' OR c.phone LIKE :phonePrefix' : ''})`,
          { prefix: likePrefix(search), wordPrefix: `% ${likePrefix(search)}`, phonePrefix: likePrefix(digits) },
        );
      }
      if (filter?.groupId) {
        query.andWhere(
          `EXISTS (SELECT 1 FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id AND g.deleted_at IS NULL
                    WHERE m.contact_id = c.id AND m.group_id = :groupId)`,
          { groupId: filter.groupId },
        );
      }
      if (filter?.labelId) {
        query.andWhere('EXISTS (SELECT 1 FROM contact_labels cl WHERE cl.contact_id = c.id AND cl.label_id = :labelId)', { labelId: filter.labelId });
      }
      return query;
    };
    // Newest first; IDX_contacts_list (created_at DESC, id DESC) WHERE deleted_at IS NULL serves it.
    return keysetPage(filtered(), args, { alias: 'c', column: 'created_at', type: 'timestamptz', direction: 'DESC' }, () =>
      filtered().getCount(),
    );
  }

  /** A live contact, or null (also for malformed ids). */
  async find(ctx: RequestContext, id: string): Promise<Contact | null> {
    if (!isUuid(id)) return null;
    const manager = await ctx.tenant().manager();
    return manager.getRepository(Contact).findOneBy({ id });
  }

  async create(ctx: RequestContext, input: CreateContactInput): Promise<Contact> {
    const manager = await ctx.tenant().manager();
    const phone = await phoneOrFail(manager, input.phone);
    return withDbErrors(
      () =>
        ctx.tenant().transaction(async ({ manager: transaction, record }) => {
          await assertContactCapacity(ctx, transaction, 1);
          const repository = transaction.getRepository(Contact);
          const contact = await repository.save(
            repository.create({ name: input.name.trim(), phone, email: normalizeEmailOrNull(input.email), notes: input.notes ?? null }),
          );
          record(contactEvent(ContactEventType.CREATED, contact));
          return contact;
        }),
      CONTACT_CONFLICTS,
    );
  }

  async update(ctx: RequestContext, id: string, input: UpdateContactInput): Promise<Contact> {
    const manager = await ctx.tenant().manager();
    const phone = input.phone !== undefined && input.phone !== null ? await phoneOrFail(manager, input.phone) : undefined;
    return withDbErrors(
      () =>
        ctx.tenant().transaction(async ({ manager: transaction, record }) => {
          const contact = await this.findOrFail(transaction, id);
          const before = { ...contact };
          if (input.name !== undefined && input.name !== null) contact.name = input.name.trim();
          if (phone) contact.phone = phone;
          if (input.email !== undefined) contact.email = normalizeEmailOrNull(input.email);
          if (input.notes !== undefined) contact.notes = input.notes ?? null;
          if (input.optedOut !== undefined && input.optedOut !== null) contact.optedOut = input.optedOut;
          const changes = (['name', 'phone', 'email', 'notes', 'optedOut'] as const).filter((field) => before[field] !== contact[field]);
          if (changes.length === 0) return contact;
          const saved = await transaction.getRepository(Contact).save(contact);
          record(contactEvent(ContactEventType.UPDATED, saved, changes));
          return saved;
        }),
      CONTACT_CONFLICTS,
    );
  }

  /** Soft delete: the contact leaves lists and lookups; its phone can be used again; restoreContact undoes it. */
  async softDelete(ctx: RequestContext, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('Contact');
    await ctx.tenant().transaction(async ({ manager, record }) => {
      const contact = await manager.getRepository(Contact).findOneBy({ id });
      if (!contact) throw notFound('Contact');
      await manager.getRepository(Contact).softDelete({ id });
      record(contactEvent(ContactEventType.DELETED, contact));
    });
  }

  async restore(ctx: RequestContext, id: string): Promise<Contact> {
    if (!isUuid(id)) throw notFound('Contact');
    return withDbErrors(
      () =>
        ctx.tenant().transaction(async ({ manager: transaction, record }) => {
          const repository = transaction.getRepository(Contact);
          const contact = await repository.findOne({ where: { id }, withDeleted: true });
          if (!contact) throw notFound('Contact');
          if (!contact.deletedAt) return contact;
          await assertContactCapacity(ctx, transaction, 1);
          await repository.restore({ id });
          const restored = await repository.findOneByOrFail({ id });
          record(contactEvent(ContactEventType.RESTORED, restored));
          return restored;
        }),
      { UQ_contacts_phone_live: 'Another contact now has this phone number; change or delete it first' },
    );
  }

  findOrFail(manager: EntityManager, id: string): Promise<Contact> {
    return findByIdOrFail(manager, Contact, id, 'Contact');
  }
}

export const normalizeEmailOrNull = (email: string | null | undefined) => (email ? email.trim().toLowerCase() : null);
