// bench:smoke — every bench at a tiny size (BENCH_SMOKE=1), one after the other, to prove each
// still runs; BENCHMARKS.md is left alone. Without DATABASE_URL the benches share an embedded
// PostgreSQL with max_connections = 100, as a fresh machine's server allows. Part of `npm test`
// (test/bench-smoke.test.ts), so no bench rots.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded-postgres';
import { createLogger } from '../../src/platform/logger';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface SmokeBench {
  name: string;
  /** Compiled script, relative to the project root. */
  script: string;
  /** What its output shows when it measured something. */
  figures: RegExp;
}

export const SMOKE_BENCHES: SmokeBench[] = [
  { name: 'tenancy', script: 'dist/bench/tenancy/tenancy-bench.js', figures: /\| database mode, ours \| \d+ \| \d+ \| 0 \|/ },
  { name: 'tenancy-provisioning', script: 'dist/bench/tenancy/schema-provisioning-bench.js', figures: /\| ours: [^|]+\| \d+ \| [\d.]+ \|/ },
  { name: 'graphql', script: 'dist/bench/graphql/inbox-bench.js', figures: /ours \/ raw pg = \d+%/ },
  { name: 'realtime', script: 'dist/bench/realtime/realtime-bench.js', figures: /\| Postgres LISTEN\/NOTIFY \| \d+/ },
  { name: 'webhooks', script: 'dist/bench/realtime/webhook-ingest-bench.js', figures: /ours, 2 instances: \d+ webhooks\/s/ },
  { name: 'campaigns', script: 'dist/bench/campaigns/campaign-bench.js', figures: /ours \/ raw pg = \d+%/ },
];

export interface SmokeResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs one bench in smoke mode against `databaseUrl` (the tenancy bench starts its own server). */
export function runSmokeBench(bench: SmokeBench, databaseUrl: string, timeoutMs = 120_000): Promise<SmokeResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, bench.script)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: databaseUrl, BENCH_SMOKE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

async function main(): Promise<number> {
  let databaseUrl = process.env.DATABASE_URL;
  let stop: (() => Promise<void>) | null = null;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(ROOT, '.data', 'bench-smoke'),
      port: Number(process.env.BENCH_SMOKE_PG_PORT ?? 54339),
      log: createLogger('warn'),
      maxConnections: 100,
    });
    databaseUrl = embedded.url;
    stop = embedded.stop;
  }
  let failed = 0;
  try {
    for (const bench of SMOKE_BENCHES) {
      const result = await runSmokeBench(bench, databaseUrl);
      const ok = result.code === 0 && bench.figures.test(result.stdout);
      if (!ok) {
        failed += 1;
        process.stderr.write(`${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}\n`);
      }
      console.log(`bench:${bench.name.padEnd(9)} ${ok ? 'ok    ' : 'FAILED'} ${result.seconds.toFixed(1)} s (exit ${result.code})`);
    }
  } finally {
    if (stop) await stop();
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
