import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMOKE_BENCHES, runSmokeBench } from '../bench/support/bench-smoke';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/platform/db/embedded-postgres';
import { createLogger } from '../src/platform/logger';
import { freePort } from './support/free-port';

/**
 * Issue 11, finding 10: the webhook bench needed more than the 100 connections a fresh machine's
 * PostgreSQL allows, and bench:graphql died at start-up. Every bench runs here at a tiny size
 * (BENCH_SMOKE=1) against a server with max_connections = 100, so none can rot unnoticed.
 */
describe('finding 10: benches that run on a fresh machine (bench:smoke)', () => {
  let server: EmbeddedPostgresHandle;
  let dataDir: string;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-smoke-'));
    fs.chmodSync(dataDir, 0o755); // run as root, the embedded server's postgres user must enter it
    server = await startEmbeddedPostgres({ dataDir, port: await freePort(), log: createLogger('warn'), maxConnections: 100 });
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  for (const bench of SMOKE_BENCHES) {
    test(`bench:${bench.name} runs at smoke size within max_connections 100 and prints its figures`, async (t) => {
      const result = await runSmokeBench(bench, server.url);
      t.diagnostic(`bench:${bench.name} smoke run: ${result.seconds.toFixed(1)} s`);
      assert.equal(result.code, 0, `exit ${result.code}\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
      assert.match(result.stdout, bench.figures);
      assert.match(result.stderr, /smoke run: BENCHMARKS.md left alone/);
    });
  }
});

