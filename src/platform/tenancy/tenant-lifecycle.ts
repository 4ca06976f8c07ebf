import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { TenantStatus } from '../control/tenant.entity';
import { TenantPlacement } from '../control/tenant-placement.entity';
import type { TenantProvisioner } from './tenant-provisioner';
import type { TenantRegistry } from './tenant-registry';
import type { TenantRouter } from './tenant-router';
import type { RelocationResult, TenantRelocation } from './tenant-relocation';

export interface TenantSummary {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  archiveLocation: string | null;
}

/**
 * Operators' tenant lifecycle: archive (backup, then drop the data; status ARCHIVED, logins get
 * TENANT_ARCHIVED), unarchive (restore that backup) and delete (erase the data and anonymise the
 * control rows). Each step is recorded in the platform audit trail (`platform_audit_log`), which
 * outlives the tenant's own event log.
 */
export class TenantLifecycle {
  constructor(
    private readonly deps: {
      control: DataSource;
      relocation: TenantRelocation;
      provisioner: TenantProvisioner;
      registry: TenantRegistry;
      router: TenantRouter;
      /** Removes every file the tenant keeps outside its database (media). */
      removeFiles: (tenantId: string) => Promise<void>;
      cacheTtlMs: number;
      /** Who acts, for the audit trail (e.g. `cli:alice@host`). */
      actor: string;
      log: Logger;
    },
  ) {}

