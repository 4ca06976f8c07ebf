import type { TenantFiles } from '../../platform/tenancy/tenant-relocation';
import type { FileStorage } from '../../platform/storage/file-storage';

/** A tenant's documents and media on disk, as backups carry them (keys from the documents table). */
export function documentFiles(storage: FileStorage): TenantFiles {
  return {
    keys: async (client) => (await client.query<{ storage_key: string }>('SELECT DISTINCT storage_key FROM documents ORDER BY 1')).rows.map((row) => row.storage_key),
    read: async (key) => (await storage.open(key))?.stream ?? null,
    write: async (tenantId, key, data) => {
      const stored = await storage.put(tenantId, data);
      if (stored.key !== key) throw new Error(`The file stored as ${key} in the backup has other content (now ${stored.key})`);
    },
  };
}
