import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Issue 11, finding 11: run as root from a folder inside a private directory the server died
 * with `spawn initdb EACCES` and a stack trace; with the embedded port taken it printed
 * `undefined`. Now the first works, and the second is one line that says what to do.
 */
describe('finding 11: clear start-up errors', () => {
  const cleanup: Array<() => void> = [];
  after(() => {
    for (const clean of cleanup) clean();
  });

  test('a taken embedded PostgreSQL port: one line naming EMBEDDED_PG_PORT, no stack', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as net.AddressInfo).port;
      const result = await runServer(path.join(ROOT, 'dist/src/main.js'), ROOT, { EMBEDDED_PG_PORT: String(port), DATA_DIR: privateDir(cleanup, false) });
      assert.equal(result.code, 1);
      assertOneLine(result.stderr);
      assert.match(result.stderr, new RegExp(`Port ${port} .*in use.*set EMBEDDED_PG_PORT`));
    } finally {
      blocker.close();
    }
  });

  test('run as root from a project inside a private (0700) folder: the server starts (programs and data staged where the postgres user reaches them)', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root: the embedded PostgreSQL runs as the postgres user only when started as root');
      return;
    }
    // A copy of the built project (hard links: instant, no space) inside a private folder.
    const project = path.join(privateDir(cleanup, true), 'app');
    fs.mkdirSync(project);
    for (const folder of ['dist', 'node_modules']) {
      await run('cp', ['-al', path.join(ROOT, folder), path.join(project, folder)]);
    }
    const result = await runServer(path.join(project, 'dist/src/main.js'), project, { EMBEDDED_PG_PORT: String(await freePort()) }, { untilReady: true });
    assert.equal(result.ready, true, `the server came up:\n${result.stderr}`);
    assert.doesNotMatch(result.stderr, /EACCES/);
    removeSharedDataDir(result.stdout);
  });

  test('run as root with DATA_DIR inside a private (0700) folder: the server starts, its database kept where the postgres user reaches it', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root: the embedded PostgreSQL runs as the postgres user only when started as root');
      return;
    }
    const dataDir = path.join(privateDir(cleanup, true), 'data');
    const result = await runServer(path.join(ROOT, 'dist/src/main.js'), ROOT, { EMBEDDED_PG_PORT: String(await freePort()), DATA_DIR: dataDir }, { untilReady: true });
    assert.equal(result.ready, true, `the server came up:\n${result.stderr}`);
    assert.ok(fs.readdirSync(dataDir).length > 0, 'the app itself still keeps its files in DATA_DIR');
    assert.ok(removeSharedDataDir(result.stdout), 'the server says where its database went');
  });
});

/** The shared folder a private DATA_DIR's database went to (the server logs it), removed. */
function removeSharedDataDir(stdout: string): string | undefined {
  const shared = /"embeddedDataDir":"([^"]+)"/.exec(stdout)?.[1];
  if (shared) fs.rmSync(shared, { recursive: true, force: true });
  return shared;
}

function privateDir(cleanup: Array<() => void>, locked: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-private-'));
  fs.chmodSync(dir, locked ? 0o700 : 0o755);
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function assertOneLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, no stack trace:\n${stderr}`);
  assert.notEqual(lines[0], 'undefined');
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/**
 * Starts the server with the embedded PostgreSQL (no DATABASE_URL) and waits for it to exit, or
 * (`untilReady`) for its 'server ready' line, then stops it (SIGTERM stops its PostgreSQL too).
 */
function runServer(
  main: string,
  cwd: string,
  env: Record<string, string>,
  options: { untilReady?: boolean } = {},
): Promise<{ code: number | null; stderr: string; stdout: string; ready: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], {
      cwd,
      env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: options.untilReady ? 'info' : 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let ready = false;
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (options.untilReady && !ready && chunk.toString().includes('"server ready"')) {
        ready = true;
        child.kill('SIGTERM');
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server neither started nor stopped within 120 s:\n${stderr}`));
    }, 120_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout, ready });
    });
  });
}
