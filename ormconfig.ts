// TypeORM CLI configuration for the control database, e.g.
//   npx typeorm migration:show -d dist/ormconfig.js
// Tenant databases are migrated with `npm run migrate:tenant[:all]`, which records each
// tenant's schema version in the control database.
import 'reflect-metadata';
import { loadConfig } from './src/config';
import { createControlDataSource } from './src/platform/db/control-data-source';
import { controlMigrations } from './migrations/control';

const config = loadConfig();
if (!config.DATABASE_URL) {
  throw new Error('Set DATABASE_URL to the control database (the embedded default is at postgres://postgres:postgres@127.0.0.1:54329/crm_control while the server runs)');
}

export default createControlDataSource({ url: config.DATABASE_URL, poolSize: 2, migrations: controlMigrations });
