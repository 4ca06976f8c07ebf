import path from 'node:path';
import { documentFiles } from '../modules/documents/document-files';
import { FileStorage } from '../platform/storage/file-storage';
import { TenantRelocation } from '../platform/tenancy/tenant-relocation';
import type { TenantLocation } from '../platform/tenancy/tenant-provisioner';
import type { CliContext } from './cli-runtime';

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
