import { Arg, Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { validationFailed } from '../../platform/errors';
import { isUuid } from '../../platform/graphql/batch-results';
import { EVENT_COLUMNS, eventFromRow, type EventRow } from '../../platform/events/event-log';
import type { DomainEvent } from '../../platform/events/domain-event';
import { ConnectionArgs, decodeCursor, pageSize, toConnection, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import { AuditEventConnection, AuditLogFilter } from './audit.types';

/** The audit log is the tenant's event log read newest first (kept EVENT_LOG_RETENTION_DAYS). */
@Resolver()
export class AuditLogResolver {
  @Authorized(Access.AUDIT)
  @Query(() => AuditEventConnection, { description: 'What happened in this organisation, newest first' })
  async auditLog(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => AuditLogFilter, { description: 'Narrows the entries; omitted means all', nullable: true }) filter: AuditLogFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<DomainEvent>> {
    const { tenantId } = ctx.tenant();
    const manager = await ctx.tenant().manager();
    const first = pageSize(args);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter?.actorId) {
      add('actor_id = ?', filter.actorId);
      // People, keys and operators have uuids: then the partial actor index serves the filter.
      if (isUuid(filter.actorId)) where.push(`actor_kind IN ('USER', 'API_KEY', 'PLATFORM_ADMIN')`);
    }
    if (filter?.types?.length) add('type = ANY(?::varchar[])', filter.types);
    if (filter?.since) add('occurred_at >= ?', filter.since);
    if (filter?.until) add('occurred_at < ?', filter.until);
    const filtered = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const pageWhere = [...where];
    const pageParams = [...params];
    if (args.after) {
      const [seq] = decodeCursor(args.after, 1);
      if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) throw validationFailed('Invalid cursor', { field: 'after' });
      pageParams.push(seq);
      pageWhere.push(`seq < $${pageParams.length}::bigint`);
    }
    pageParams.push(first + 1);
    const rows: EventRow[] = await manager.query(
      `SELECT ${EVENT_COLUMNS} FROM domain_events ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
        ORDER BY seq DESC LIMIT $${pageParams.length}`,
      pageParams,
    );
    return toConnection(
      rows.map((row) => eventFromRow(tenantId, row)),
      first,
      (event) => [event.seq],
      async () => Number((await manager.query(`SELECT count(*) AS n FROM domain_events ${filtered}`, params))[0].n),
      undefined,
      { afterCursor: Boolean(args.after) },
    );
  }
}
