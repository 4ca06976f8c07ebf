import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { percentile } from './benchmarks-file';

export interface LoadTarget {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The last successful response body, for checks (e.g. extensions.sqlStatements). */
  sample: string | null;
  /** Every successful request's latency, sorted. */
  latenciesMs: number[];
}

/** Several runs of one target as one: total requests over total time, percentiles over all requests. */
export function combineLoads(runs: LoadResult[]): LoadResult {
  const latenciesMs = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  return {
    requests,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    seconds,
    requestsPerSecond: requests / seconds,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    sample: runs.map((run) => run.sample).find((sample) => sample !== null) ?? null,
    latenciesMs,
  };
}

/**
 * Closed-loop load: `concurrency` clients each send the next POST as soon as the last one is
 * answered, for `seconds`. Runs in a worker thread so the client does not share the event loop
 * of a server in the calling thread.
 */
export function runLoad(target: LoadTarget, options: { concurrency: number; seconds: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { target, ...options } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`load worker exited with ${code}`)));
  });
}

async function workerMain(): Promise<void> {
  const { target, concurrency, seconds } = workerData as { target: LoadTarget; concurrency: number; seconds: number };
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(target.url);
  const latencies: number[] = [];
  let errors = 0;
  let sample: string | null = null;
  const started = performance.now();
  const deadline = started + seconds * 1000;

  const once = () =>
    new Promise<void>((done) => {
      const begin = performance.now();
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', ...target.headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode === 200 && !body.includes('"errors"')) {
              latencies.push(performance.now() - begin);
              sample = body;
            } else {
              errors += 1;
            }
            done();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        done();
      });
      req.end(target.body);
    });

  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const result: LoadResult = {
    requests: latencies.length,
    errors,
    seconds: elapsed,
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    sample,
    latenciesMs: latencies,
  };
  parentPort!.postMessage(result);
}

if (!isMainThread && (workerData as { target?: unknown })?.target) void workerMain();
