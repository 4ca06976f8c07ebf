import type { Logger } from '../../../platform/logger';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import { deleteInBatches } from '../../../platform/tenancy/batched-delete';
import { TtlCache } from '../../../platform/ttl-cache';

/** A tenant is pruned at most this often by one process. */
const PRUNE_INTERVAL_MS = 6 * 3600_000;
/** Rows per DELETE: short statements, short locks, whatever the backlog. */
const PRUNE_BATCH = 5_000;

/**
 * webhook_events gains a row per delivered message, ack and session event; once providers have
 * stopped redelivering (days) a row only takes space, and a late duplicate of a message is still
 * recognised by its provider id in messages. A tenant's table grows only while it ingests, so that
 * is when it is pruned: after an ingest, in the background, at most every 6 hours per tenant and
 * process, rows older than the retention are deleted in batches (the BRIN index on received_at
 * finds them).
 */
export class WebhookEventRetention {
  private readonly recentlyPruned = new TtlCache<string, true>({ ttlMs: PRUNE_INTERVAL_MS, maxEntries: 100_000 });

  constructor(private readonly deps: { router: TenantRouter; retentionDays: number; log: Logger }) {}

  /** A tenant ingested events: prunes its old ones in the background when it is due. */
  ingested(tenantId: string): void {
    if (this.deps.retentionDays <= 0 || this.recentlyPruned.get(tenantId)) return;
    this.recentlyPruned.set(tenantId, true);
    this.prune(tenantId).catch((error) => this.deps.log.warn({ err: error, tenantId }, 'could not prune old webhook events'));
  }

  /** Deletes the tenant's events older than the retention; resolves to how many. */
  prune(tenantId: string): Promise<number> {
    return deleteInBatches(
      this.deps.router,
      tenantId,
      `DELETE FROM webhook_events WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM webhook_events WHERE received_at < now() - make_interval(days => $1) LIMIT $2))`,
      [this.deps.retentionDays],
      PRUNE_BATCH,
    );
  }
}
