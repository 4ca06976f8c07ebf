import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { TenantStatus } from '../control/tenant.entity';
import { DatabaseServer } from '../control/database-server.entity';
import { TenantPlacement, type TenancyMode } from '../control/tenant-placement.entity';
import { assertIdentifier, isDuplicateDatabaseError, quoteIdentifier, tenantDatabaseName, tenantSchemaName } from '../db/identifiers';
import { BackupWriter, openBackup, type BackupManifest } from './tenant-backup-archive';
import { blockWrites, exportTable, importTenantData, readLayout, recordedSchemaVersion, type TenantDataLayout } from './tenant-data-copy';
import type { DatabaseServers } from './database-servers';
import { type TenantLocation, type TenantProvisioner } from './tenant-provisioner';
import type { TenantRegistry } from './tenant-registry';
import type { TenantRouter } from './tenant-router';
import { migrateTarget } from './tenant-migrator';
import { migrationTimestamp, type TenantSchema } from './tenant-schema';

/** Files a tenant keeps outside its database (media), which backups carry along. */
export interface TenantFiles {
  /** Storage keys the tenant's data refers to, read in the backup's snapshot. */
  keys(client: Client): Promise<string[]>;
  read(key: string): Promise<Readable | null>;
  /** Stores the file again under the same key (content-addressed: a file already there is kept). */
  write(tenantId: string, key: string, data: Readable): Promise<void>;
}

export interface RelocationResult {
  from: TenantLocation;
  to: TenantLocation;
  schemaVersion: string;
  rows: Record<string, number>;
  /** Where the data was before, when it was kept (the default). */
  keptOld: boolean;
  /** Writers still waiting on the old location when it was switched: their requests failed (providers redeliver). */
  writersCut: number;
}

/** Postgres: the schema already exists. */
const DUPLICATE_SCHEMA = '42P06';

/** Statuses a tenant may be backed up in (it has data) and moved or restored from. */
const BACKUP_FROM = [TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.ARCHIVED, TenantStatus.MAINTENANCE];
const RELOCATE_FROM = [TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.MAINTENANCE];

/**
 * Backs tenants up to a folder, restores them from one, and moves them between database servers
 * and between database and schema mode. A tenant's data always goes into a NEW database or
 * schema (created empty, migrated to the data's version, filled in one transaction, migrated to
 * the latest) and only then does the placement row switch to it, so a failure at any step
 * leaves the tenant where and as it was. During a move or restore the tenant is in MAINTENANCE:
 * every instance refuses its requests (webhooks get 503 and are redelivered by the provider).
 */
export class TenantRelocation {
  constructor(
    private readonly deps: {
      control: DataSource;
      servers: DatabaseServers;
      provisioner: TenantProvisioner;
      registry: TenantRegistry;
      router: TenantRouter;
      schema: TenantSchema;
      prefix: string;
      /** How long other instances may keep serving from a cached tenant record (TENANT_CACHE_TTL_MS). */
      cacheTtlMs: number;
      files?: TenantFiles;
      log: Logger;
    },
  ) {}

