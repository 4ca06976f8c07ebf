import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import type { Pool, PoolClient } from 'pg';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { baseDataSourceOptions } from '../db/data-source-options';
import { quoteIdentifier } from '../db/identifiers';
import { markPooled } from '../db/prepared-query';
import type { ConnectionBudget } from './connection-budget';
import type { DatabaseServers } from './database-servers';
import type { TenantRecord, TenantRegistry } from './tenant-registry';
import type { TenantSchema } from './tenant-schema';

/** A tenant's data for the length of one request (or one subscription event). */
export interface TenantLease {
  tenantId: string;
  manager: EntityManager;
  release(): Promise<void>;
}

/** A lease shared by everything one request (or unit of work) does for one tenant. */
interface SharedLease {
  lease: Promise<TenantLease>;
  holders: number;
  /** Removes it from its scope. */
  forget(): void;
}

/**
 * The leases taken in the current request or unit of work, by router and tenant. A withTenant
 * inside it opens a child scope: it reuses the leases its callers hold (found up the chain),
 * while a lease it takes itself is its own, so two sibling units of work never share one.
 */
interface LeaseScope {
  parent: LeaseScope | null;
  leases: Map<TenantRouter, Map<string, SharedLease>>;
}

const currentLeases = new AsyncLocalStorage<LeaseScope>();

/**
 * Lease scopes cost AsyncLocalStorage's promise hooks on every request, and only schema mode
 * needs them (a database-mode lease pins no connection): they start once a router serves a
 * schema-mode tenant.
 */
let leaseScopesNeeded = false;

/**
 * Runs one request (or subscription event) in a fresh lease scope: every lease of a tenant taken
 * inside it, however deeply nested (a resolver, then the ingest service it calls), shares one
 * connection, so a request never holds two connections of the shared schema-mode pool and can
 * never deadlock waiting for its own second one (issue 11, finding 4).
 *
 * Work started inside a scope but not awaited (a timer, an event handler) inherits it and, while
 * the scope's holder still runs, shares its connection: start such work in `outsideLeaseScope`.
 */
export function inLeaseScope<T>(work: () => T): T {
  return leaseScopesNeeded ? currentLeases.run({ parent: null, leases: new Map() }, work) : work();
}

/** Runs `work` (e.g. a timer's) detached from the current request's leases. */
export function outsideLeaseScope<T>(work: () => T): T {
  return currentLeases.exit(work);
}

function heldInScope(scope: LeaseScope | null, router: TenantRouter, tenantId: string): SharedLease | undefined {
  for (let at = scope; at; at = at.parent) {
    const shared = at.leases.get(router)?.get(tenantId);
    if (shared) return shared;
  }
  return undefined;
}

/** One pool: a tenant's database (database mode) or a server's shared schema-mode pool. */
interface PoolEntry {
  key: string;
  slots: number;
  ready: Promise<DataSource>;
  dataSource: DataSource | null;
  leases: number;
  lastUsedAt: number;
  closing: boolean;
  /** Its connections go through a transaction pooler (PgBouncer). */
  pooled?: boolean;
}

export interface RouterFigures {
  liveDataSources: number;
  connectionBudget: number;
  budgetSlotsInUse: number;
  connectionsOpen: number;
  connectionsInUse: number;
  activeLeases: number;
  budgetWaits: number;
  budgetTimeouts: number;
  opened: number;
  evictions: number;
}

/** Default search_path of shared schema-mode connections: a schema that never exists. */
const NO_TENANT_SCHEMA = 'crm_no_tenant';

/**
 * A Postgres backend caches the catalog entries of every table it has touched and never gives
 * them back; a shared connection that visits thousands of schemas grows by hundreds of MB. It is
 * replaced after this many leases, which bounds that growth for the price of a reconnect.
 */
const SCHEMA_CONNECTION_MAX_USES = 1_000;

/**
 * Hands out tenant data access. DataSources open on first use (concurrent first requests share
 * one initialisation), are kept in LRU order, evicted and destroyed when idle or when the
 * connection budget is needed elsewhere. Live pools x pool size never exceed the budget.
 * In schema mode all tenants of a server share one bounded pool and every lease pins one
 * connection whose search_path is set for that lease only.
 */
