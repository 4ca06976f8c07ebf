import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { baseDataSourceOptions } from '../db/data-source-options';
import { quoteIdentifier } from '../db/identifiers';
import { TenantPlacement } from '../control/tenant-placement.entity';
import { TenantStatus } from '../control/tenant.entity';
import { mapWithConcurrency } from '../concurrency';
import type { DatabaseServers } from './database-servers';
import { migrationTimestamp, type MigrationClass, type TenantSchema } from './tenant-schema';

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

const CREATE_MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS "migrations" ("id" SERIAL PRIMARY KEY, "timestamp" bigint NOT NULL, "name" character varying NOT NULL)';

/**
 * TypeORM records generated-column expressions with the database name; a clone keeps the
 * template's name, which would make schema-diff tooling see phantom changes.
 */
const FIX_TYPEORM_METADATA = `DO $$ BEGIN
  IF to_regclass('typeorm_metadata') IS NOT NULL THEN
    UPDATE typeorm_metadata SET database = current_database() WHERE database IS DISTINCT FROM current_database();
  END IF;
END $$`;

const migrationName = (Migration: MigrationClass) => new Migration().name ?? Migration.name;

/**
 * Applies pending tenant migrations to one database or schema under an advisory lock, each
 * migration in its own transaction, recording it in a TypeORM-compatible `migrations` table.
 * Returns the applied migration names and the resulting schema version.
 *
 * The check runs on one plain connection (connect, lock, read, unlock): most runs of
 * migrate-all find nothing to do, and a TypeORM DataSource per tenant would cost far more.
 * Only when something is pending does a DataSource open to run the migrations, while the
 * plain connection keeps holding the lock.
 */
export async function migrateTarget(
  target: MigrationTarget,
  schema: TenantSchema,
): Promise<{ applied: string[]; version: string | null }> {
  const searchPath = target.schemaName ? { options: `-c search_path=${quoteIdentifier(target.schemaName)}` } : {};
  const client = new Client({ connectionString: target.url, application_name: 'crm-migrator', ...searchPath });
  client.on('error', () => undefined); // a dropped connection fails the pending query; that is reported
  await client.connect();
  const lockArgs = [MIGRATION_LOCK_NAMESPACE, target.schemaName ?? ''];
  try {
    const { rows } = await client.query<{ has_table: boolean }>(
      `SELECT pg_advisory_lock($1, hashtext(current_database() || $2)), to_regclass('migrations') IS NOT NULL AS has_table`,
      lockArgs,
    );
    try {
      const done = new Map<string, bigint>();
      if (rows[0].has_table) {
        const recorded = await client.query<{ name: string; timestamp: string }>('SELECT "name", "timestamp"::text FROM "migrations"');
        for (const row of recorded.rows) done.set(row.name, BigInt(row.timestamp));
      }
      const pending = schema.migrations.filter((Migration) => !done.has(migrationName(Migration)));
      const applied = pending.length > 0 ? await applyMigrations(target, pending, searchPath) : [];
      await client.query(FIX_TYPEORM_METADATA);
      const timestamps = [...done.values(), ...pending.map((Migration) => BigInt(migrationTimestamp(Migration)))];
      const version = timestamps.length ? timestamps.reduce((a, b) => (a > b ? a : b)).toString() : null;
      return { applied, version };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext(current_database() || $2))', lockArgs).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs migrations through TypeORM (they take a QueryRunner), each in its own transaction. */
async function applyMigrations(target: MigrationTarget, pending: MigrationClass[], searchPath: { options?: string }): Promise<string[]> {
  const dataSource = new DataSource({
    ...baseDataSourceOptions(),
    url: target.url,
    entities: [],
    extra: { max: 1, application_name: 'crm-migrator', ...searchPath },
  });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  const applied: string[] = [];
  try {
    await runner.query(CREATE_MIGRATIONS_TABLE);
    for (const Migration of pending) {
      const name = migrationName(Migration);
      await runner.startTransaction();
      try {
        await new Migration().up(runner);
        await runner.query('INSERT INTO "migrations" ("timestamp", "name") VALUES ($1, $2)', [migrationTimestamp(Migration), name]);
        await runner.commitTransaction();
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
      }
      applied.push(name);
    }
    return applied;
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
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
    const placement = await this.control.getRepository(TenantPlacement).findOneBy({ tenantId });
    if (!placement) {
      return { tenantId, outcome: 'failed', applied: [], version: null, error: 'tenant not found', durationMs: 0 };
    }
    return this.migratePlacement(placement);
  }

  /** Every provisioned tenant; one failure never stops the others. */
  async migrateAll(options: {
    concurrency: number;
    /** Called once with the number of tenants, before any is migrated. */
    onStart?: (total: number) => void;
    onResult?: (result: TenantMigrationResult) => void;
  }): Promise<TenantMigrationResult[]> {
    const placements = await this.control
      .getRepository(TenantPlacement)
      .createQueryBuilder('p')
      .innerJoin('p.tenant', 't')
      .where('t.status IN (:...statuses)', { statuses: [TenantStatus.ACTIVE, TenantStatus.SUSPENDED] })
      .orderBy('t.created_at', 'ASC')
      .getMany();
    options.onStart?.(placements.length);
    return mapWithConcurrency(placements, options.concurrency, async (placement) => {
      const result = await this.migratePlacement(placement);
      options.onResult?.(result);
      return result;
    });
  }

  private async migratePlacement(placement: TenantPlacement): Promise<TenantMigrationResult> {
    const { tenantId } = placement;
    const started = Date.now();
    const placements = this.control.getRepository(TenantPlacement);
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
}