  /** A consistent snapshot of the tenant (REPEATABLE READ; writers are not blocked) into `dir`. */
  async backup(tenantId: string, dir: string): Promise<BackupManifest> {
    const { tenant, placement } = await this.load(tenantId, BACKUP_FROM, 'backed up');
    const writer = await BackupWriter.create(dir);
    const client = await this.connect(placement);
    let finished = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const schemaVersion = await this.versionOf(client);
      const layout = await readLayout(client);
      for (const table of layout.tables) await writer.addTable(table, exportTable(client, table));
      for (const key of (await this.deps.files?.keys(client)) ?? []) {
        const data = await this.deps.files!.read(key);
        if (data) await writer.addFile(key, data);
        else this.deps.log.warn({ tenantId, key }, 'a file the tenant refers to is missing; the backup goes on without it');
      }
      await client.query('COMMIT');
      const manifest = await writer.finish({ tenantId, tenantName: tenant.name, schemaVersion }, layout);
      finished = true;
      return manifest;
    } finally {
      await client.end().catch(() => undefined);
      if (!finished) await writer.discard(); // no half backup is left to be mistaken for one
    }
  }

  /**
   * Replaces the tenant's data with a backup's, in a new database (or schema) beside the current
   * one on the same server. The backup is checked whole first (checksums, tenant, version).
   */
  async restore(tenantId: string, dir: string, options: { dropOld?: boolean } = {}): Promise<RelocationResult> {
    const backup = await openBackup(dir);
    if (backup.tenantId !== tenantId) {
      throw new AppError(ErrorCode.BACKUP_INVALID, `The backup in ${dir} is of tenant ${backup.tenantId}, not ${tenantId}`);
    }
    const { placement } = await this.load(tenantId, RELOCATE_FROM, 'restored');
    const target = await this.newLocation(tenantId, placement, placement.databaseServerId, placement.mode);
    const rows = Object.fromEntries(backup.tables.map((table) => [table.name, table.rows]));
    return this.relocate(tenantId, placement, target, { dropOld: options.dropOld ?? false }, async () => ({
      version: backup.schemaVersion,
      layout: { tables: backup.tables, sequences: backup.sequences, rows },
      open: (table) => backup.open(backup.tables.find((entry) => entry.name === table.name)!.file),
      beforeSwitch: async () => {
        for (const file of backup.files) {
          if (!file.key.startsWith(`${tenantId}/`)) throw new AppError(ErrorCode.BACKUP_INVALID, `The backup names a file of another tenant: ${file.key}`);
          await this.deps.files?.write(tenantId, file.key, backup.open(file.file));
        }
      },
    }));
  }

  /**
   * Copies the tenant to another server (by its name in database_servers) and/or mode. Writes are
   * blocked on the source (SHARE locks) from the copy's snapshot until the placement has switched;
   * a writer still waiting then is cut off, so nothing is written where nobody will read it.
   */
  async move(tenantId: string, options: { server?: string; mode?: TenancyMode; dropOld?: boolean }): Promise<RelocationResult> {
    const { placement } = await this.load(tenantId, RELOCATE_FROM, 'moved');
    const server = options.server
      ? await this.deps.control.getRepository(DatabaseServer).findOneBy({ name: options.server })
      : await this.deps.servers.get(placement.databaseServerId);
    if (!server) throw new AppError(ErrorCode.NOT_FOUND, `No database server named ${JSON.stringify(options.server)} (see the database_servers table)`);
    const mode = options.mode ?? placement.mode;
    if (server.id === placement.databaseServerId && mode === placement.mode) {
      throw new AppError(ErrorCode.CONFLICT, `The tenant already lives on server ${server.name} in ${mode} mode`);
    }
    const target = await this.newLocation(tenantId, placement, server.id, mode);
    const source = await this.connect(placement);
    let writersCut = 0;
    try {
      return await this.relocate(tenantId, placement, target, { dropOld: options.dropOld ?? false }, async () => {
        const tables = (await readLayout(source)).tables;
        await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        // Locks before the snapshot: it then includes every write that was in flight.
        await source.query(`SET LOCAL lock_timeout = '60s'`);
        await blockWrites(source, tables);
        const version = await this.versionOf(source);
        const layout = await readLayout(source);
        return {
          version,
          layout,
          open: (table) => exportTable(source, table),
          // Cut off before the switch too: should this process die before its COMMIT, the locks
          // go and only writers that started waiting after this could write to the old copy.
          beforeSwitch: async () => {
            writersCut += await cutOffWaitingWriters(source);
          },
          afterSwitch: async () => {
            writersCut += await cutOffWaitingWriters(source);
            await source.query('COMMIT');
            return writersCut;
          },
        };
      });
    } finally {
      await source.end().catch(() => undefined); // after a failure, this rolls the locks back
    }
  }

  private async relocate(
    tenantId: string,
    from: TenantPlacement,
    to: TenantLocation,
    options: { dropOld: boolean },
    openSource: () => Promise<{
      version: string;
      layout: TenantDataLayout & { rows?: Record<string, number> };
      open: (table: TenantDataLayout['tables'][number]) => Readable;
      beforeSwitch?: () => Promise<void>;
      afterSwitch?: () => Promise<number>;
    }>,
  ): Promise<RelocationResult> {
    const { control, provisioner, registry, router, log } = this.deps;
    const previous = await this.enterMaintenance(tenantId);
    let created = false;
    let switched = false;
    try {
      const source = await openSource();
      const upTo = this.migrationsUpTo(source.version);
      await provisioner.createEmpty(to, upTo, { replace: false }).catch((error: unknown) => {
        // One of that name created meanwhile by someone else is not ours to drop.
        created = !isDuplicateDatabaseError(error) && (error as { code?: string }).code !== DUPLICATE_SCHEMA;
        throw error;
      });
      created = true;
      const target = await this.connect(to);
      let rows: Record<string, number>;
      try {
        rows = await importTenantData(target, source.layout, source.open);
      } finally {
        await target.end().catch(() => undefined);
      }
      const schemaVersion = await this.migrateToLatest(to);
      await source.beforeSwitch?.();
      await control.query(
        `UPDATE tenant_placements SET mode = $2, database_server_id = $3, database_name = $4, schema_name = $5,
                schema_version = $6, last_migrated_at = now(), last_error = NULL, updated_at = now()
          WHERE tenant_id = $1`,
        [tenantId, to.mode, to.databaseServerId, to.databaseName, to.schemaName, schemaVersion],
      );
      switched = true;
      const writersCut = (await source.afterSwitch?.()) ?? 0;
      log.info({ tenantId, from: describe(from), to: describe(to), schemaVersion, writersCut }, 'tenant relocated');
      if (options.dropOld) await provisioner.dropLocation(from);
      return { from, to, schemaVersion, rows, keptOld: !options.dropOld, writersCut };
    } catch (error) {
      if (created && !switched) await provisioner.dropLocation(to).catch((dropError: unknown) => log.warn({ err: dropError, to: describe(to) }, 'could not drop the unfinished copy'));
      throw error;
    } finally {
      await control.query(`UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1 AND status = $3`, [tenantId, previous, TenantStatus.MAINTENANCE]);
      registry.invalidate(tenantId);
      await router.evictTenant(from);
    }
  }

  /** MAINTENANCE from now; resolves once no instance can still hold the tenant as it was. */
  private async enterMaintenance(tenantId: string): Promise<TenantStatus> {
    const [rows]: [Array<{ status: TenantStatus }>, number] = await this.deps.control.query(
      `UPDATE tenants t SET status = $2, updated_at = now()
         FROM (SELECT id, status FROM tenants WHERE id = $1 FOR UPDATE) old
        WHERE t.id = old.id AND old.status = ANY ($3) RETURNING old.status`,
      [tenantId, TenantStatus.MAINTENANCE, RELOCATE_FROM],
    );
    if (rows.length === 0) {
      await this.load(tenantId, RELOCATE_FROM, 'moved or restored'); // throws the reason
      throw new AppError(ErrorCode.CONFLICT, 'The tenant changed meanwhile; try again');
    }
    this.deps.registry.invalidate(tenantId);
    // Other instances cache the tenant's record this long: after it, they all refuse its requests.
    if (this.deps.cacheTtlMs > 0) await sleep(this.deps.cacheTtlMs + 100);
    // An interrupted move left it in MAINTENANCE: it was serving before that.
    return rows[0].status === TenantStatus.MAINTENANCE ? TenantStatus.ACTIVE : rows[0].status;
  }

  private async load(tenantId: string, allowed: TenantStatus[], what: string): Promise<{ tenant: { name: string; status: TenantStatus }; placement: TenantPlacement }> {
    const placement = await this.deps.control.getRepository(TenantPlacement).findOne({ where: { tenantId }, relations: { tenant: true } });
    if (!placement) throw new AppError(ErrorCode.TENANT_NOT_FOUND, `No tenant ${tenantId}`);
    if (!allowed.includes(placement.tenant.status)) {
      throw new AppError(ErrorCode.CONFLICT, `A ${placement.tenant.status.toLowerCase()} tenant cannot be ${what}`);
    }
    return { tenant: placement.tenant, placement };
  }

  /**
   * Where the tenant's data goes: its usual name on that server and mode, unless that is where
   * it is now or the name is taken (a copy kept by an earlier move): then a suffixed one.
   */
  private async newLocation(tenantId: string, current: TenantLocation, serverId: string, mode: TenancyMode): Promise<TenantLocation> {
    const { prefix } = this.deps;
    const usual: TenantLocation =
      mode === 'database'
        ? { mode, databaseServerId: serverId, databaseName: tenantDatabaseName(prefix, tenantId), schemaName: null }
        : { mode, databaseServerId: serverId, databaseName: this.deps.provisioner.schemasDatabase(), schemaName: tenantSchemaName(prefix, tenantId) };
    const same = describe(usual) === describe(current);
    if (!same && !(await this.exists(usual))) return usual;
    const suffix = crypto.randomBytes(4).toString('hex');
    return mode === 'database'
      ? { ...usual, databaseName: assertIdentifier(`${usual.databaseName}_${suffix}`) }
      : { ...usual, schemaName: assertIdentifier(`${usual.schemaName}_${suffix}`) };
  }

  private async exists(location: TenantLocation): Promise<boolean> {
    const server = await this.deps.servers.get(location.databaseServerId);
    const client = new Client({ connectionString: this.deps.servers.urlFor(server, 'postgres'), application_name: 'crm-relocation' });
    await client.connect();
    try {
      const { rows } = await client.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found', [location.databaseName]);
      if (!rows[0].found || location.mode === 'database') return rows[0].found;
    } finally {
      await client.end().catch(() => undefined);
    }
    const inDatabase = await this.connect({ ...location, schemaName: null });
    try {
      const { rows } = await inDatabase.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS found', [location.schemaName]);
      return rows[0].found;
    } finally {
      await inDatabase.end().catch(() => undefined);
    }
  }

  /** A plain connection into the tenant's database, its schema first on the search_path. */
  private async connect(location: TenantLocation): Promise<Client> {
    const server = await this.deps.servers.get(location.databaseServerId);
    const client = new Client({
      connectionString: this.deps.servers.urlFor(server, location.databaseName!),
      application_name: 'crm-relocation',
      ...(location.schemaName ? { options: `-c search_path=${quoteIdentifier(location.schemaName)}` } : {}),
    });
    client.on('error', () => undefined); // a dropped connection fails the pending query; that is reported
    await client.connect();
    return client;
  }

  private async versionOf(client: Client): Promise<string> {
    const version = await recordedSchemaVersion(client);
    if (!version) throw new AppError(ErrorCode.CONFLICT, 'The tenant has no recorded migrations: it was never provisioned');
    return version;
  }

  /** The tenant schema as it was at `version`, to take in data of that version. */
  private migrationsUpTo(version: string): TenantSchema {
    const { schema } = this.deps;
    const index = schema.migrations.findIndex((migration) => migrationTimestamp(migration) === version);
    if (index < 0) {
      const newer = BigInt(version) > BigInt(schema.version);
      throw new AppError(
        ErrorCode.BACKUP_INVALID,
        newer
          ? `The data is of schema version ${version}, newer than this release's ${schema.version}: use a newer release`
          : `The data is of schema version ${version}, which this release does not know`,
      );
    }
    return { ...schema, migrations: schema.migrations.slice(0, index + 1), version };
  }

  /** Applies the migrations newer than the data's. */
  private async migrateToLatest(location: TenantLocation): Promise<string> {
    const server = await this.deps.servers.get(location.databaseServerId);
    const target = { url: this.deps.servers.urlFor(server, location.databaseName!), schemaName: location.schemaName };
    return (await migrateTarget(target, this.deps.schema)).version ?? this.deps.schema.version;
  }
}

/** Terminates the sessions waiting for this one's locks: their requests fail, and are retried. */
async function cutOffWaitingWriters(client: Client): Promise<number> {
  const { rows } = await client.query<{ cut: number }>(
    'SELECT count(pg_terminate_backend(pid))::int AS cut FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))',
  );
  return rows[0].cut;
}

function describe(location: TenantLocation): string {
  return `${location.databaseServerId}/${location.databaseName}${location.schemaName ? `/${location.schemaName}` : ''}`;
}
