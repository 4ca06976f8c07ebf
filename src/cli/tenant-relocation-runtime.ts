import path from 'node:path';
import { documentFiles } from '../modules/documents/documents.module';
import { FileStorage } from '../platform/storage/file-storage';
import { TenantRelocation, type RelocationResult } from '../platform/tenancy/tenant-relocation';
import type { TenantLocation } from '../platform/tenancy/tenant-provisioner';
import type { CliContext } from './cli-runtime';
import { PlatformBackup } from '../platform/tenancy/platform-backup';

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
