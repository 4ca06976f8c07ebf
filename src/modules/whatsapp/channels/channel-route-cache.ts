import type { DataSource, EntityManager } from 'typeorm';
import type { ProviderKind } from '../../../channels/channel-events';
import { ChannelRoute } from '../../../platform/control/channel-route.entity';
import { AppError, ErrorCode } from '../../../platform/errors';
import { TtlCache } from '../../../platform/ttl-cache';

/** Where a webhook for a channel goes: the tenant, and the session row in its database. */
export interface ChannelTarget {
  tenantId: string;
  sessionId: string;
}

/** An unknown key is looked up again soon: its route may be committed on another instance. */
const NEGATIVE_TTL_MS = 2_000;

/**
 * provider + external key → tenant + session, from the control database's channel_routes (one
 * indexed lookup) and then from memory: at thousands of webhooks a second, a control-database
 * round trip per webhook would be the bottleneck. Routes never move between tenants, so a cached
 * route cannot go stale in a harmful way; deleting a channel invalidates it here.
 */
export class ChannelRouteCache {
  private readonly cache: TtlCache<string, ChannelTarget | null>;

  constructor(
    private readonly control: DataSource,
    options: { ttlMs: number; maxEntries?: number },
  ) {
    this.cache = new TtlCache({
      ttlMs: options.ttlMs,
      maxEntries: options.maxEntries ?? 50_000,
      ttlFor: (value) => (value ? options.ttlMs : Math.min(options.ttlMs, NEGATIVE_TTL_MS)),
    });
  }

  find(provider: ProviderKind, externalKey: string): Promise<ChannelTarget | null> {
    return this.cache.getOrLoad(`${provider}:${externalKey}`, async () => {
      const rows: Array<{ tenant_id: string; session_id: string }> = await this.control.query(
        'SELECT tenant_id, session_id FROM channel_routes WHERE provider = $1 AND external_key = $2',
        [provider, externalKey],
      );
      return rows[0] ? { tenantId: rows[0].tenant_id, sessionId: rows[0].session_id } : null;
    });
  }

  /** Writes the route row (control database); CONFLICT when another channel already has the key. */
  async register(provider: ProviderKind, externalKey: string, target: ChannelTarget, manager: EntityManager = this.control.manager): Promise<void> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO channel_routes (provider, external_key, tenant_id, session_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider, external_key) DO NOTHING RETURNING id`,
      [provider, externalKey, target.tenantId, target.sessionId],
    );
    if (inserted.length === 0) {
      throw new AppError(ErrorCode.CONFLICT, `This ${provider.toLowerCase()} channel (${externalKey}) is already connected`);
    }
    this.cache.set(`${provider}:${externalKey}`, target);
  }

  async unregister(provider: ProviderKind, externalKey: string): Promise<void> {
    await this.control.getRepository(ChannelRoute).delete({ provider, externalKey });
    this.cache.delete(`${provider}:${externalKey}`);
  }
}
