import crypto from 'node:crypto';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { Tenant, TenantStatus } from '../control/tenant.entity';
import { TenantPlacement, type TenancyMode } from '../control/tenant-placement.entity';
import { assertIdentifier, isDuplicateDatabaseError, quoteIdentifier, slugify, tenantDatabaseName, tenantSchemaName } from '../db/identifiers';
import type { AdminConnections } from './admin-connections';
import type { DatabaseServers } from './database-servers';
import type { TemplateDatabases } from './template-database';
import { migrateTarget } from './tenant-migrator';
import { SchemaScripts } from './schema-script';
import type { TenantRegistry } from './tenant-registry';
import type { TenantRouter } from './tenant-router';
import type { TenantSchema } from './tenant-schema';

/** Postgres: "source database is being accessed by other users" (a concurrent clone). */
const OBJECT_IN_USE = '55006';

/**
 * Creates tenants and the place their data lives. Status goes PROVISIONING → ACTIVE, or FAILED
 * with the error kept; provisioning again from FAILED (or a crashed PROVISIONING) starts clean.
 */
export class TenantProvisioner {
  constructor(
    private readonly deps: {
      control: DataSource;
      servers: DatabaseServers;
      admins: AdminConnections;
      templates: TemplateDatabases;
      schema: TenantSchema;
      registry: TenantRegistry;
      router: TenantRouter;
      /** Where new tenants go unless createTenant says otherwise. */
      mode: TenancyMode;
      prefix: string;
      /** The database holding schema-mode tenants on each server (default `<prefix>_schemas`). */
      schemasDatabase?: string;
      log: Logger;
    },
  ) {
    this.scripts = new SchemaScripts(deps.schema);
  }

  /** This release's migrations as one script, for new schemas. */
  private readonly scripts: SchemaScripts;
  /** Shared schema-mode databases known to exist (server id/name): provisioning skips the lookup. */
  private readonly knownDatabases = new Set<string>();

  /** The database that holds schema-mode tenants on each server. */
  schemasDatabase(): string {
    return this.deps.schemasDatabase ?? sharedSchemasDatabase(this.deps.prefix);
  }

  /**
   * Records a new tenant (PROVISIONING) and its placement. One statement writes both (one round
   * trip, one commit outside a transaction): this is on every sign-up's path. A taken slug gets a
   * random suffix.
   */
  async createTenant(
    input: { name: string; planCode?: string; mode?: TenancyMode },
    manager = this.deps.control.manager,
  ): Promise<Tenant> {
    const { servers, prefix } = this.deps;
    const mode = input.mode ?? this.deps.mode;
    const server = await servers.placementTarget(manager);
    const id = crypto.randomUUID();
    const base = slugify(input.name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const slug = attempt === 0 ? base : `${base}-${crypto.randomBytes(3).toString('hex')}`;
      const rows: Array<{ status: TenantStatus; plan_id: string | null; created_at: Date; updated_at: Date }> = await manager.query(
        `WITH tenant AS (
           INSERT INTO tenants (id, name, slug, status, plan_id)
           VALUES ($1, $2, $3, $4, (SELECT id FROM subscription_plans WHERE code = $5))
           ON CONFLICT (slug) DO NOTHING
           RETURNING id, status, plan_id, created_at, updated_at),
         placement AS (
           INSERT INTO tenant_placements (tenant_id, mode, database_server_id, database_name, schema_name)
           SELECT id, $6, $7, $8, $9 FROM tenant)
         SELECT status, plan_id, created_at, updated_at FROM tenant`,
        [
          id,
          input.name,
          slug,
          TenantStatus.PROVISIONING,
          input.planCode ?? 'free',
          mode,
          server.id,
          mode === 'database' ? tenantDatabaseName(prefix, id) : this.schemasDatabase(),
          mode === 'schema' ? tenantSchemaName(prefix, id) : null,
        ],
      );
      if (rows.length === 1) {
        const [row] = rows;
        return manager.getRepository(Tenant).create({
          id,
          name: input.name,
          slug,
          status: row.status,
          planId: row.plan_id,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        });
      }
    }
    throw new AppError(ErrorCode.CONFLICT, 'Could not find a free slug for this tenant name; try another name');
  }

