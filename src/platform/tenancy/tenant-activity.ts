import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { TtlCache } from '../ttl-cache';

/**
 * Records that a tenant was used (`tenants.last_active_at`) cheaply: at most one UPDATE per
 * tenant per `intervalMs` from each instance, in the background, and the statement itself skips
 * the write when another instance did it within the interval. Enough to find tenants idle for
 * weeks (`tenants --inactive-days 90`); never on a request's critical path.
 */
export class TenantActivity {
  private readonly recent: TtlCache<string, true>;

  constructor(
    private readonly control: DataSource,
    private readonly log: Logger,
    private readonly intervalMs = 5 * 60_000,
  ) {
    this.recent = new TtlCache({ ttlMs: intervalMs, maxEntries: 100_000 });
  }

  touch(tenantId: string): void {
    if (this.recent.get(tenantId)) return;
    this.recent.set(tenantId, true);
    this.control
      .query(
        `UPDATE tenants SET last_active_at = now()
          WHERE id = $1 AND (last_active_at IS NULL OR last_active_at < now() - make_interval(secs => $2))`,
        [tenantId, this.intervalMs / 1000],
      )
      .catch((error: unknown) => {
        this.recent.delete(tenantId);
        this.log.warn({ err: error, tenantId }, 'could not record tenant activity');
      });
  }
}
