import { DataSource, type MigrationInterface } from 'typeorm';
import { Client } from 'pg';
import { controlEntities } from '../control/control-entities';
import { baseDataSourceOptions } from './data-source-options';
import { databaseOf, withDatabase } from './connection-url';
import { isDuplicateDatabaseError, quoteIdentifier } from './identifiers';

export function createControlDataSource(options: {
  url: string;
  poolSize: number;
  migrations?: Array<new () => MigrationInterface>;
}): DataSource {
  return new DataSource({
    ...baseDataSourceOptions(),
    url: options.url,
    entities: controlEntities,
    migrations: options.migrations ?? [],
    // A starved pool fails a request after a while instead of hanging it forever.
    extra: { max: options.poolSize, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 30_000, application_name: 'crm-control' },
  });
}

/** Creates the control database when the URL names one that does not exist yet. */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const name = databaseOf(url);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`).catch((error: unknown) => {
        if (!isDuplicateDatabaseError(error)) throw error; // created concurrently
      });
    }
  } finally {
    await admin.end();
  }
}
