import type { MigrationInterface } from 'typeorm';

export type MigrationClass = new () => MigrationInterface;

/**
 * What a tenant database contains, handed to the platform by the product modules
 * (the platform never imports a module). The version is the newest migration's timestamp.
 */
export interface TenantSchema {
  entities: Function[];
  migrations: MigrationClass[];
  version: string;
}

export function migrationTimestamp(migration: MigrationClass): string {
  const match = /(\d{13})$/.exec(migration.name);
  if (!match) throw new Error(`Migration class ${migration.name} must end with a 13-digit timestamp`);
  return match[1];
}

export function defineTenantSchema(entities: Function[], migrations: MigrationClass[]): TenantSchema {
  if (migrations.length === 0) throw new Error('A tenant schema needs at least one migration');
  const timestamps = migrations.map(migrationTimestamp);
  for (let i = 1; i < timestamps.length; i++) {
    if (timestamps[i] <= timestamps[i - 1]) throw new Error('Tenant migrations must be listed in timestamp order');
  }
  return { entities, migrations, version: timestamps[timestamps.length - 1] };
}
