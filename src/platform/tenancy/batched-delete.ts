import type { TenantRouter } from './tenant-router';

/**
 * Runs a DELETE of at most `batch` rows (its last parameter) in a tenant's database again and
 * again until one deletes fewer: short statements and short locks, whatever the backlog.
 * Resolves to how many rows went.
 */
export async function deleteInBatches(router: TenantRouter, tenantId: string, sql: string, params: unknown[], batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await router.withTenant(tenantId, async (manager) => {
      const [, count]: [unknown[], number] = await manager.query(sql, [...params, batch]);
      return count;
    });
    total += deleted;
    if (deleted < batch) return total;
  }
}
