import type { EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '../../platform/errors';
import type { RequestContext } from '../../platform/graphql/request-context';

/**
 * Checks the plan's contact limit for `adding` more live contacts, inside the caller's
 * transaction. While the plan has a limit, a per-tenant advisory lock serialises everyone who
 * adds contacts until commit, so two concurrent creates or imports cannot both pass the check.
 * The lock key includes the tenant id: in schema mode tenants share one database.
 */
export async function assertContactCapacity(ctx: RequestContext, transaction: EntityManager, adding: number): Promise<void> {
  const { maxContacts } = await ctx.tenant().planLimits();
  if (maxContacts === null || adding <= 0) return;
  await transaction.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`contacts:${ctx.tenant().tenantId}`]);
  const [{ count }]: Array<{ count: number }> = await transaction.query('SELECT count(*)::int AS count FROM contacts WHERE deleted_at IS NULL');
  if (count + adding > maxContacts) {
    throw new AppError(ErrorCode.PLAN_LIMIT_REACHED, `Your plan allows ${maxContacts} contacts; you have ${count}`, {
      limit: maxContacts,
      current: count,
      adding,
    });
  }
}
