import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { percentile } from '../support/benchmarks-file';
import { mapWithConcurrency } from '../../src/platform/concurrency';

export interface LoadFigures {
  requests: number;
  errors: number;
  /** First error message and how many requests had succeeded before it. */
  firstError: { message: string; afterOk: number } | null;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  peakConnections: number;
  peakRssMb: number;
  peakHeapMb: number;
  peakServerMb: number | null;
}

/**
 * Watches the bench's PostgreSQL while work runs: client connections (pg_stat_activity, every
 * 25 ms), this process's RSS and heap, and the server processes' proportional memory (PSS).
 */
export class ServerProbe {
  constructor(
    private readonly url: string,
    private readonly dataDir: string,
  ) {}

  async watch<T>(work: () => Promise<T>): Promise<{ result: T; peakConnections: number; peakRssMb: number; peakHeapMb: number; peakServerMb: number | null }> {
    const client = new Client({ connectionString: this.url, application_name: 'bench-probe' });
    await client.connect();
    let peakConnections = 0;
    let peakRss = 0;
    let peakHeap = 0;
    let peakServer: number | null = null;
    let running = true;
    const sampleMemory = () => {
      const memory = process.memoryUsage();
      peakRss = Math.max(peakRss, memory.rss);
      peakHeap = Math.max(peakHeap, memory.heapUsed);
    };
    const poller = (async () => {
      let round = 0;
      while (running) {
        const { rows } = await client.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        );
        peakConnections = Math.max(peakConnections, rows[0].n);
        sampleMemory();
        if (round++ % 40 === 0) {
          const server = this.serverPssMb();
          if (server !== null) peakServer = Math.max(peakServer ?? 0, server);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    try {
      const result = await work();
      return { result, peakConnections, peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap), peakServerMb: peakServer === null ? null : Math.round(peakServer) };
    } finally {
      running = false;
      await poller;
      await client.end();
    }
  }

  /** Sum of PSS of the postmaster and its children (Linux only; null elsewhere). */
  serverPssMb(): number | null {
    try {
      const pid = Number(fs.readFileSync(path.join(this.dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
      let kb = pssKb(pid);
      for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          if (ppid === pid) kb += pssKb(Number(entry));
        } catch {
          // the process ended meanwhile
        }
      }
      return kb / 1024;
    } catch {
      return null;
    }
  }
}

function pssKb(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/**
 * Closed-loop load: `requests` requests, request i going to tenant i mod n (round robin: the
 * worst case for a cache of pools), `concurrency` in flight.
 */
export async function runTenantLoad(
  probe: ServerProbe,
  options: { tenants: string[]; requests: number; concurrency: number; work: (tenantId: string) => Promise<unknown> },
): Promise<LoadFigures> {
  const latencies: number[] = [];
  let errors = 0;
  let ok = 0;
  let firstError: LoadFigures['firstError'] = null;
  const started = performance.now();
  const watched = await probe.watch(() =>
    mapWithConcurrency(
      Array.from({ length: options.requests }, (_, i) => options.tenants[i % options.tenants.length]),
      options.concurrency,
      async (tenantId) => {
        const begin = performance.now();
        try {
          await options.work(tenantId);
          latencies.push(performance.now() - begin);
          ok += 1;
        } catch (error) {
          errors += 1;
          firstError ??= { message: (error as Error).message, afterOk: ok };
        }
      },
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: options.requests,
    errors,
    firstError,
    p50Ms: round1(percentile(latencies, 50)),
    p99Ms: round1(percentile(latencies, 99)),
    requestsPerSecond: Math.round(options.requests / seconds),
    peakConnections: watched.peakConnections,
    peakRssMb: watched.peakRssMb,
    peakHeapMb: watched.peakHeapMb,
    peakServerMb: watched.peakServerMb,
  };
}

export const round1 = (value: number) => Math.round(value * 10) / 10;

export function summarize(values: number[]): { n: number; p50: number; p95: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, p50: round1(percentile(sorted, 50)), p95: round1(percentile(sorted, 95)), mean: round1(mean) };
}