export class TenantRouter {
  /** Insertion order is LRU order: a used entry is moved to the end. */
  private readonly entries = new Map<string, PoolEntry>();
  private readonly sweeper: NodeJS.Timeout;
  private opened = 0;
  private evictions = 0;
  /** A tenant's share of a shared schema-mode pool, so one tenant's burst leaves room for the rest. */
  private readonly shares: TenantShares;

  constructor(
    private readonly options: {
      registry: TenantRegistry;
      servers: DatabaseServers;
      schema: TenantSchema;
      budget: ConnectionBudget;
      tenantPoolSize: number;
      schemaPoolSize: number;
      idleTimeoutMs: number;
      connectionWaitTimeoutMs: number;
      /** Schema-mode tenants are (or may be) served: lease scopes are on from the start. */
      schemaTenants?: boolean;
      log: Logger;
    },
  ) {
    if (options.schemaTenants) leaseScopesNeeded = true;
    this.shares = new TenantShares(Math.max(1, Math.ceil(options.schemaPoolSize / 2)), options.connectionWaitTimeoutMs);
    this.sweeper = setInterval(() => void this.evictIdleOlderThan(options.idleTimeoutMs), Math.min(options.idleTimeoutMs, 30_000) / 2);
    this.sweeper.unref();
  }

  /**
   * A tenant's data. Inside a lease scope (a request, or withTenant) a tenant's second lease is
   * the first one again: same connection, released when its last holder releases it. Work nested
   * in a transaction of the outer holder therefore runs in that transaction (a nested
   * `manager.transaction` is a savepoint): it sees the outer's uncommitted rows, and the outer's
   * rollback undoes it too. The alternative, a second connection, is what deadlocks a full pool.
   */
  async lease(tenantId: string): Promise<TenantLease> {
    const scope = currentLeases.getStore();
    if (!scope) return this.takeLease(tenantId);
    let shared = heldInScope(scope, this, tenantId);
    if (!shared) {
      let leases = scope.leases.get(this);
      if (!leases) scope.leases.set(this, (leases = new Map()));
      const own = leases;
      const created: SharedLease = { lease: this.takeLease(tenantId), holders: 0, forget: () => own.get(tenantId) === created && own.delete(tenantId) };
      created.lease.catch(() => created.forget());
      own.set(tenantId, (shared = created));
    }
    const held = shared;
    held.holders += 1;
    let lease: TenantLease;
    try {
      lease = await held.lease;
    } catch (error) {
      held.holders -= 1;
      throw error;
    }
    let released = false;
    return {
      tenantId,
      manager: lease.manager,
      release: async () => {
        if (released) return;
        released = true;
        held.holders -= 1;
        if (held.holders > 0) return;
        // Gone from the scope before the connection is returned: a later lease takes a fresh one.
        held.forget();
        await lease.release();
      },
    };
  }

  private async takeLease(tenantId: string): Promise<TenantLease> {
    const tenant = await this.options.registry.findActive(tenantId);
    if (tenant.mode === 'schema') {
      leaseScopesNeeded = true;
      await this.shares.acquire(tenantId);
    }
    const entry = this.checkOut(tenant);
    try {
      const dataSource = await entry.ready;
      if (tenant.mode === 'database') {
        return { tenantId, manager: dataSource.manager, release: async () => this.checkIn(entry) };
      }
      return await this.schemaLease(tenant, dataSource, entry);
    } catch (error) {
      this.checkIn(entry);
      if (tenant.mode === 'schema') this.shares.release(tenantId);
      throw translatePoolError(error);
    }
  }

