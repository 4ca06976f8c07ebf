// bench:realtime — live subscriptions over graphql-ws, side by side in one run:
//   (a) delivery latency, publish → subscriber's socket, with BENCH_SUBSCRIBERS (1,000) subscribers
//       over BENCH_TENANTS (50) tenants while BENCH_RATES (250, 500, 1,000) events/s are published for
//       BENCH_SECONDS (10) s through platform.events.publish (the webhook's path after commit),
//       on instance 1 while the subscribers are connected to instance 2: Postgres NOTIFY bus, then Redis;
//   (b) server memory per idle subscription with BENCH_IDLE_SOCKETS (10,000) sockets.
// The subscribers live in a child process (subscriber-fleet.ts). Postgres: DATABASE_URL or the
// local server at 127.0.0.1:5432, whose max_connections sizes the two instances' connection budgets;
// Redis: BENCH_REDIS_URL or redis://127.0.0.1:6379. BENCH_SMOKE=1 runs everything at a tiny size
// (and the Postgres bus only, unless BENCH_BUSES says otherwise).
import 'reflect-metadata';
import crypto from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startTestApp, type TestApp } from '../../test/support/test-app';
import { inboundMessage } from '../../test/support/live-subscription';
import { messageReceivedEvent } from '../../src/modules/inbox/inbox-events';
import { benchKnob, SMOKE, markdownTable, writeBenchmarkSection } from '../support/benchmarks-file';
import { assertRoom, connectionRoom } from '../support/connection-room';
import { SubscriberFleet, nowMs, stampSent, type FleetSubscriber, type LatencySummary } from './subscriber-fleet';

const SUBSCRIBERS = benchKnob('BENCH_SUBSCRIBERS', 1_000, 20);
const TENANTS = benchKnob('BENCH_TENANTS', 50, 2);
/** Events per second; BENCH_RATES=250,500,1000 runs each in turn on the same subscribers. */
const RATES = (process.env.BENCH_RATES ?? process.env.BENCH_RATE ?? (SMOKE ? '50' : '250,500,1000')).split(',').map(Number);
const SECONDS = benchKnob('BENCH_SECONDS', 10, 1);
const IDLE_SOCKETS = benchKnob('BENCH_IDLE_SOCKETS', 10_000, 20);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
// BENCH_BUSES=postgres,redis (default) or one of them.

/** What an inbox list holds open: every new message of the tenant, with the fields a row shows. */
const INBOX_SUBSCRIPTION = `subscription {
  messageReceived { id conversationId direction fromAddress toAddress body type status providerTimestamp createdAt }
}`;

const ENV = {
  LOG_LEVEL: 'warn',
  EXPOSE_SQL_COUNT: 'false',
  /** Sized in main() to the server's max_connections: two instances run at once. */
  CONNECTION_BUDGET: '60',
  CONTROL_POOL_SIZE: '5',
  JOBS_POOL_SIZE: '3',
  TENANT_POOL_SIZE: '1',
  // A bench signs up many tenants from one address and drives them hard: abuse limits off.
  SIGNUP_RATE_LIMIT: '0',
  TENANT_RATE_LIMIT: '0',
};
const INSTANCES = 2;
/** An instance's smallest budget: control, job queue and LISTEN connections and one tenant pool. */
const MIN_BUDGET = 5 + 3 + 1 + 1;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two at a time: signUp holds a control transaction while provisioning takes more control
 * connections, so as many concurrent sign-ups as CONTROL_POOL_SIZE would starve the pool.
 */
async function signUpTenants(app: TestApp, count: number) {
  const tenants: Array<{ tenantId: string; token: string }> = [];
  for (let i = 0; i < count; i += 2) {
    tenants.push(...(await Promise.all(Array.from({ length: Math.min(2, count - i) }, () => app.client.signUp()))));
  }
  return tenants;
}

