import type { Pool, PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * Runs a hot statement as a named prepared statement on the manager's connection (its transaction
 * or lease when it has one, else a connection of its pool): PostgreSQL parses and plans it once
 * per connection instead of on every call, and only the parameters cross the wire after the
 * first use. A change of search_path (schema tenancy) makes PostgreSQL re-analyse it, so one name
 * serves every schema. Rows come back as PostgreSQL returns them (snake_case), whatever the
 * statement's command.
 */
export async function preparedQuery<T = Record<string, unknown>>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  // Through a transaction-pooling PgBouncer (1.18) the next statement may run on another server
  // connection, where the named statement does not exist: there it is an unnamed one.
  const config = pooledDataSources.has(manager.connection) ? { text, values } : { name, text, values };
  if (manager.queryRunner) {
    const client = (await manager.queryRunner.connect()) as PoolClient;
    return (await client.query(config)).rows as T[];
  }
  // No runner to borrow: straight from the DataSource's pool (a TypeORM QueryRunner per call costs
  // more than the query on the webhook hot path).
  const pool = (manager.connection.driver as unknown as { master: Pool }).master;
  return (await pool.query(config)).rows as T[];
}

/** DataSources whose connections go through a transaction pooler: no named prepared statements there. */
const pooledDataSources = new WeakSet<object>();

export function markPooled(dataSource: object): void {
  pooledDataSources.add(dataSource);
}
