import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * Runs a hot statement as a named prepared statement on the manager's connection (its transaction
 * or lease when it has one): PostgreSQL parses and plans it once per connection instead of on
 * every call, and only the parameters cross the wire after the first use. A change of
 * search_path (schema tenancy) makes PostgreSQL re-analyse it, so one name serves every schema.
 * Rows come back as PostgreSQL returns them (snake_case), whatever the statement's command.
 */
export async function preparedQuery<T = Record<string, unknown>>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    const result = await client.query({ name, text, values });
    return result.rows as T[];
  } finally {
    if (runner !== manager.queryRunner) await runner.release();
  }
}