  /** A tenant by id or slug. */
  async find(idOrSlug: string): Promise<TenantSummary> {
    const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrSlug);
    const [row] = await this.deps.control.query(
      `SELECT id, slug, name, status, archive_location AS "archiveLocation" FROM tenants WHERE ${byId ? 'id = $1' : 'slug = $1'}`,
      [idOrSlug],
    );
    if (!row) throw new AppError(ErrorCode.TENANT_NOT_FOUND, `No tenant ${JSON.stringify(idOrSlug)}`);
    return row;
  }

  /** Backs the tenant up into `dir`, then drops its database or schema and media. */
  async archive(idOrSlug: string, dir: string): Promise<{ tenant: TenantSummary; rows: number }> {
    const tenant = await this.find(idOrSlug);
    if (tenant.status !== TenantStatus.ACTIVE && tenant.status !== TenantStatus.SUSPENDED) {
      throw new AppError(ErrorCode.CONFLICT, `A ${tenant.status.toLowerCase()} tenant cannot be archived`);
    }
    // Requests are refused first, so nothing is written after the snapshot and lost with the drop.
    await this.setStatus(tenant.id, [tenant.status], TenantStatus.MAINTENANCE);
    try {
      await this.waitForInstances();
      const manifest = await this.deps.relocation.backup(tenant.id, dir);
      const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
      const placement = await this.deps.control.getRepository(TenantPlacement).findOneByOrFail({ tenantId: tenant.id });
      await this.deps.control.transaction(async (manager) => {
        await manager.query(`UPDATE tenants SET status = $2, archive_location = $3, updated_at = now() WHERE id = $1`, [tenant.id, TenantStatus.ARCHIVED, dir]);
        await audit(manager, this.deps.actor, 'tenant.archived', tenant.id, { slug: tenant.slug, backup: dir, rows });
      });
      this.deps.registry.invalidate(tenant.id);
      await this.deps.router.evictTenant(placement);
      await this.deps.provisioner.dropLocation(placement);
      await this.deps.removeFiles(tenant.id);
      return { tenant: { ...tenant, status: TenantStatus.ARCHIVED, archiveLocation: dir }, rows };
    } catch (error) {
      // Not archived after all: it serves again as before.
      await this.setStatus(tenant.id, [TenantStatus.MAINTENANCE], tenant.status).catch(() => undefined);
      throw error;
    }
  }

  /** Restores an archived tenant from its archive backup (or `dir`); it is ACTIVE afterwards. */
  async unarchive(idOrSlug: string, dir?: string): Promise<{ tenant: TenantSummary; result: RelocationResult }> {
    const tenant = await this.find(idOrSlug);
    if (tenant.status !== TenantStatus.ARCHIVED) throw new AppError(ErrorCode.CONFLICT, `The tenant is ${tenant.status.toLowerCase()}, not archived`);
    const from = dir ?? tenant.archiveLocation;
    if (!from) throw new AppError(ErrorCode.BACKUP_INVALID, 'The tenant has no recorded archive backup: give its folder');
    // A restore runs from MAINTENANCE and leaves the tenant ACTIVE when it ends.
    await this.setStatus(tenant.id, [TenantStatus.ARCHIVED], TenantStatus.MAINTENANCE);
    let result: RelocationResult;
    try {
      result = await this.deps.relocation.restore(tenant.id, from, { dropOld: true });
    } catch (error) {
      await this.setStatus(tenant.id, [TenantStatus.MAINTENANCE, TenantStatus.ACTIVE], TenantStatus.ARCHIVED).catch(() => undefined);
      throw error;
    }
    await this.deps.control.transaction(async (manager) => {
      await manager.query(`UPDATE tenants SET archive_location = NULL, last_active_at = now(), updated_at = now() WHERE id = $1`, [tenant.id]);
      await audit(manager, this.deps.actor, 'tenant.unarchived', tenant.id, { slug: tenant.slug, backup: from });
    });
    this.deps.registry.invalidate(tenant.id);
    return { tenant: await this.find(tenant.id), result };
  }

  /**
   * Erases the tenant: its database or schema and media are dropped; members, API keys,
   * invitations and channel routes are deleted; the tenant row is kept, anonymised, as DELETED
   * (its id stays in the audit trail). `confirmSlug` must be the tenant's slug.
   */
  async erase(idOrSlug: string, confirmSlug: string): Promise<TenantSummary> {
    const tenant = await this.find(idOrSlug);
    if (confirmSlug !== tenant.slug) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, `--confirm must be the tenant's slug (${tenant.slug}) to delete it`);
    }
    if (tenant.status === TenantStatus.DELETED) throw new AppError(ErrorCode.CONFLICT, 'The tenant is already deleted');
    const previous = tenant.status;
    if (previous !== TenantStatus.ARCHIVED) {
      await this.setStatus(tenant.id, [previous], TenantStatus.MAINTENANCE);
      await this.waitForInstances();
    }
    const placement = await this.deps.control.getRepository(TenantPlacement).findOneBy({ tenantId: tenant.id });
    if (placement) {
      await this.deps.router.evictTenant(placement);
      await this.deps.provisioner.dropLocation(placement);
    }
    await this.deps.removeFiles(tenant.id);
    const anonymous = `deleted-${crypto.createHash('sha256').update(tenant.id).digest('hex').slice(0, 16)}`;
    await this.deps.control.transaction(async (manager) => {
      for (const table of ['memberships', 'api_keys', 'invitations', 'channel_routes', 'tenant_event_outbox', 'tenant_event_payloads', 'failed_webhook_events']) {
        const exists = await manager.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [table]);
        if (exists[0].ok) await manager.query(`DELETE FROM "${table}" WHERE tenant_id = $1`, [tenant.id]);
      }
      await manager.query(
        `UPDATE tenants SET name = $2, slug = $2, status = $3, archive_location = NULL, updated_at = now() WHERE id = $1`,
        [tenant.id, anonymous, TenantStatus.DELETED],
      );
      await manager.query(`UPDATE tenant_placements SET schema_version = NULL, last_error = 'deleted', updated_at = now() WHERE tenant_id = $1`, [tenant.id]);
      // The audit trail keeps the fact, never the name: the slug is recorded only as a hash.
      await audit(manager, this.deps.actor, 'tenant.deleted', tenant.id, { previousStatus: previous, slugSha256: sha256(tenant.slug) });
    });
    this.deps.registry.invalidate(tenant.id);
    return this.find(tenant.id);
  }

  private async setStatus(tenantId: string, from: TenantStatus[], to: TenantStatus): Promise<void> {
    const [rows] = await this.deps.control.query(`UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1 AND status = ANY ($3) RETURNING id`, [tenantId, to, from]);
    if (rows.length === 0) throw new AppError(ErrorCode.CONFLICT, 'The tenant changed meanwhile; try again');
    this.deps.registry.invalidate(tenantId);
  }

  /** Other instances cache a tenant's status this long: after it, they all see the new one. */
  private async waitForInstances(): Promise<void> {
    if (this.deps.cacheTtlMs > 0) await sleep(this.deps.cacheTtlMs + 100);
  }
}

async function audit(manager: EntityManager, actor: string, action: string, tenantId: string, details: object): Promise<void> {
  await manager.query(`INSERT INTO platform_audit_log (actor, action, tenant_id, details) VALUES ($1, $2, $3, $4)`, [actor, action, tenantId, JSON.stringify(details)]);
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