  /** Runs `work` with a lease that is always released; leases nested in `work` share it. */
  async withTenant<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (leaseScopesNeeded) {
      return currentLeases.run({ parent: currentLeases.getStore() ?? null, leases: new Map() }, () => this.leaseFor(tenantId, work));
    }
    return this.leaseFor(tenantId, work);
  }

  private async leaseFor<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const lease = await this.lease(tenantId);
    try {
      return await work(lease.manager);
    } finally {
      await lease.release();
    }
  }

  /** Closes a tenant's pool at once, e.g. after suspension, archiving or a move. */
  async evictTenant(tenant: Pick<TenantRecord, 'mode' | 'databaseServerId' | 'databaseName'>): Promise<void> {
    if (tenant.mode !== 'database') return; // the shared schema pool stays
    const entry = this.entries.get(entryKey(tenant));
    if (entry) await this.close(entry);
  }

  figures(): RouterFigures {
    let connectionsOpen = 0;
    let connectionsIdle = 0;
    let activeLeases = 0;
    let liveDataSources = 0;
    for (const entry of this.entries.values()) {
      activeLeases += entry.leases;
      // An entry still waiting for budget has no DataSource yet and holds no slots.
      if (entry.dataSource) liveDataSources += 1;
      const pool = poolOf(entry.dataSource);
      if (pool) {
        connectionsOpen += pool.totalCount;
        connectionsIdle += pool.idleCount;
      }
    }
    const { budget } = this.options;
    return {
      liveDataSources,
      connectionBudget: budget.total,
      budgetSlotsInUse: budget.inUse,
      connectionsOpen,
      connectionsInUse: connectionsOpen - connectionsIdle,
      activeLeases,
      budgetWaits: budget.waits,
      budgetTimeouts: budget.timeouts,
      opened: this.opened,
      evictions: this.evictions,
    };
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.entries.values()].map((entry) => this.close(entry)));
  }

  private checkOut(tenant: TenantRecord): PoolEntry {
    const key = entryKey(tenant);
    const existing = this.entries.get(key);
    if (existing && !existing.closing) {
      this.entries.delete(key);
      this.entries.set(key, existing);
      existing.leases += 1;
      existing.lastUsedAt = Date.now();
      return existing;
    }
    const slots = tenant.mode === 'database' ? this.options.tenantPoolSize : this.options.schemaPoolSize;
    const entry: PoolEntry = { key, slots, dataSource: null, leases: 1, lastUsedAt: Date.now(), closing: false, ready: null! };
    entry.ready = this.open(entry, tenant);
    entry.ready.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.entries.set(key, entry);
    return entry;
  }

  private checkIn(entry: PoolEntry): void {
    entry.leases = Math.max(0, entry.leases - 1);
    entry.lastUsedAt = Date.now();
    // Someone is waiting for budget: an idle pool is worth more to them than to its tenant.
    if (entry.leases === 0 && this.options.budget.waiting > 0) void this.evictIdle(1);
  }

  private async open(entry: PoolEntry, tenant: TenantRecord): Promise<DataSource> {
    const { budget, servers, schema, connectionWaitTimeoutMs } = this.options;
    await budget.reserve(entry.slots, (needed) => this.evictIdle(needed));
    try {
      const server = await servers.get(tenant.databaseServerId);
      // In schema mode the placement names the server's shared database that holds the schemas.
      const database = tenant.databaseName!;
      const { url, pooled } = servers.requestUrlFor(server, database);
      const dataSource = new DataSource({
        ...baseDataSourceOptions(),
        url,
        entities: schema.entities,
        extra: {
          max: entry.slots,
          idleTimeoutMillis: 10_000,
          connectionTimeoutMillis: connectionWaitTimeoutMs,
          application_name: tenant.mode === 'database' ? 'crm-tenant' : 'crm-schemas',
          // A pooler refuses the `options` start-up parameter, and a session setting would not
          // follow the next transaction to its server connection anyway: see schemaLease.
          ...(tenant.mode === 'schema' && !pooled ? { options: `-c search_path=${NO_TENANT_SCHEMA}`, maxUses: SCHEMA_CONNECTION_MAX_USES } : {}),
        },
      });
      if (pooled) {
        markPooled(dataSource);
        entry.pooled = true;
      }
      await dataSource.initialize();
      entry.dataSource = dataSource;
      this.opened += 1;
      return dataSource;
    } catch (error) {
      budget.release(entry.slots);
      throw error;
    }
  }

  private async schemaLease(tenant: TenantRecord, dataSource: DataSource, entry: PoolEntry): Promise<TenantLease> {
    if (entry.pooled) return this.pooledSchemaLease(tenant, dataSource, entry);
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query(`SET search_path TO ${quoteIdentifier(tenant.schemaName!)}`);
    } catch (error) {
      await discardConnection(runner, error);
      throw error;
    }
    let released = false;
    return {
      tenantId: tenant.tenantId,
      manager: runner.manager,
      release: async () => {
        if (released) return;
        released = true;
        try {
          await runner.query('RESET search_path');
          await runner.release();
        } catch (error) {
          // The connection may still carry this tenant's search_path: never pool it again.
          await discardConnection(runner, error);
        } finally {
          this.checkIn(entry);
          this.shares.release(tenant.tenantId);
        }
      },
    };
  }

  /**
   * A schema-mode lease through a transaction pooler: consecutive statements may run on different
   * server connections, so the search path cannot be a session setting. Every transaction of the
   * lease sets it with SET LOCAL right after it begins, and a statement outside a transaction is
   * wrapped in one (BEGIN; SET LOCAL ...; statement; COMMIT). Nothing of it outlives the
   * transaction, so the server connection goes back to the pooler clean.
   */
  private async pooledSchemaLease(tenant: TenantRecord, dataSource: DataSource, entry: PoolEntry): Promise<TenantLease> {
    const runner = dataSource.createQueryRunner();
    let client: PoolClient;
    try {
      client = (await runner.connect()) as PoolClient;
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
    const restore = scopeSearchPathToTransactions(client, tenant.schemaName!);
    let released = false;
    return {
      tenantId: tenant.tenantId,
      manager: runner.manager,
      release: async () => {
        if (released) return;
        released = true;
        const clean = restore();
        try {
          if (clean) await runner.release();
          else await discardConnection(runner, new Error('released inside a transaction'));
        } finally {
          this.checkIn(entry);
          this.shares.release(tenant.tenantId);
        }
      },
    };
  }

  /** Closes least-recently-used idle pools until `needed` slots are freed (or none is idle). */
  async evictIdle(needed: number): Promise<void> {
    const victims: PoolEntry[] = [];
    let freed = 0;
    for (const entry of this.entries.values()) {
      if (freed >= needed) break;
      if (entry.leases === 0 && entry.dataSource && !entry.closing) {
        victims.push(entry);
        freed += entry.slots;
      }
    }
    await Promise.all(victims.map((entry) => this.close(entry)));
  }

  private async evictIdleOlderThan(idleMs: number): Promise<void> {
    const cutoff = Date.now() - idleMs;
    const victims = [...this.entries.values()].filter(
      (entry) => entry.leases === 0 && entry.dataSource && !entry.closing && entry.lastUsedAt < cutoff,
    );
    await Promise.all(victims.map((entry) => this.close(entry)));
  }

  private async close(entry: PoolEntry): Promise<void> {
    if (entry.closing) return;
    entry.closing = true;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    this.evictions += 1;
    try {
      const dataSource = await entry.ready.catch(() => null);
      if (dataSource?.isInitialized) await dataSource.destroy();
    } catch (error) {
      this.options.log.warn({ err: error, pool: entry.key }, 'closing a tenant pool failed');
    } finally {
      // Slots return only after the pool's connections are closed, so the budget holds at peaks.
      if (entry.dataSource) this.options.budget.release(entry.slots);
    }
  }
}

