import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isPortOpen } from '../../src/platform/db/embedded-postgres';
import { freePort } from './free-port';

export interface PgBouncer {
  port: number;
  /** `serverUrl` with host and port replaced by the pooler's. */
  urlFor(database: string): string;
  /** Rows of an admin console command (SHOW POOLS, SHOW SERVERS...). */
  show(what: string): Promise<Array<Record<string, string>>>;
  stop(): Promise<void>;
}

/** Where the Debian package puts it; `.ci/run` installs the package when missing. */
export const PGBOUNCER_BIN = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';

export const pgBouncerInstalled = () => fs.existsSync(PGBOUNCER_BIN);

/**
 * A real PgBouncer (1.18 from Debian) in transaction pooling in front of `serverUrl`'s server,
 * on a free port, with at most `poolSize` server connections per database. Clients authenticate
 * by the user list (trust); PgBouncer logs in to the server with the URL's password.
 */
export async function startPgBouncer(serverUrl: string, options: { poolSize: number; maxClients?: number }): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-pgbouncer-'));
  fs.chmodSync(dir, 0o777);
  const ini = path.join(dir, 'pgbouncer.ini');
  const users = path.join(dir, 'userlist.txt');
  fs.writeFileSync(users, `"${user}" "${password}"\n`);
  fs.writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${users}`,
      `admin_users = ${user}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize}`,
      `max_db_connections = ${options.poolSize}`,
      'reserve_pool_size = 0',
      `max_client_conn = ${options.maxClients ?? 2000}`,
      'server_reset_query =',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  for (const file of [ini, users]) fs.chmodSync(file, 0o644);
  // PgBouncer refuses to run as root: as root it drops to the postgres user (the embedded server's).
  const args = process.getuid?.() === 0 ? ['-u', 'postgres', ini] : [ini];
  const child: ChildProcess = spawn(PGBOUNCER_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await isPortOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = fs.existsSync(path.join(dir, 'pgbouncer.log')) ? fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : '';
      throw new Error(`PgBouncer did not start: ${stderr}\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const urlFor = (database: string) => {
    const url = new URL(serverUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    url.pathname = `/${encodeURIComponent(database)}`;
    return url.toString();
  };
  return {
    port,
    urlFor,
    show: async (what) => {
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: urlFor('pgbouncer') });
      await admin.connect();
      try {
        // The admin console speaks the simple protocol only.
        const result = await admin.query({ text: `SHOW ${what}`, queryMode: 'simple' } as never);
        return (result as unknown as { rows: Array<Record<string, string>> }).rows;
      } finally {
        await admin.end();
      }
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
