import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import { TenantStatus } from '../control/tenant.entity';
import type { TenancyMode } from '../control/tenant-placement.entity';

export interface PlanLimits {
  maxContacts: number | null;
  maxUsers: number | null;
  maxMessagesPerMonth: number | null;
  maxChannels: number | null;
}

/** Everything a request needs to know to reach a tenant, from one indexed query. */
export interface TenantRecord {
  tenantId: string;
  name: string;
  status: TenantStatus;
  mode: TenancyMode;
  databaseServerId: string;
  databaseName: string | null;
  schemaName: string | null;
  schemaVersion: string | null;
  planLimits: PlanLimits;
}

const UNLIMITED: PlanLimits = { maxContacts: null, maxUsers: null, maxMessagesPerMonth: null, maxChannels: null };

/**
 * Cached view of tenants and their placements. Entries expire after a short TTL so a
 * suspension made on another instance takes effect quickly; this instance invalidates at once.
 */
export class TenantRegistry {
  private readonly cache = new Map<string, { record: TenantRecord; expiresAt: number }>();
  /**
   * Loads in flight, shared by concurrent callers: when an entry expires, every live
   * subscription of the tenant checks it on its next event, and they must not each query.
   */
  private readonly loading = new Map<string, Promise<TenantRecord | null>>();

  constructor(
    private readonly control: DataSource,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The tenant, whatever its status; TENANT_NOT_FOUND when there is none. */
  async find(tenantId: string): Promise<TenantRecord> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.expiresAt > Date.now()) return cached.record;
    let loading = this.loading.get(tenantId);
    if (!loading) {
      loading = this.load(tenantId).then((record) => {
        // An invalidate() during the load drops this promise, so its stale result is not cached.
        if (record && this.ttlMs > 0 && this.loading.get(tenantId) === loading) {
          if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
          this.cache.set(tenantId, { record, expiresAt: Date.now() + this.ttlMs });
        }
        return record;
      });
      this.loading.set(tenantId, loading);
      const settled = () => {
        if (this.loading.get(tenantId) === loading) this.loading.delete(tenantId);
      };
      loading.then(settled, settled);
    }
    const record = await loading;
    if (!record) throw new AppError(ErrorCode.TENANT_NOT_FOUND, 'Tenant not found');
    return record;
  }

  /** The tenant if it may serve requests; fails fast with TENANT_NOT_ACTIVE otherwise. */
  async findActive(tenantId: string): Promise<TenantRecord> {
    const record = await this.find(tenantId);
    if (record.status !== TenantStatus.ACTIVE) {
      throw new AppError(ErrorCode.TENANT_NOT_ACTIVE, `Tenant is ${record.status.toLowerCase()}`, {
        status: record.status,
      });
    }
    return record;
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
    this.loading.delete(tenantId);
  }

  private async load(tenantId: string): Promise<TenantRecord | null> {
    if (!/^[0-9a-f-]{36}$/i.test(tenantId)) return null;
    const rows: Array<Record<string, unknown>> = await this.control.query(
      `SELECT t.id, t.name, t.status, p.mode, p.database_server_id, p.database_name, p.schema_name, p.schema_version,
              pl.max_contacts, pl.max_users, pl.max_messages_per_month, pl.max_channels
         FROM tenants t
         JOIN tenant_placements p ON p.tenant_id = t.id
         LEFT JOIN subscription_plans pl ON pl.id = t.plan_id
        WHERE t.id = $1`,
      [tenantId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      tenantId: row.id as string,
      name: row.name as string,
      status: row.status as TenantStatus,
      mode: row.mode as TenancyMode,
      databaseServerId: row.database_server_id as string,
      databaseName: row.database_name as string | null,
      schemaName: row.schema_name as string | null,
      schemaVersion: row.schema_version as string | null,
      planLimits: row.max_contacts === undefined ? UNLIMITED : {
        maxContacts: row.max_contacts as number | null,
        maxUsers: row.max_users as number | null,
        maxMessagesPerMonth: row.max_messages_per_month as number | null,
        maxChannels: row.max_channels as number | null,
      },
    };
  }
}