/**
 * Caps the connections of a shared schema-mode pool that one tenant holds at once (half the pool):
 * thirty concurrent requests of one tenant queue behind each other, while another tenant's
 * request still finds a connection at once. Only tenants with leases or waiters have an entry.
 */
class TenantShares {
  private readonly byTenant = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(
    private readonly perTenant: number,
    private readonly waitTimeoutMs: number,
  ) {}

  async acquire(tenantId: string): Promise<void> {
    let share = this.byTenant.get(tenantId);
    if (!share) this.byTenant.set(tenantId, (share = { active: 0, waiting: [] }));
    if (share.active < this.perTenant) {
      share.active += 1;
      return;
    }
    const queue = share.waiting;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(woken), 1);
        reject(new AppError(ErrorCode.CONNECTION_BUDGET_EXHAUSTED, 'No database connection free within the wait limit; retry shortly'));
      }, this.waitTimeoutMs);
      const woken = () => {
        clearTimeout(timer);
        resolve();
      };
      queue.push(woken);
    });
  }

  /** Hands the place to the next waiter of the tenant, if any. */
  release(tenantId: string): void {
    const share = this.byTenant.get(tenantId);
    if (!share) return;
    const next = share.waiting.shift();
    if (next) return next();
    share.active -= 1;
    if (share.active <= 0) this.byTenant.delete(tenantId);
  }
}