/** BENCH_PROFILE=dir writes a CPU profile of each measured window there (for finding where the time goes). */
async function startProfiler() {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return null;
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    stop: async (name: string) => {
      const { profile } = await post('Profiler.stop');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface LatencyRun {
  bus: string;
  /** Events published per second. */
  rate: number;
  latency: LatencySummary;
  published: number;
  expected: number;
  delivered: number;
  serverCpu: number;
  fleetCpu: number;
  /** Server CPU (both instances) per delivered result, in µs. */
  cpuUsPerDelivery: number;
  /** The machine's 1-minute load average when the run ended: other processes share the cores. */
  loadAverage: number;
}

async function latencyRuns(bus: 'postgres' | 'redis'): Promise<LatencyRun[]> {
  const env = { ...ENV, ...(bus === 'redis' ? { REDIS_URL } : {}) };
  const publisher = await startTestApp(env);
  const server = await startTestApp(env, { join: publisher });
  const fleet = await SubscriberFleet.start();
  try {
    const tenants = await signUpTenants(publisher, TENANTS);
    const subscribers: FleetSubscriber[] = Array.from({ length: SUBSCRIBERS }, (_, i) => ({
      token: tenants[i % TENANTS].token,
      query: INBOX_SUBSCRIPTION,
    }));
    const opened = await fleet.open(`${server.url.replace(/^http/, 'ws')}/graphql`, subscribers);
    if (opened.failed > 0) throw new Error(`${opened.failed} subscribers could not connect`);
    await waitFor(() => server.app.platform.events.subscriberCount === SUBSCRIBERS, 'every subscription to be live on the server', 30_000);
    const { events } = publisher.app.platform;
    const conversations = tenants.map(() => Array.from({ length: 20 }, () => crypto.randomUUID()));
    let sequence = 0;
    const publishOne = () => {
      const tenant = sequence % TENANTS;
      const message = inboundMessage({
        conversationId: conversations[tenant][Math.floor(sequence / TENANTS) % 20],
        body: stampSent(`Hi! Could you tell me whether order #${100_000 + sequence} has shipped? I paid on Monday.`),
      });
      sequence += 1;
      // Built from the committed row and published, exactly as the webhook does after commit.
      void events.publish(messageReceivedEvent(tenants[tenant].tenantId, message));
    };
    // Warm-up: until every subscriber has had an event (covers the broker's subscribe too).
    await waitFor(async () => {
      for (let i = 0; i < TENANTS; i += 1) publishOne();
      return (await fleet.counts()).withData === SUBSCRIBERS;
    }, 'every subscriber to receive a warm-up event', 30_000);

    const runs: LatencyRun[] = [];
    for (const rate of RATES) {
      await settle(fleet);
      await fleet.collect();
      const { received: receivedBefore, cpuMs: fleetCpuBefore } = await fleet.counts();
      const profiler = await startProfiler();
      const cpuBefore = process.cpuUsage();
      const started = nowMs();
      let published = 0;
      while (nowMs() - started < SECONDS * 1_000) {
        const due = Math.floor(((nowMs() - started) * rate) / 1_000);
        for (; published < due; published += 1) publishOne();
        await sleep(1);
      }
      const elapsed = nowMs() - started;
      const expected = (published * SUBSCRIBERS) / TENANTS;
      await waitFor(async () => (await fleet.counts()).received - receivedBefore >= expected, 'the last deliveries', 15_000).catch(() => undefined);
      const cpu = process.cpuUsage(cpuBefore);
      await profiler?.stop(`${bus}-${rate}`);
      const after = await fleet.counts();
      const delivered = after.received - receivedBefore;
      const { latency } = await fleet.collect();
      const run: LatencyRun = {
        bus,
        rate,
        latency,
        published,
        expected,
        delivered,
        serverCpu: (cpu.user + cpu.system) / 1_000 / elapsed,
        fleetCpu: (after.cpuMs - fleetCpuBefore) / elapsed,
        cpuUsPerDelivery: (cpu.user + cpu.system) / delivered || 0,
        loadAverage: os.loadavg()[0],
      };
      console.log(JSON.stringify(run));
      runs.push(run);
    }
    return runs;
  } finally {
    await fleet.close();
    await server.stop();
    await publisher.stop();
  }
}

/** Waits until nothing more arrives for a while: the previous run's backlog must not count. */
async function settle(fleet: SubscriberFleet) {
  let last = -1;
  for (;;) {
    const { received } = await fleet.counts();
    if (received === last) return;
    last = received;
    await sleep(500);
  }
}

interface MemoryRun {
  sockets: number;
  rssPerSubscription: number;
  heapPerSubscription: number;
  seconds: number;
}

async function memoryRun(): Promise<MemoryRun> {
  const app = await startTestApp(ENV);
  const fleet = await SubscriberFleet.start();
  try {
    const tenants = await signUpTenants(app, TENANTS);
    // Warm the code paths (first sockets, JIT, schema caches) before the baseline.
    const warm = await fleet.open(`${app.url.replace(/^http/, 'ws')}/graphql`, tenants.map((t) => ({ token: t.token, query: INBOX_SUBSCRIPTION })));
    if (warm.failed > 0) throw new Error('warm-up sockets failed');
    await waitFor(() => app.app.platform.events.subscriberCount === TENANTS, 'warm-up subscriptions', 10_000);
    gc();
    await sleep(200);
    gc();
    const before = process.memoryUsage();
    const started = Date.now();
    const subscribers = Array.from({ length: IDLE_SOCKETS }, (_, i) => ({ token: tenants[i % TENANTS].token, query: INBOX_SUBSCRIPTION }));
    const opened = await fleet.open(`${app.url.replace(/^http/, 'ws')}/graphql`, subscribers, 100);
    if (opened.failed > 0) throw new Error(`${opened.failed} idle sockets could not connect (ulimit -n?)`);
    await waitFor(() => app.app.platform.events.subscriberCount === TENANTS + IDLE_SOCKETS, 'every idle subscription to be live', 60_000);
    const seconds = (Date.now() - started) / 1_000;
    await sleep(1_000);
    gc();
    await sleep(200);
    gc();
    const after = process.memoryUsage();
    return {
      sockets: IDLE_SOCKETS,
      rssPerSubscription: (after.rss - before.rss) / IDLE_SOCKETS,
      heapPerSubscription: (after.heapUsed - before.heapUsed) / IDLE_SOCKETS,
      seconds,
    };
  } finally {
    await fleet.close();
    await app.stop();
  }
}

/** The server's cost per delivered result, and what it means for one core. */
function cpuNote(runs: LatencyRun[]): string {
  const costs = runs.map((run) => run.cpuUsPerDelivery).filter((us) => us > 0).sort((a, b) => a - b);
  if (costs.length === 0) return 'not measured';
  const median = costs[Math.floor(costs.length / 2)];
  return `is ${costs[0].toFixed(0)}-${costs[costs.length - 1].toFixed(0)} µs (median ${median.toFixed(0)} µs, most of it the socket write), so one core delivers about ${Math.round(1e6 / median / 1000)}k results/s; ${SUBSCRIBERS} subscribers at 1,000 events/s over ${TENANTS} tenants are ${Math.round((1000 * SUBSCRIBERS) / TENANTS / 1000)}k results/s`;
}

async function main() {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const { room, maxConnections } = await connectionRoom(process.env.DATABASE_URL);
  assertRoom('bench:realtime', room, INSTANCES * MIN_BUDGET, maxConnections);
  ENV.CONNECTION_BUDGET = String(Math.min(60, Math.floor(room / INSTANCES)));
  const fmt = (ms: number) => ms.toFixed(2);
  const runs: LatencyRun[] = [];
  const buses = (process.env.BENCH_BUSES ?? (SMOKE ? 'postgres' : 'postgres,redis')).split(',').filter(Boolean) as Array<'postgres' | 'redis'>;
  for (const bus of buses) runs.push(...(await latencyRuns(bus)));
  const memory = await memoryRun();
  console.log(JSON.stringify({ memory }));

  const latencyTable = markdownTable(
    runs.map((run) => ({
      bus: run.bus === 'postgres' ? 'Postgres LISTEN/NOTIFY' : 'Redis pub/sub',
      'events/s (asked)': `${Math.round(run.published / SECONDS)} (${run.rate})`,
      'deliveries/s': Math.round(run.expected / SECONDS),
      delivered: `${run.delivered} / ${run.expected}`,
      'p50 ms': fmt(run.latency.p50),
      'p90 ms': fmt(run.latency.p90),
      'p99 ms': fmt(run.latency.p99),
      'max ms': fmt(run.latency.max),
      'server CPU': `${Math.round(run.serverCpu * 100)}%`,
      'subscribers CPU': `${Math.round(run.fleetCpu * 100)}%`,
      'server CPU µs / delivery': run.cpuUsPerDelivery.toFixed(1),
      'load avg': run.loadAverage.toFixed(1),
      'p99 < 50 ms': run.latency.p99 < 50 ? 'yes' : 'NO',
    })),
  );
  const memoryTable = markdownTable([
    {
      'idle subscriptions (1 socket each)': memory.sockets,
      'RSS per subscription': `${(memory.rssPerSubscription / 1024).toFixed(1)} KB`,
      'heap per subscription': `${(memory.heapPerSubscription / 1024).toFixed(1)} KB`,
      'time to open all': `${memory.seconds.toFixed(1)} s`,
      '< 50 KB': memory.rssPerSubscription < 50 * 1024 ? 'yes' : 'NO',
    },
  ]);
  const markdown = `## realtime-subscriptions

(a) Publish → subscriber latency: ${SUBSCRIBERS} graphql-ws subscribers (one socket each) across ${TENANTS} tenants, each holding
\`messageReceived\` (10 fields); ${RATES.join(', ')} events/s (one after the other) for ${SECONDS} s each, published with \`services.events.publish(messageReceivedEvent(...))\`
(the webhook's path after commit) on instance 1, subscribers connected to instance 2 (both instances in the bench process,
the subscribers in a child process), so every event crosses the broker. Each event goes to the ${SUBSCRIBERS / TENANTS} subscribers of
its tenant; subscribers of a tenant running the same operation share one execution per event (fresh per-event context).
Latency = publish call → result parsed by the subscriber. Server CPU covers both instances; "load avg" is the machine's
1-minute load average at the end of the run (2 cores shared with other work: above ~2, every process waits for a core).

${latencyTable}

Server CPU per delivery ${cpuNote(runs)}.

(b) Server memory per idle subscription: ${memory.sockets} sockets, each authenticated with one \`messageReceived\` subscription,
opened from a child process; RSS and heap (after GC) of the server process, delta / ${memory.sockets}.

${memoryTable}

\`npm run bench:realtime\` (knobs: BENCH_SUBSCRIBERS, BENCH_TENANTS, BENCH_RATES, BENCH_SECONDS, BENCH_BUSES, BENCH_PROFILE, BENCH_IDLE_SOCKETS, BENCH_REDIS_URL).`;
  writeBenchmarkSection('realtime-subscriptions', markdown);
  console.log(markdown);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
