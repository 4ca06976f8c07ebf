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
  /** `database`: its migrations table was read; `recorded`: the control plane's record was trusted (migrateAll). */
  checked: 'database' | 'recorded';
  durationMs: number;
}

/** Namespace of our advisory locks, so they never collide with another application's. */
const MIGRATION_LOCK_NAMESPACE = 72_616_001;

export const CREATE_MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS "migrations" ("id" SERIAL PRIMARY KEY, "timestamp" bigint NOT NULL, "name" character varying NOT NULL)';

/**
 * TypeORM records generated-column expressions with the database name; a clone keeps the
 * template's name, which would make schema-diff tooling see phantom changes.
 */
export const FIX_TYPEORM_METADATA = `DO $$ BEGIN
  IF to_regclass('typeorm_metadata') IS NOT NULL THEN
    UPDATE typeorm_metadata SET database = current_database() WHERE database IS DISTINCT FROM current_database();
  END IF;
END $$`;

export const migrationName = (Migration: MigrationClass) => new Migration().name ?? Migration.name;

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
    const { rows } = await client.query<{ has_table: boolean; has_metadata: boolean }>(
      `SELECT pg_advisory_lock($1, hashtext(current_database() || $2)),
              to_regclass('migrations') IS NOT NULL AS has_table,
              to_regclass('typeorm_metadata') IS NOT NULL AS has_metadata`,
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
      if (rows[0].has_metadata || applied.length > 0) await client.query(FIX_TYPEORM_METADATA);
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
      return { tenantId, outcome: 'failed', applied: [], version: null, error: 'tenant not found', checked: 'database', durationMs: 0 };
    }
    return this.migratePlacement(placement);
  }

  /**
   * Every provisioned tenant; one failure never stops the others.
   *
   * A tenant whose recorded schema version is already the latest (and has no recorded error) is
   * not opened: one query per server confirms its database (or schema) still exists. Opening
   * every database costs a connection each (fork and authentication: about 5 ms of CPU here),
   * which dominates a run with nothing to do. `verify` reads every tenant's migrations table
   * instead, for when a database may have been changed or restored behind the control plane's back.
   */
  async migrateAll(options: {
    concurrency: number;
    verify?: boolean;
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
    const latest = BigInt(this.schema.version);
    const isCurrent = (placement: TenantPlacement) =>
      !options.verify && placement.lastError === null && placement.schemaVersion !== null && BigInt(placement.schemaVersion) >= latest;
    const report = (result: TenantMigrationResult) => {
      options.onResult?.(result);
      return result;
    };
    const results = new Map<string, TenantMigrationResult>();
    for (const result of await this.confirmExisting(placements.filter(isCurrent))) results.set(result.tenantId, report(result));
    const toMigrate = placements.filter((placement) => !results.has(placement.tenantId));
    await mapWithConcurrency(toMigrate, options.concurrency, async (placement) => {
      results.set(placement.tenantId, report(await this.migratePlacement(placement)));
    });
    return placements.map((placement) => results.get(placement.tenantId)!);
  }

  /** Up-to-date tenants by their recorded version, if their database or schema is still there. */
  private async confirmExisting(placements: TenantPlacement[]): Promise<TenantMigrationResult[]> {
    const groups = new Map<string, TenantPlacement[]>();
    for (const placement of placements) {
      // Database mode: the server's catalog of databases; schema mode: the shared database's schemas.
      const key = `${placement.databaseServerId}/${placement.mode === 'database' ? 'postgres' : placement.databaseName}`;
      groups.set(key, [...(groups.get(key) ?? []), placement]);
    }
    const results: TenantMigrationResult[] = [];
    for (const [key, group] of groups) {
      const started = Date.now();
      const [serverId, database] = key.split('/');
      const byDatabase = group[0].mode === 'database';
      const names = group.map((placement) => (byDatabase ? placement.databaseName! : placement.schemaName!));
      let existing: Set<string>;
      let failure: string | null = null;
      try {
        const client = new Client({ connectionString: this.servers.urlFor(await this.servers.get(serverId), database), application_name: 'crm-migrator' });
        client.on('error', () => undefined);
        await client.connect();
        try {
          const { rows } = await client.query<{ name: string }>(
            byDatabase
              ? 'SELECT datname AS name FROM pg_database WHERE datname = ANY($1)'
              : 'SELECT nspname AS name FROM pg_namespace WHERE nspname = ANY($1)',
            [names],
          );
          existing = new Set(rows.map((row) => row.name));
        } finally {
          await client.end().catch(() => undefined);
        }
      } catch (error) {
        existing = new Set();
        failure = (error as Error).message;
      }
      for (const placement of group) {
        const name = byDatabase ? placement.databaseName! : placement.schemaName!;
        if (existing.has(name)) {
          results.push({ tenantId: placement.tenantId, outcome: 'up-to-date', applied: [], version: placement.schemaVersion, checked: 'recorded', durationMs: Date.now() - started });
          continue;
        }
        const error = failure ?? `${byDatabase ? 'database' : 'schema'} "${name}" does not exist`;
        this.log.error({ tenantId: placement.tenantId, error }, 'tenant migration failed');
        await this.control.getRepository(TenantPlacement).update({ tenantId: placement.tenantId }, { lastError: error }).catch(() => undefined);
        results.push({ tenantId: placement.tenantId, outcome: 'failed', applied: [], version: placement.schemaVersion, error, checked: 'recorded', durationMs: Date.now() - started });
      }
    }
    return results;
  }

  private async migratePlacement(placement: TenantPlacement): Promise<TenantMigrationResult> {
    const { tenantId } = placement;
    const started = Date.now();
    const placements = this.control.getRepository(TenantPlacement);
    try {
      const { applied, version } = await migrateTarget(await this.targetOf(placement), this.schema);
      // A verified tenant with nothing new and nothing to clear costs no control write.
      if (applied.length > 0 || placement.lastError !== null || placement.schemaVersion !== version) {
        await placements.update({ tenantId }, { schemaVersion: version, lastMigratedAt: new Date(), lastError: null });
      }
      return { tenantId, outcome: applied.length ? 'migrated' : 'up-to-date', applied, version, checked: 'database', durationMs: Date.now() - started };
    } catch (error) {
      const message = (error as Error).message;
      this.log.error({ tenantId, err: error }, 'tenant migration failed');
      await placements.update({ tenantId }, { lastError: message }).catch(() => undefined);
      return { tenantId, outcome: 'failed', applied: [], version: placement.schemaVersion, error: message, checked: 'database', durationMs: Date.now() - started };
    }
  }
}
