import type { Client } from 'pg';
import type { DatabaseServer } from '../control/database-server.entity';
import { assertIdentifier, quoteIdentifier, templateDatabaseName } from '../db/identifiers';
import type { Logger } from '../logger';
import type { AdminConnections } from './admin-connections';
import type { DatabaseServers } from './database-servers';
import { migrateTarget } from './tenant-migrator';
import type { TenantSchema } from './tenant-schema';
import type { StructureLock } from './structure-lock';

/**
 * Keeps one template database per tenant schema version on each server, so a new tenant is a
 * `CREATE DATABASE ... TEMPLATE` (tens of milliseconds) instead of running every migration.
 * Built under the structure lock of the control database (several instances may start at once),
 * into a scratch name renamed only when complete: a half-built template is never cloned.
 * Templates of versions before the previous one are dropped when a new one is built.
 */
export class TemplateDatabases {
  private readonly ready = new Map<string, Promise<string>>();

  constructor(
    private readonly structureLock: StructureLock,
    private readonly servers: DatabaseServers,
    private readonly admins: AdminConnections,
    private readonly schema: TenantSchema,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {}

  /** Name of the current version's template on `server`, building it first when missing. */
  ensure(server: DatabaseServer): Promise<string> {
    const key = server.id;
    let pending = this.ready.get(key);
    if (!pending) {
      pending = this.build(server);
      pending.catch(() => this.ready.delete(key));
      this.ready.set(key, pending);
    }
    return pending;
  }

  /**
   * Drops the templates of versions before the previous one. The previous version's stays: during
   * a rolling deploy, instances of the last release still clone it.
   */
  private async pruneOlderThanPrevious(admin: Client): Promise<void> {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ ('^' || $1 || '_tpl_[0-9]{13}$') AND datname <= $2 ORDER BY datname DESC`,
      [this.prefix, templateDatabaseName(this.prefix, this.schema.version)],
    );
    for (const { datname } of rows.slice(2)) {
      const name = quoteIdentifier(datname);
      await admin.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`);
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      this.log.info({ template: datname }, 'dropped an old tenant template database');
    }
  }

  private async build(server: DatabaseServer): Promise<string> {
    const name = templateDatabaseName(this.prefix, this.schema.version);
    const scratch = assertIdentifier(`${name}_build`);
    return this.structureLock(() =>
      this.admins.with(server.id, 'postgres', async (admin) => {
        const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (rowCount) return name;
        const started = Date.now();
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(scratch)} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${quoteIdentifier(scratch)}`);
        await migrateTarget({ url: this.servers.urlFor(server, scratch), schemaName: null }, this.schema);
        await admin.query(`ALTER DATABASE ${quoteIdentifier(scratch)} RENAME TO ${quoteIdentifier(name)}`);
        // Nobody may connect to a template: a stray session would make every clone fail.
        await admin.query(`ALTER DATABASE ${quoteIdentifier(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
        this.log.info({ template: name, ms: Date.now() - started }, 'built tenant template database');
        await this.pruneOlderThanPrevious(admin);
        return name;
      }),
    );
  }
}
