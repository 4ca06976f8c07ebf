// Runs the test suite: starts the embedded PostgreSQL when DATABASE_URL is not set, then node's
// test runner over the compiled test files (tsc emits the decorator metadata type-graphql needs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isPortOpen, startEmbeddedPostgres } from '../src/platform/db/embedded-postgres';
import { createLogger } from '../src/platform/logger';

function findTests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '..', '..');
  const filters = process.argv.slice(2);
  const files = findTests(path.join(root, 'dist', 'test'))
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .sort();
  if (files.length === 0) {
    console.error('No test files matched');
    return 1;
  }
  let stopEmbedded: (() => Promise<void>) | null = null;
  const env = { ...process.env };
  if (!env.DATABASE_URL) {
    const port = Number(env.TEST_PG_PORT ?? 54330);
    if (await isPortOpen(port)) {
      console.error(`Port ${port} is already in use (another test run's PostgreSQL?): set TEST_PG_PORT to a free port, or DATABASE_URL`);
      return 1;
    }
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(root, '.data', 'test'),
      port,
      log: createLogger('warn'),
      maxConnections: 300,
    });
    stopEmbedded = embedded.stop;
    env.DATABASE_URL = embedded.url;
  }
  const concurrency = env.TEST_CONCURRENCY ?? '2';
  // A test file whose tests are done exits even if a library left a timer running, and a test that
  // hangs fails after TEST_TIMEOUT_MS instead of holding the run (and CI) forever.
  const timeout = env.TEST_TIMEOUT_MS ?? '180000';
  const child = spawn(
    process.execPath,
    ['--test', '--test-force-exit', `--test-timeout=${timeout}`, `--test-concurrency=${concurrency}`, ...files],
    { stdio: 'inherit', env, cwd: root },
  );
  const code: number = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
  if (stopEmbedded) await stopEmbedded();
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
