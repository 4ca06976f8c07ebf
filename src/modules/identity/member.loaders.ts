import DataLoader from 'dataloader';
import type { RequestContext } from '../../platform/graphql/request-context';
import { oneByKey } from '../../platform/graphql/batch-results';
import { Membership } from '../../platform/control/membership.entity';
import { User } from '../../platform/control/user.entity';

/**
 * Users of the control database by id, restricted to members of the caller's tenant: a user id
 * stored in tenant data (assignee, sender) resolves to null once that person left the tenant.
 */
export const memberUserByIdLoader = (ctx: RequestContext) => {
  const tenantId = ctx.tenant().tenantId;
  return ctx.loaders.get<string, User | null>('member.userById', (_manager, options) =>
    new DataLoader(async (userIds) => {
      const rows = await ctx.control
        .getRepository(User)
        .createQueryBuilder('u')
        .innerJoin(Membership, 'm', 'm.user_id = u.id AND m.tenant_id = :tenantId', { tenantId })
        .where('u.id = ANY(:userIds)', { userIds })
        .getMany();
      return oneByKey(userIds, rows, (row) => row.id);
    }, options),
  );
};
