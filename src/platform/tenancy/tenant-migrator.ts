import { DataSource, type QueryRunner } from 'typeorm';
import type { Logger } from '../logger';
import { baseDataSourceOptions } from '../db/data-source-options';
import { quoteIdentifier } from '../db/identifiers';
import { TenantPlacement } from '../control/tenant-placement.entity';
import { mapWithConcurrency } from '../concurrency';
import type { DatabaseServers } from './database-servers';
import { migrationTimestamp, type TenantSchema } from './tenant-schema';

export interface MigrationTarget {
  url: string;
  /** Schema mode: the tenant's schema; database mode: null (the database's public schema). */
  schemaName: string | null;
}

export type MigrationOutcome = 'migrated' | 'up-to-date' | 'failed';

export interface TenantMigrationResult {
  tenantId: string;
  outcome: MigrationOutcome;
  applied: string[];
  version: string | null;
  error?: string;
  durationMs: number;
}

/** Namespace of our advisory locks, so they never collide with another application's. */
const MIGRATION_LOCK_NAMESPACE = 72_616_001;

/**
 * Applies pending tenant migrations to one database or schema under an advisory lock, each
 * migration in its own transaction, recording it in a TypeORM-compatible `migrations` table.
 * Returns the applied migration names and the resulting schema version.
 */
export async function migrateTarget(
  target: MigrationTarget,
  schema: TenantSchema,
): Promise<{ applied: string[]; version: string | null }> {
  const dataSource = new DataSource({
    ...baseDataSourceOptions(),
    url: target.url,
    entities: [],
    extra: {
      max: 1,
      application_name: 'crm-migrator',
      ...(target.schemaName ? { options: `-c search_path=${quoteIdentifier(target.schemaName)}` } : {}),
    },
  });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1, hashtext(current_database() || $2))', [
      MIGRATION_LOCK_NAMESPACE,
      target.schemaName ?? '',
    ]);
    try {
      return await applyPending(runner, schema);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1, hashtext(current_database() || $2))', [
        MIGRATION_LOCK_NAMESPACE,
        target.schemaName ?? '',
      ]);
    }
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
}

async function applyPending(runner: QueryRunner, schema: TenantSchema) {
  await runner.query(
    'CREATE TABLE IF NOT EXISTS "migrations" ("id" SERIAL PRIMARY KEY, "timestamp" bigint NOT NULL, "name" character varying NOT NULL)',
  );
  const done = new Set<string>((await runner.query('SELECT "name" FROM "migrations"')).map((row: { name: string }) => row.name));
  const applied: string[] = [];
  for (const Migration of schema.migrations) {
    const migration = new Migration();
    const name = migration.name ?? Migration.name;
    if (done.has(name)) continue;
    await runner.startTransaction();
    try {
      await migration.up(runner);
      await runner.query('INSERT INTO "migrations" ("timestamp", "name") VALUES ($1, $2)', [migrationTimestamp(Migration), name]);
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
    }
    applied.push(name);
  }
  // TypeORM records generated-column expressions with the database name; a clone keeps the
  // template's name, which would make schema-diff tooling see phantom changes.
  await runner.query(
    `DO $$ BEGIN
       IF to_regclass('typeorm_metadata') IS NOT NULL THEN
         UPDATE typeorm_metadata SET database = current_database() WHERE database IS DISTINCT FROM current_database();
       END IF;
     END $$`,
  );
  const [{ version }] = await runner.query('SELECT max("timestamp")::text AS version FROM "migrations"');
  return { applied, version: version as string | null };
}

/** Migrates tenants recorded in the control database, one or all, and records each result. */
export class TenantMigrator {
  constructor(
    private readonly control: DataSource,
    private readonly servers: DatabaseServers,
    private readonly schema: TenantSchema,
    private readonly log: Logger,
  ) {}

  async targetOf(placement: TenantPlacement): Promise<MigrationTarget> {
    const server = await this.servers.get(placement.databaseServerId);
    return {
      url: this.servers.urlFor(server, placement.databaseName!),
      schemaName: placement.mode === 'schema' ? placement.schemaName : null,
    };
  }

  async migrateTenant(tenantId: string): Promise<TenantMigrationResult> {
    const started = Date.now();
    const placements = this.control.getRepository(TenantPlacement);
    const placement = await placements.findOneBy({ tenantId });
    if (!placement) {
      return { tenantId, outcome: 'failed', applied: [], version: null, error: 'tenant not found', durationMs: 0 };
    }
    try {
      const { applied, version } = await migrateTarget(await this.targetOf(placement), this.schema);
      await placements.update({ tenantId }, { schemaVersion: version, lastMigratedAt: new Date(), lastError: null });
      return { tenantId, outcome: applied.length ? 'migrated' : 'up-to-date', applied, version, durationMs: Date.now() - started };
    } catch (error) {
      const message = (error as Error).message;
      this.log.error({ tenantId, err: error }, 'tenant migration failed');
      await placements.update({ tenantId }, { lastError: message }).catch(() => undefined);
      return { tenantId, outcome: 'failed', applied: [], version: placement.schemaVersion, error: message, durationMs: Date.now() - started };
    }
  }

  /** Every provisioned tenant; one failure never stops the others. */
  async migrateAll(options: {
    concurrency: number;
    onResult?: (result: TenantMigrationResult) => void;
  }): Promise<TenantMigrationResult[]> {
    const rows: Array<{ tenant_id: string }> = await this.control.query(
      `SELECT p.tenant_id FROM tenant_placements p JOIN tenants t ON t.id = p.tenant_id
        WHERE t.status IN ('ACTIVE', 'SUSPENDED') ORDER BY t.created_at`,
    );
    return mapWithConcurrency(rows, options.concurrency, async ({ tenant_id }) => {
      const result = await this.migrateTenant(tenant_id);
      options.onResult?.(result);
      return result;
    });
  }
}