function entryKey(tenant: Pick<TenantRecord, 'mode' | 'databaseServerId' | 'databaseName'>): string {
  return tenant.mode === 'database'
    ? `db:${tenant.databaseServerId}:${tenant.databaseName}`
    : `schemas:${tenant.databaseServerId}:${tenant.databaseName}`;
}

/**
 * Releases the runner's connection with an error, which makes pg's pool destroy it instead of
 * reusing it. TypeORM exposes this only privately (PostgresQueryRunner.releasePostgresConnection).
 */
async function discardConnection(runner: QueryRunner, error: unknown): Promise<void> {
  const postgresRunner = runner as unknown as { releasePostgresConnection(err?: unknown): Promise<void> };
  await postgresRunner.releasePostgresConnection(error instanceof Error ? error : new Error(String(error)));
}

type QueryFunction = (...args: unknown[]) => Promise<unknown>;

/**
 * Makes every transaction on `client` run with `schemaName` as its search path (SET LOCAL), and
 * wraps statements sent outside a transaction in one. Returns a function that puts the client's
 * own query method back and says whether no transaction was left open.
 */
function scopeSearchPathToTransactions(client: PoolClient, schemaName: string): () => boolean {
  const original = client.query as unknown as QueryFunction;
  const setPath = `SET LOCAL search_path TO ${quoteIdentifier(schemaName)}`;
  let inTransaction = false;
  const send = (...args: unknown[]) => original.apply(client, args);
  const scoped = async (...args: unknown[]): Promise<unknown> => {
    const [config, values] = args;
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    if (typeof text !== 'string' || args.length > 2 || typeof values === 'function') {
      throw new Error('A tenant lease through the pooler takes promise-style queries only');
    }
    const verb = /^\s*(\w+)(?:\s+(\w+))?/.exec(text);
    const first = verb?.[1]?.toUpperCase();
    const second = verb?.[2]?.toUpperCase();
    if (first === 'BEGIN' || (first === 'START' && second === 'TRANSACTION')) {
      const result = await send(config, values);
      inTransaction = true;
      await send(setPath);
      return result;
    }
    if (first === 'COMMIT' || first === 'END' || (first === 'ROLLBACK' && second !== 'TO')) {
      inTransaction = false;
      return send(config, values);
    }
    if (inTransaction) return send(config, values);
    await send(`BEGIN; ${setPath}`);
    try {
      const result = await send(config, values);
      await send('COMMIT');
      return result;
    } catch (error) {
      await send('ROLLBACK').catch(() => undefined);
      throw error;
    }
  };
  (client as unknown as { query: QueryFunction }).query = scoped;
  return () => {
    (client as unknown as { query: QueryFunction }).query = original;
    return !inTransaction;
  };
}

function poolOf(dataSource: DataSource | null): Pool | null {
  if (!dataSource?.isInitialized) return null;
  return (dataSource.driver as unknown as { master?: Pool }).master ?? null;
}

/** pg's own pool timeout means the same thing as ours: no connection within the wait limit. */
function translatePoolError(error: unknown): unknown {
  if (error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)) {
    return new AppError(ErrorCode.CONNECTION_BUDGET_EXHAUSTED, 'No database connection free within the wait limit; retry shortly');
  }
  return error;
}
