import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { SnakeNamingStrategy } from './snake-naming-strategy';
import { SqlStatementLogger } from './sql-statement-counter';

/**
 * Options every DataSource of this project shares. gen_random_uuid() is built into
 * PostgreSQL 13+, so no extension is installed (or checked for) on each tenant connection.
 */
export function baseDataSourceOptions(): Pick<
  PostgresDataSourceOptions,
  'type' | 'namingStrategy' | 'logger' | 'uuidExtension' | 'installExtensions' | 'migrationsTableName'
> {
  return {
    type: 'postgres',
    namingStrategy: new SnakeNamingStrategy(),
    logger: new SqlStatementLogger(),
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    migrationsTableName: 'migrations',
  };
}
