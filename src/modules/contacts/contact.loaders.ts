import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { RequestContext } from '../../platform/graphql/request-context';
import { manyByKey, oneByKey } from '../../platform/graphql/batch-results';
import { Contact } from './contact.entity';
import { ContactGroup } from './contact-group.entity';
import { ContactGroupMember } from './contact-group-member.entity';

/**
 * Contacts by id, soft-deleted ones included: a conversation keeps showing who it was with.
 * Lists and `contact(id)` filter deleted contacts themselves.
 */
export const contactByIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, Contact | null>('contact.byId', (manager, options) =>
    new DataLoader(async (ids) => {
      const rows = await manager.getRepository(Contact).find({ where: { id: In([...ids]) }, withDeleted: true });
      return oneByKey(ids, rows, (row) => row.id);
    }, options),
  );

/** Live groups of each contact, by name. */
export const groupsByContactIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, ContactGroup[]>('contact.groups', (manager, options) =>
    new DataLoader(async (contactIds) => {
      const rows = await manager
        .getRepository(ContactGroup)
        .createQueryBuilder('g')
        .innerJoin(ContactGroupMember, 'm', 'm.group_id = g.id')
        .addSelect('m.contact_id', 'member_contact_id')
        .where('m.contact_id = ANY(:contactIds)', { contactIds })
        .orderBy('g.name', 'ASC')
        .addOrderBy('g.id', 'ASC')
        .getRawMany<Record<string, unknown>>();
      return manyByKey(contactIds, rows, (row) => row.member_contact_id as string, groupFromRaw);
    }, options),
  );

/** Live contacts in each group. */
export const memberCountByGroupIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, number>('contactGroup.memberCount', (manager, options) =>
    new DataLoader(async (groupIds) => {
      const rows: Array<{ group_id: string; count: number }> = await manager.query(
        `SELECT m.group_id, count(*)::int AS count
           FROM contact_group_members m JOIN contacts c ON c.id = m.contact_id AND c.deleted_at IS NULL
          WHERE m.group_id = ANY($1) GROUP BY m.group_id`,
        [groupIds],
      );
      return oneByKey(groupIds, rows, (row) => row.group_id).map((row) => row?.count ?? 0);
    }, options),
  );

/** getRawMany of a ContactGroup query builder aliased `g` → the entity's shape. */
function groupFromRaw(row: Record<string, unknown>): ContactGroup {
  return {
    id: row.g_id as string,
    name: row.g_name as string,
    description: row.g_description as string | null,
    createdAt: row.g_created_at as Date,
    updatedAt: row.g_updated_at as Date,
    deletedAt: row.g_deleted_at as Date | null,
  };
}