  /** Brings a PROVISIONING or FAILED tenant to ACTIVE; throws PROVISIONING_FAILED otherwise. */
  async provision(tenantId: string): Promise<void> {
    const { control, registry, log } = this.deps;
    const placement = await control.getRepository(TenantPlacement).findOneOrFail({ where: { tenantId }, relations: { tenant: true } });
    const { tenant } = placement;
    if (tenant.status === TenantStatus.ACTIVE) return;
    if (tenant.status !== TenantStatus.PROVISIONING && tenant.status !== TenantStatus.FAILED) {
      throw new AppError(ErrorCode.CONFLICT, `A ${tenant.status.toLowerCase()} tenant cannot be provisioned`);
    }
    const retry = tenant.status === TenantStatus.FAILED;
    const started = Date.now();
    try {
      if (retry) await control.getRepository(Tenant).update({ id: tenantId }, { status: TenantStatus.PROVISIONING });
      const version =
        placement.mode === 'database' ? await this.cloneDatabase(placement, retry) : await this.createSchema(placement, retry);
      // One statement (one round trip, one commit) for both rows: this is on every sign-up's path.
      await control.query(
        `WITH placement AS (
           UPDATE tenant_placements SET schema_version = $2, last_migrated_at = now(), last_error = NULL, updated_at = now()
            WHERE tenant_id = $1)
         UPDATE tenants SET status = $3, updated_at = now() WHERE id = $1`,
        [tenantId, version, TenantStatus.ACTIVE],
      );
      log.info({ tenantId, mode: placement.mode, ms: Date.now() - started }, 'tenant provisioned');
    } catch (error) {
      const message = (error as Error).message;
      log.error({ tenantId, err: error }, 'tenant provisioning failed');
      await control.transaction(async (manager) => {
        await manager.getRepository(TenantPlacement).update({ tenantId }, { lastError: message });
        await manager.getRepository(Tenant).update({ id: tenantId }, { status: TenantStatus.FAILED });
      });
      throw new AppError(ErrorCode.PROVISIONING_FAILED, 'The tenant could not be provisioned; it can be retried', {
        tenantId,
      });
    } finally {
      registry.invalidate(tenantId);
    }
  }

  /**
   * Tenants a stopped process left PROVISIONING (provisioning takes seconds; these have not moved
   * for `stuckAfterMs`) are provisioned again from scratch. One statement flips each to FAILED, so
   * when several instances start together each tenant is taken on by exactly one of them.
   * Resolves to the tenants taken on and whether each is ACTIVE now.
   */
  async resumeInterrupted(stuckAfterMs: number): Promise<Array<{ tenantId: string; active: boolean }>> {
    const [claimed]: [Array<{ id: string }>, number] = await this.deps.control.query(
      `UPDATE tenants SET status = $1, updated_at = now() WHERE status = $2 AND updated_at < now() - make_interval(secs => $3) RETURNING id`,
      [TenantStatus.FAILED, TenantStatus.PROVISIONING, stuckAfterMs / 1000],
    );
    const resumed: Array<{ tenantId: string; active: boolean }> = [];
    for (const { id } of claimed) {
      // provision() records a failure on the tenant (FAILED, with the error) for a later retry.
      const active = await this.provision(id).then(() => true, () => false);
      resumed.push({ tenantId: id, active });
    }
    return resumed;
  }

  /** Archives (data kept, requests refused) or drops a tenant's data. */
  async deprovision(tenantId: string, options: { drop: boolean }): Promise<void> {
    const { control, registry, router } = this.deps;
    const placement = await control.getRepository(TenantPlacement).findOneByOrFail({ tenantId });
    await control.getRepository(Tenant).update({ id: tenantId }, { status: TenantStatus.ARCHIVED });
    registry.invalidate(tenantId);
    await router.evictTenant(placement);
    if (!options.drop) return;
    await this.dropLocation(placement);
    await control.getRepository(TenantPlacement).update({ tenantId }, { schemaVersion: null, lastError: 'dropped' });
  }

