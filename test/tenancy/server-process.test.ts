import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { dropDatabasesWithPrefix, startTestApp, testServerUrl, type TestApp } from '../support/test-app';
import { runNodeScript } from '../support/cli-process';
import { GraphQLTestClient } from '../support/graphql-client';
import { withDatabase } from '../../src/platform/db/connection-url';

const MAIN = 'dist/src/main.js';

describe('server process', () => {
  test('bad configuration stops the process with a message naming the variable', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'abc' }, /PORT/],
      [{ TENANCY_MODE: 'bogus' }, /TENANCY_MODE/],
      [{ NODE_ENV: 'production', SECRETS_KEY: 'k'.repeat(40) }, /JWT_SECRET: is required when NODE_ENV=production/],
      [{ DATABASE_URL: 'mysql://localhost/x' }, /DATABASE_URL: must be a postgres/],
      [{ CONNECTION_BUDGET: '3', CONTROL_POOL_SIZE: '5' }, /CONNECTION_BUDGET: must be at least/],
      [{ DATALOADER_BATCHING: 'maybe' }, /DATALOADER_BATCHING/],
    ];
    await Promise.all(
      cases.map(async ([env, expected]) => {
        const result = await runNodeScript(MAIN, [], { ...env, DATA_DIR: os.tmpdir() }, 15_000);
        assert.equal(result.code, 1, JSON.stringify(env));
        assert.match(result.stderr, /Invalid configuration/);
        assert.match(result.stderr, expected);
      }),
    );
    // The CLI reads the same configuration the same way.
    const cli = await runNodeScript('dist/src/cli/list-tenants.js', [], { TENANCY_MODE: 'bogus' }, 15_000);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /TENANCY_MODE/);
  });

  describe('probes', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp();
    });
    after(() => t.stop());

    test('/healthz, /readyz and /metrics', async () => {
      const health = await fetch(`${t.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const ready = await fetch(`${t.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });

      await t.client.signUp();
      const metrics = await fetch(`${t.url}/metrics`);
      assert.equal(metrics.status, 200);
      const text = await metrics.text();
      for (const gauge of [
        'live_data_sources',
        'connection_budget',
        'budget_slots_in_use',
        'connections_open',
        'connections_in_use',
        'active_leases',
        'budget_waits_total',
        'budget_timeouts_total',
        'opened_total',
        'evictions_total',
      ]) {
        assert.match(text, new RegExp(`^crm_tenancy_${gauge} \\d+$`, 'm'), gauge);
      }
      assert.match(text, /^crm_process_resident_memory_bytes \d+/m);
      assert.equal((await fetch(`${t.url}/nope`)).status, 404);
      assert.equal((await fetch(`${t.url}/healthz`, { method: 'POST' })).status, 405);
    });
  });

  test('SIGTERM with an open WebSocket: the socket is closed and the process exits 0 within seconds', async () => {
    const prefix = `t${crypto.randomBytes(5).toString('hex')}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-proc-'));
    const child = spawn(process.execPath, [MAIN], {
      cwd: path.resolve(__dirname, '..', '..', '..'),
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: withDatabase(testServerUrl(), `${prefix}_control`),
        DB_NAME_PREFIX: prefix,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DATA_DIR: dataDir,
        CONNECTION_BUDGET: '20',
        CONTROL_POOL_SIZE: '3',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buffer = '';
        child.stdout.on('data', (chunk) => {
          buffer += chunk;
          for (const line of buffer.split('\n')) {
            if (line.includes('"server ready"')) resolve(JSON.parse(line).url.replace(/\/graphql$/, ''));
          }
        });
        void exited.then(({ code }) => reject(new Error(`server exited with ${code}`)));
        setTimeout(() => reject(new Error('server did not start')), 20_000);
      });
      const client = new GraphQLTestClient(url);
      const user = await client.signUp();

      const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } })));
        socket.on('message', (raw) => (JSON.parse(String(raw)).type === 'connection_ack' ? resolve() : reject(new Error(String(raw)))));
        socket.on('error', reject);
      });

      const signalled = Date.now();
      child.kill('SIGTERM');
      const [closeCode, { code, at }] = await Promise.all([closed, exited]);
      assert.equal(code, 0);
      assert.ok(at - signalled < 5_000, `exited after ${at - signalled} ms`);
      assert.ok(closeCode >= 1000, `socket closed with ${closeCode}`);
      await assert.rejects(fetch(`${url}/healthz`), 'nothing listens any more');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await dropDatabasesWithPrefix(prefix);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
