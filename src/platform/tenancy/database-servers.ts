import type { DataSource, EntityManager } from 'typeorm';
import { DatabaseServer } from '../control/database-server.entity';
import { AppError, ErrorCode } from '../errors';

/**
 * Resolves the Postgres servers tenants live on to connection URLs. A server row holds host and
 * port; its credentials come from a reference (`control`: the control database's user,
 * `env:NAME`: a URL in that variable), so no password is stored in the control database.
 */
export class DatabaseServers {
  private readonly byId = new Map<string, DatabaseServer>();
  private defaultId: string | null = null;

  constructor(
    private readonly control: DataSource,
    private readonly controlUrl: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** A pooler (PgBouncer) in front of the default server for tenant requests (DATABASE_URL with DIRECT_DATABASE_URL). */
    private readonly pooledControlUrl: string | null = null,
  ) {}

  /** Registers the control database's own server as the default placement target. */
  async ensureDefault(manager: EntityManager = this.control.manager): Promise<DatabaseServer> {
    const repo = manager.getRepository(DatabaseServer);
    const existing = await repo.findOne({ where: { isDefault: true } });
    if (existing) return existing;
    const url = new URL(this.controlUrl);
    await repo
      .createQueryBuilder()
      .insert()
      .values({ name: 'default', host: url.hostname, port: Number(url.port || 5432), credentialsRef: 'control', isDefault: true })
      .orIgnore()
      .execute();
    return repo.findOneOrFail({ where: { name: 'default' } });
  }

  /**
   * Where new tenants go; cached until invalidate(). Inside a control transaction pass its
   * manager: a second control connection per sign-up can starve the pool (each concurrent
   * sign-up holding one connection and waiting for another).
   */
  async defaultServer(manager: EntityManager = this.control.manager): Promise<DatabaseServer> {
    if (this.defaultId) return this.get(this.defaultId, manager);
    const server = await this.ensureDefault(manager);
    this.defaultId = server.id;
    this.byId.set(server.id, server);
    return server;
  }

  /**
   * Where a new tenant goes: the active server with the most free capacity (its `capacity` less
   * the tenants placed on it), the default one among equals. NO_DATABASE_CAPACITY when every
   * active server is full. Read from the control database on each call, so a drain or a new
   * server (another process's CLI) counts at once.
   */
  async placementTarget(manager: EntityManager = this.control.manager): Promise<DatabaseServer> {
    await this.defaultServer(manager); // the control database's own server is registered
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT s.id FROM database_servers s
        WHERE s.status = 'active'
          AND s.capacity > (SELECT count(*) FROM tenant_placements p WHERE p.database_server_id = s.id)
        ORDER BY s.capacity - (SELECT count(*) FROM tenant_placements p WHERE p.database_server_id = s.id) DESC, s.is_default DESC, s.name
        LIMIT 1`,
    );
    if (rows.length === 0) {
      throw new AppError(ErrorCode.NO_DATABASE_CAPACITY, 'No database server takes new tenants (all are full or draining); try again later');
    }
    return this.get(rows[0].id, manager);
  }

  async get(serverId: string, manager: EntityManager = this.control.manager): Promise<DatabaseServer> {
    const cached = this.byId.get(serverId);
    if (cached) return cached;
    const server = await manager.getRepository(DatabaseServer).findOneByOrFail({ id: serverId });
    this.byId.set(serverId, server);
    return server;
  }

  /** Forget cached rows, e.g. after an operator moved a server. */
  invalidate(): void {
    this.byId.clear();
    this.defaultId = null;
  }

  /** URL of a database on the given server. */
  urlFor(server: DatabaseServer, database: string): string {
    const base = new URL(this.credentialsUrl(server.credentialsRef));
    base.hostname = server.host;
    base.port = String(server.port);
    base.pathname = `/${encodeURIComponent(database)}`;
    return base.toString();
  }

  /**
   * Where tenant requests to a database on this server go: its pooler when it has one (a port in
   * its row, or DATABASE_URL for the default server when DIRECT_DATABASE_URL is set), else the
   * server itself. Whatever needs a session (LISTEN, session advisory locks, migrations,
   * provisioning) uses urlFor instead.
   */
  requestUrlFor(server: DatabaseServer, database: string): { url: string; pooled: boolean } {
    if (server.poolerPort) {
      const base = new URL(this.credentialsUrl(server.credentialsRef));
      base.hostname = server.poolerHost ?? server.host;
      base.port = String(server.poolerPort);
      base.pathname = `/${encodeURIComponent(database)}`;
      return { url: base.toString(), pooled: true };
    }
    if (this.pooledControlUrl && server.isDefault && server.credentialsRef === 'control') {
      const base = new URL(this.pooledControlUrl);
      base.pathname = `/${encodeURIComponent(database)}`;
      return { url: base.toString(), pooled: true };
    }
    return { url: this.urlFor(server, database), pooled: false };
  }

  private credentialsUrl(ref: string): string {
    if (ref === 'control') return this.controlUrl;
    if (ref.startsWith('env:')) {
      const value = this.env[ref.slice(4)];
      if (!value) throw new Error(`Database server credentials variable ${ref.slice(4)} is not set`);
      return value;
    }
    throw new Error(`Unknown database server credentials reference: ${ref}`);
  }
}
