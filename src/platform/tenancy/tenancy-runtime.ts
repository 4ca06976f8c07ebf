import type { DataSource, MigrationInterface } from 'typeorm';
import type { Logger } from '../logger';
import type { TenancyMode } from '../control/tenant-placement.entity';
import { createControlDataSource, ensureDatabaseExists } from '../db/control-data-source';
import { AdminConnections } from './admin-connections';
import { ConnectionBudget } from './connection-budget';
import { DatabaseServers } from './database-servers';
import { mayCreateDatabases, resolveTenancyMode, type RequestedTenancyMode } from './tenancy-mode';
import { TemplateDatabases } from './template-database';
import { TenantMigrator } from './tenant-migrator';
import { sharedSchemasDatabase, TenantProvisioner } from './tenant-provisioner';
import { TenantRegistry } from './tenant-registry';
import { TenantRouter } from './tenant-router';
import { controlStructureLock, type StructureLock } from './structure-lock';
import type { TenantSchema } from './tenant-schema';

/** The settings tenancy needs; the app's Config satisfies this. */
export interface TenancySettings {
  TENANCY_MODE: RequestedTenancyMode;
  DB_NAME_PREFIX: string;
  CONNECTION_BUDGET: number;
  CONTROL_POOL_SIZE: number;
  TENANT_POOL_SIZE: number;
  SCHEMA_POOL_SIZE: number;
  TENANT_IDLE_TIMEOUT_MS: number;
  CONNECTION_WAIT_TIMEOUT_MS: number;
  TENANT_CACHE_TTL_MS: number;
}

/** The control database and the tenancy engine over it, as the server and the CLI use them. */
export interface Tenancy {
  controlUrl: string;
  control: DataSource;
  schema: TenantSchema;
  tenancyMode: TenancyMode;
  servers: DatabaseServers;
  budget: ConnectionBudget;
  registry: TenantRegistry;
  router: TenantRouter;
  admins: AdminConnections;
  templates: TemplateDatabases;
  provisioner: TenantProvisioner;
  migrator: TenantMigrator;
  /** Serialises creating shared structure (migrations, templates, job queues) across instances. */
  structureLock: StructureLock;
  /** Closes tenant pools, admin connections and the control pool. */
  close(): Promise<void>;
}

/**
 * Connects to the control database (creating and migrating it when needed) and builds the
 * tenancy objects. The product's tenant schema and control migrations are passed in: the
 * platform never imports them.
 */
export async function startTenancy(options: {
  settings: TenancySettings;
  /** Connections the caller keeps open besides the control pool (e.g. a LISTEN connection). */
  reservedConnections?: number;
  controlUrl: string;
  /** DATABASE_URL when it names a pooler (DIRECT_DATABASE_URL is then controlUrl): tenant requests to the default server go there. */
  pooledUrl?: string | null;
  schema: TenantSchema;
  controlMigrations: Array<new () => MigrationInterface>;
  log: Logger;
}): Promise<Tenancy> {
  const { settings, controlUrl, schema, log } = options;
  await ensureDatabaseExists(controlUrl);
  const control = createControlDataSource({ url: controlUrl, poolSize: settings.CONTROL_POOL_SIZE, migrations: options.controlMigrations });
  await control.initialize();
  try {
    const structureLock = controlStructureLock(control);
    // Applied once even when several instances start together.
    await structureLock(() => control.runMigrations({ transaction: 'each' }));
    const servers = new DatabaseServers(control, controlUrl, process.env, options.pooledUrl ?? null);
    await servers.ensureDefault();
    const tenancyMode = await resolveTenancyMode(settings.TENANCY_MODE, control, log);
    const schemasDatabase = await resolveSchemasDatabase(control, settings.DB_NAME_PREFIX, log);
    // The control pool and the caller's own connections are part of the budget too.
    const budget = new ConnectionBudget(
      settings.CONNECTION_BUDGET - settings.CONTROL_POOL_SIZE - (options.reservedConnections ?? 0),
      settings.CONNECTION_WAIT_TIMEOUT_MS,
    );
    const registry = new TenantRegistry(control, settings.TENANT_CACHE_TTL_MS);
    const [{ schemaPlacements }] = await control.query(
      "SELECT EXISTS (SELECT 1 FROM tenant_placements WHERE mode = 'schema') AS \"schemaPlacements\"",
    );
    const router = new TenantRouter({
      registry,
      servers,
      schema,
      budget,
      tenantPoolSize: settings.TENANT_POOL_SIZE,
      schemaPoolSize: Math.min(settings.SCHEMA_POOL_SIZE, budget.total),
      idleTimeoutMs: settings.TENANT_IDLE_TIMEOUT_MS,
      connectionWaitTimeoutMs: settings.CONNECTION_WAIT_TIMEOUT_MS,
      schemaTenants: tenancyMode === 'schema' || schemaPlacements,
      log,
    });
    const admins = new AdminConnections(servers, budget, log, {
      maxIdlePerDatabase: 2,
      idleTimeoutMs: 1_000,
      makeRoom: (needed) => router.evictIdle(needed),
    });
    const migrator = new TenantMigrator(control, servers, schema, log);
    const templates = new TemplateDatabases(structureLock, servers, admins, schema, settings.DB_NAME_PREFIX, log);
    const provisioner = new TenantProvisioner({
      control,
      servers,
      admins,
      templates,
      schema,
      registry,
      router,
      mode: tenancyMode,
      prefix: settings.DB_NAME_PREFIX,
      schemasDatabase,
      log,
    });
    return {
      controlUrl,
      control,
      schema,
      tenancyMode,
      servers,
      budget,
      registry,
      router,
      admins,
      templates,
      provisioner,
      migrator,
      structureLock,
      close: async () => {
        await router.closeAll();
        await admins.closeAll();
        await control.destroy();
      },
    };
  } catch (error) {
    await control.destroy().catch(() => undefined);
    throw error;
  }
}

/**
 * The database that holds schema-mode tenants on each server: `<prefix>_schemas`, created on
 * first use. A role that may not create databases cannot make it, so unless an operator made it
 * already the schemas go into the control database itself (the one database such a role owns).
 */
async function resolveSchemasDatabase(control: DataSource, prefix: string, log: Logger): Promise<string> {
  const shared = sharedSchemasDatabase(prefix);
  if (await mayCreateDatabases(control)) return shared;
  const [{ exists, current }] = await control.query(
    'SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists, current_database() AS current',
    [shared],
  );
  if (exists) return shared;
  log.info({ schemasDatabase: current }, 'the database role may not create databases: schema-mode tenants live in the control database');
  return current as string;
}
