// A fleet of graphql-ws subscribers in a child process, so their CPU and memory do not count
// against the server being measured. Reusable by any bench that needs live subscribers:
//
//   const fleet = await SubscriberFleet.start();
//   await fleet.open(`${url}/graphql`, [{ token, query }, ...]);   // one socket per subscriber
//   ... publish events whose payload carries stampSent(text) in some string field ...
//   const { latency } = await fleet.collect();                       // publish → receive, in ms
//   await fleet.close();
import { fork, type ChildProcess } from 'node:child_process';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface FleetSubscriber {
  token: string;
  query: string;
  variables?: Record<string, unknown>;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface FleetCounts {
  connected: number;
  failed: number;
  /** Subscribers that have received at least one result since open(). */
  withData: number;
  received: number;
  errors: number;
  closed: number;
  /** CPU time of the fleet process so far, in ms (user + system). */
  cpuMs: number;
}

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes on one host. */
export const nowMs = () => performance.timeOrigin + performance.now();

const STAMP = /\[sent=(\d+(?:\.\d+)?)\]/;

/** Appends the publish time to a string field of an event; the fleet measures latency from it. */
export const stampSent = (text: string) => `${text} [sent=${nowMs().toFixed(3)}]`;

type Request =
  | { type: 'open'; url: string; subscribers: FleetSubscriber[]; concurrency: number }
  | { type: 'counts' }
  | { type: 'collect' }
  | { type: 'close' };

/** The parent's handle on the child process. */
export class SubscriberFleet {
  private nextId = 0;
  private readonly pending = new Map<number, (value: any) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: { id: number; result: unknown }) => {
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
    });
  }

  static async start(): Promise<SubscriberFleet> {
    const child = fork(__filename, ['--fleet-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    return new SubscriberFleet(child);
  }

  /** Opens one socket and one subscription per subscriber; resolves once every socket is acknowledged (or failed). */
  open(url: string, subscribers: FleetSubscriber[], concurrency = 200): Promise<{ connected: number; failed: number }> {
    return this.request({ type: 'open', url, subscribers, concurrency });
  }

  counts(): Promise<FleetCounts> {
    return this.request({ type: 'counts' });
  }

  /** Latencies of stamped results since the last collect(), then forgets them. */
  collect(): Promise<{ latency: LatencySummary; stamped: number }> {
    return this.request({ type: 'collect' });
  }

  async close(): Promise<void> {
    if (!this.child.connected) return;
    await this.request({ type: 'close' });
    await new Promise((resolve) => (this.child.exitCode !== null ? resolve(null) : this.child.once('exit', resolve)));
  }

  private request<T>(request: Request): Promise<T> {
    const id = (this.nextId += 1);
    return new Promise<T>((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, request });
    });
  }
}

/** Finds the publish stamp in any string of a result. */
function findStamp(value: unknown): number | null {
  if (typeof value === 'string') {
    const match = STAMP.exec(value);
    return match ? Number(match[1]) : null;
  }
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) {
      const found = findStamp(item);
      if (found !== null) return found;
    }
  }
  return null;
}

function summarize(values: Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

function runChild(): void {
  const clients: Client[] = [];
  let perSubscriber = new Uint32Array(0);
  let latencies = new Float64Array(1 << 16);
  let latencyCount = 0;
  const counts = { connected: 0, failed: 0, errors: 0, closed: 0, received: 0 };

  const record = (latency: number) => {
    if (latencyCount === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[latencyCount++] = latency;
  };

  async function open(url: string, subscribers: FleetSubscriber[], concurrency: number) {
    const offset = perSubscriber.length;
    const grown = new Uint32Array(offset + subscribers.length);
    grown.set(perSubscriber);
    perSubscriber = grown;
    let next = 0;
    const openOne = (subscriber: FleetSubscriber, index: number) =>
      new Promise<void>((resolve) => {
        const client = createClient({
          url,
          webSocketImpl: WebSocket,
          lazy: true,
          retryAttempts: 0,
          keepAlive: 0,
          connectionParams: { authorization: `Bearer ${subscriber.token}` },
          on: {
            connected: () => {
              counts.connected += 1;
              resolve();
            },
            closed: () => {
              counts.closed += 1;
              resolve();
            },
          },
        });
        clients.push(client);
        client.subscribe(
          { query: subscriber.query, variables: subscriber.variables },
          {
            next: (result) => {
              const receivedAt = nowMs();
              perSubscriber[index] += 1;
              counts.received += 1;
              if (result.errors) counts.errors += 1;
              const sent = findStamp(result.data);
              if (sent !== null) record(receivedAt - sent);
            },
            error: () => {
              counts.errors += 1;
              resolve();
            },
            complete: () => undefined,
          },
        );
      });
    const worker = async () => {
      while (next < subscribers.length) {
        const index = next++;
        await openOne(subscribers[index], offset + index);
      }
    };
    const before = counts.connected;
    await Promise.all(Array.from({ length: Math.min(concurrency, subscribers.length) }, worker));
    const connected = counts.connected - before;
    counts.failed += subscribers.length - connected;
    return { connected, failed: subscribers.length - connected };
  }

  process.on('message', async ({ id, request }: { id: number; request: Request }) => {
    let result: unknown;
    switch (request.type) {
      case 'open':
        result = await open(request.url, request.subscribers, request.concurrency);
        break;
      case 'counts':
        {
          const cpu = process.cpuUsage();
          result = { ...counts, withData: perSubscriber.filter((n) => n > 0).length, cpuMs: (cpu.user + cpu.system) / 1_000 };
        }
        break;
      case 'collect':
        result = { latency: summarize(latencies.subarray(0, latencyCount)), stamped: latencyCount };
        latencyCount = 0;
        break;
      case 'close':
        await Promise.all(clients.map((client) => client.dispose()));
        result = true;
        break;
    }
    process.send!({ id, result }, () => {
      if (request.type === 'close') process.exit(0);
    });
  });
}

if (process.argv.includes('--fleet-child')) runChild();
