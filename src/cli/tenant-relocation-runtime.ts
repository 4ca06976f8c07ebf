import path from 'node:path';
import { documentFiles } from '../modules/documents/documents.module';
import { FileStorage } from '../platform/storage/file-storage';
import { TenantRelocation, type RelocationResult } from '../platform/tenancy/tenant-relocation';
import type { TenantLocation } from '../platform/tenancy/tenant-provisioner';
import type { CliContext } from './cli-runtime';
import { PlatformBackup } from '../platform/tenancy/platform-backup';
import { TenantLifecycle } from '../platform/tenancy/tenant-lifecycle';
import fsp from 'node:fs/promises';
import os from 'node:os';

/** The backup, restore and move commands' engine, with the server's media folder. */
export function tenantRelocation({ config, log, tenancy }: CliContext): TenantRelocation {
  return new TenantRelocation({
    control: tenancy.control,
    servers: tenancy.servers,
    provisioner: tenancy.provisioner,
    registry: tenancy.registry,
    router: tenancy.router,
    schema: tenancy.schema,
    prefix: config.DB_NAME_PREFIX,
    cacheTtlMs: config.TENANT_CACHE_TTL_MS,
    files: documentFiles(new FileStorage(path.join(config.DATA_DIR, 'media'))),
    log,
  });
}

export function describeLocation(location: TenantLocation): string {
  return location.mode === 'database' ? `database ${location.databaseName}` : `schema ${location.databaseName}.${location.schemaName}`;
}

/** The lines restore:tenant and move:tenant print after `headline`. */
export function printRelocation(headline: string, result: RelocationResult, startedAt: number): void {
  const rows = Object.values(result.rows).reduce((sum, count) => sum + count, 0);
  console.log(headline);
  console.log(`Schema version ${result.schemaVersion}; ${rows} rows; ${Math.round(performance.now() - startedAt)} ms; ${result.writersCut} waiting writers cut off`);
  console.log(result.keptOld ? `The previous copy is kept in ${describeLocation(result.from)}` : `Dropped ${describeLocation(result.from)}`);
}

/** Whole-platform backups (control database and every tenant). */
export function platformBackup(ctx: CliContext): PlatformBackup {
  return new PlatformBackup({ control: ctx.tenancy.control, controlUrl: ctx.tenancy.controlUrl, relocation: tenantRelocation(ctx), log: ctx.log });
}

/** Archive, unarchive and delete, attributed in the platform audit trail to the operator's account. */
export function tenantLifecycle(ctx: CliContext): TenantLifecycle {
  const mediaRoot = path.join(ctx.config.DATA_DIR, 'media');
  return new TenantLifecycle({
    control: ctx.tenancy.control,
    relocation: tenantRelocation(ctx),
    provisioner: ctx.tenancy.provisioner,
    registry: ctx.tenancy.registry,
    router: ctx.tenancy.router,
    removeFiles: async (tenantId) => {
      if (!/^[0-9a-f-]{36}$/.test(tenantId)) throw new Error(`Not a tenant id: ${tenantId}`);
      await fsp.rm(path.join(mediaRoot, tenantId), { recursive: true, force: true });
    },
    cacheTtlMs: ctx.config.TENANT_CACHE_TTL_MS,
    actor: `cli:${os.userInfo().username}@${os.hostname()}`,
    log: ctx.log,
  });
}
