import DataLoader from 'dataloader';
import type { RequestContext } from '../../platform/graphql/request-context';
import { oneByKey } from '../../platform/graphql/batch-results';
import { User } from '../../platform/control/user.entity';

/**
 * Users of the control database by id, restricted to members of the caller's tenant: a user id
 * stored in tenant data (assignee, sender) resolves to null once that person left the tenant.
 */
export const memberUserByIdLoader = (ctx: RequestContext) => {
  const tenantId = ctx.tenant().tenantId;
  return ctx.loaders.get<string, Omit<User, 'passwordHash'> | null>('member.userById', (_manager, options) =>
    new DataLoader(async (userIds) => {
      // Plain SQL: this runs on every inbox page, where the query builder's overhead shows.
      const rows: Array<{ id: string; email: string; name: string; created_at: Date; updated_at: Date }> = await ctx.control.query(
        `SELECT u.id, u.email, u.name, u.created_at, u.updated_at
           FROM users u JOIN memberships m ON m.user_id = u.id AND m.tenant_id = $1
          WHERE u.id = ANY($2)`,
        [tenantId, userIds],
      );
      const users = rows.map((row): Omit<User, 'passwordHash'> => ({ id: row.id, email: row.email, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at }));
      return oneByKey(userIds, users, (user) => user.id);
    }, options),
  );
};