  private async cloneDatabase(placement: TenantPlacement, retry: boolean): Promise<string> {
    const server = await this.deps.servers.get(placement.databaseServerId);
    const template = await this.deps.templates.ensure(server);
    const name = quoteIdentifier(placement.databaseName!);
    await this.withAdmin(placement.databaseServerId, async (admin) => {
      // A previous attempt may have left the database behind; start clean rather than trust it.
      if (retry) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      for (let attempt = 1; ; attempt++) {
        try {
          await admin.query(`CREATE DATABASE ${name} TEMPLATE ${quoteIdentifier(template)}`);
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
        }
      }
    });
    return this.deps.schema.version;
  }

  /**
   * A new schema with this release's structure: the migrations as one recorded script, applied
   * in one round trip on a kept provisioning connection (schema-script.ts says why it is the same).
   */
  private async createSchema(placement: TenantPlacement, retry: boolean): Promise<string> {
    await this.ensureSharedDatabase(placement);
    const server = await this.deps.servers.get(placement.databaseServerId);
    const url = this.deps.servers.urlFor(server, placement.databaseName!);
    return this.withDatabase(placement, (client) => this.scripts.apply(client, url, placement.schemaName!, { replace: retry }));
  }

  /** The shared database of schema-mode tenants, created on first use. */
  private async ensureSharedDatabase(location: TenantLocation): Promise<void> {
    const key = `${location.databaseServerId}/${location.databaseName}`;
    if (this.knownDatabases.has(key)) return;
    const database = assertIdentifier(location.databaseName!);
    await this.withAdmin(location.databaseServerId, async (admin) => {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!rowCount) {
        await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`).catch((error: unknown) => {
          if (!isDuplicateDatabaseError(error)) throw error; // created concurrently
        });
      }
    });
    this.knownDatabases.add(key);
  }

  /**
   * An empty database or schema at `location`, migrated with `schema` (whose migrations may stop
   * short of the latest, to take in data of an older version). `replace` drops what is there
   * first; otherwise an existing one fails the call. Returns the schema version reached.
   */
  async createEmpty(location: TenantLocation, schema: TenantSchema, options: { replace: boolean }): Promise<string> {
    const database = assertIdentifier(location.databaseName!);
    if (location.mode === 'database') {
      await this.withAdmin(location.databaseServerId, async (admin) => {
        if (options.replace) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
      });
    }
    if (location.mode === 'schema') {
      await this.ensureSharedDatabase(location);
      const schemaName = quoteIdentifier(location.schemaName!);
      await this.withDatabase(location, async (client) => {
        if (options.replace) await client.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
        await client.query(`CREATE SCHEMA ${schemaName}`);
      });
    }
    const server = await this.deps.servers.get(location.databaseServerId);
    const { version } = await migrateTarget({ url: this.deps.servers.urlFor(server, database), schemaName: location.schemaName }, schema);
    return version ?? schema.version;
  }

  /** Drops a tenant's database or schema (its placement row is the caller's business). */
  async dropLocation(location: TenantLocation): Promise<void> {
    if (location.mode === 'database') {
      await this.withAdmin(location.databaseServerId, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(location.databaseName!)} WITH (FORCE)`),
      );
    } else {
      await this.withDatabase(location, (client) => client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(location.schemaName!)} CASCADE`));
    }
  }

  /** A connection to the server's maintenance database (counted against the connection budget). */
  private withAdmin<T>(serverId: string, work: (client: Client) => Promise<T>): Promise<T> {
    return this.deps.admins.with(serverId, 'postgres', work);
  }

  private withDatabase<T>(placement: TenantLocation, work: (client: Client) => Promise<T>): Promise<T> {
    return this.deps.admins.with(placement.databaseServerId, placement.databaseName!, work);
  }
}

/** Where a tenant's data lives: the placement's columns that say so. */
export type TenantLocation = Pick<TenantPlacement, 'mode' | 'databaseServerId' | 'databaseName' | 'schemaName'>;

export const sharedSchemasDatabase = (prefix: string) => assertIdentifier(`${prefix}_schemas`);
