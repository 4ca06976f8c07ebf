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
import { BareWsServer } from './bare-ws-server';
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
  /** Ours (with its bus) or the bare ws baseline. */
  target: string;
  bus: string;
  /** Events published per second ('saturation': as fast as asked, BENCH_SATURATION_RATE). */
  rate: number;
  kind: 'rate' | 'saturation' | 'burst';
  latency: LatencySummary;
  published: number;
  expected: number;
  delivered: number;
  /** How long publishing took, in s. */
  publishSeconds: number;
  /** Deliveries per second from the first publish to the last delivery. */
  deliveriesPerSecond: number;
  /** Sockets closed by the server during the run (healthy subscribers: must be 0). */
  dropped: number;
  serverCpu: number;
  fleetCpu: number;
  /** Server CPU (both instances) per delivered result, in µs. */
  cpuUsPerDelivery: number;
  /** The machine's 1-minute load average when the run ended: other processes share the cores. */
  loadAverage: number;
}

const SATURATION_RATE = benchKnob('BENCH_SATURATION_RATE', 5_000, 400);
const BURST_EVENTS = benchKnob('BENCH_BURST_EVENTS', 1_000, 50);
const BURST_RATE = benchKnob('BENCH_BURST_RATE', 500, 100);
/** Subscribers of the burst's tenant holding the inbox selection with its relations. */
const BURST_SUBSCRIBERS = benchKnob('BENCH_BURST_SUBSCRIBERS', 20, 4);

/** What an open inbox holds (scripts/watch-inbox.js): message, conversation, contact, last message. */
const INBOX_WITH_RELATIONS = `subscription {
  messageReceived {
    id direction body fromAddress createdAt
    conversation { id unreadCount lastMessage { id body } contact { name phone } }
  }
}`;
const MESSAGE_FIELDS = ['id', 'conversationId', 'direction', 'fromAddress', 'toAddress', 'body', 'type', 'status', 'providerTimestamp', 'createdAt'] as const;

/**
 * Publishes `rate` events/s for SECONDS (or `count` events at `rate`), then waits for the last
 * deliveries. `perEvent` subscribers get each event.
 */
async function measure(
  fleet: SubscriberFleet,
  options: { target: string; bus: string; kind: LatencyRun['kind']; rate: number; publishOne: () => void; perEvent: number; count?: number },
): Promise<LatencyRun> {
  const { rate, publishOne, perEvent } = options;
  await settle(fleet);
  await fleet.collect();
  const { received: receivedBefore, cpuMs: fleetCpuBefore, closed: closedBefore } = await fleet.counts();
  const profiler = await startProfiler();
  const cpuBefore = process.cpuUsage();
  const started = nowMs();
  let published = 0;
  const total = options.count ?? Infinity;
  while (published < total && nowMs() - started < (options.count ? 60_000 : SECONDS * 1_000)) {
    const due = Math.min(total, Math.floor(((nowMs() - started) * rate) / 1_000));
    for (; published < due; published += 1) publishOne();
    await sleep(1);
  }
  const elapsed = nowMs() - started;
  const expected = published * perEvent;
  // The last deliveries: until all arrived, or nothing more came for 3 s (or 20 s passed).
  let last = -1;
  let lastProgressAt = nowMs();
  let after = await fleet.counts();
  const drainMs = options.kind === 'saturation' ? 5_000 : 20_000;
  while (after.received - receivedBefore < expected && nowMs() - lastProgressAt < 3_000 && nowMs() - started < elapsed + drainMs) {
    if (after.received !== last) {
      last = after.received;
      lastProgressAt = nowMs();
    }
    await sleep(20);
    after = await fleet.counts();
  }
  const finishedAt = after.received - receivedBefore >= expected ? nowMs() : lastProgressAt;
  const cpu = process.cpuUsage(cpuBefore);
  await profiler?.stop(`${options.target}-${options.bus}-${options.kind}-${rate}`);
  const delivered = after.received - receivedBefore;
  const { latency } = await fleet.collect();
  const run: LatencyRun = {
    target: options.target,
    bus: options.bus,
    kind: options.kind,
    rate,
    latency,
    published,
    expected,
    delivered,
    publishSeconds: elapsed / 1_000,
    deliveriesPerSecond: (delivered * 1_000) / (finishedAt - started),
    dropped: after.closed - closedBefore,
    serverCpu: (cpu.user + cpu.system) / 1_000 / elapsed,
    fleetCpu: (after.cpuMs - fleetCpuBefore) / elapsed,
    cpuUsPerDelivery: (cpu.user + cpu.system) / delivered || 0,
    loadAverage: os.loadavg()[0],
  };
  console.log(JSON.stringify(run));
  return run;
}

/** The message a webhook would publish, as the result data the bench's subscription selects. */
function plainResult(payload: Record<string, unknown>) {
  return { messageReceived: Object.fromEntries(MESSAGE_FIELDS.map((field) => [field, payload[field] ?? null])) };
}

/**
 * Ours (two instances, `bus` between them) and, when `bare` is set, the bare ws baseline after
 * it on a fresh fleet: the same subscribers (same tokens, one socket each), the same rates.
 */
async function latencyRuns(bus: 'postgres' | 'redis', bare: boolean): Promise<LatencyRun[]> {
  const env = { ...ENV, ...(bus === 'redis' ? { REDIS_URL } : {}) };
  const publisher = await startTestApp(env);
  const server = await startTestApp(env, { join: publisher });
  let fleet = await SubscriberFleet.start();
  const runs: LatencyRun[] = [];
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
    /** The next event, round robin over the tenants; `send` hands it to the target. */
    const nextEvent = (send: (tenantIndex: number, event: ReturnType<typeof messageReceivedEvent>) => void) => () => {
      const tenant = sequence % TENANTS;
      const message = inboundMessage({
        conversationId: conversations[tenant][Math.floor(sequence / TENANTS) % 20],
        body: stampSent(`Hi! Could you tell me whether order #${100_000 + sequence} has shipped? I paid on Monday.`),
      });
      sequence += 1;
      send(tenant, messageReceivedEvent(tenants[tenant].tenantId, message));
    };
    // Built from the committed row and published, exactly as the webhook does after commit.
    const publishOurs = nextEvent((_, event) => void events.publish(event));
    // Warm-up: until every subscriber has had an event (covers the broker's subscribe too).
    await waitFor(async () => {
      for (let i = 0; i < TENANTS; i += 1) publishOurs();
      return (await fleet.counts()).withData === SUBSCRIBERS;
    }, 'every subscriber to receive a warm-up event', 30_000);
    const perEvent = SUBSCRIBERS / TENANTS;
    const busName = bus === 'postgres' ? 'Postgres LISTEN/NOTIFY' : 'Redis pub/sub';
    for (const rate of RATES) runs.push(await measure(fleet, { target: 'ours', bus: busName, kind: 'rate', rate, publishOne: publishOurs, perEvent }));

    // The burst: one tenant's inboxes hold the selection with relations, resolved from its database.
    const burstTenant = tenants[0];
    const channel = (
      await publisher.client.data(`mutation { connectWhatsApp(input: { provider: SANDBOX, name: "Bench" }) { id } }`, undefined, burstTenant.token)
    ).connectWhatsApp;
    const seeded = (
      await publisher.client.data(
        `mutation ($input: SimulateInboundMessageInput!) { simulateInboundMessage(input: $input) { id conversationId } }`,
        { input: { sessionId: channel.id, from: '+44 7911 123456', body: 'Hello', fromName: 'Burst Customer' } },
        burstTenant.token,
      )
    ).simulateInboundMessage;
    const conversation = (
      await publisher.client.data(
        `query ($id: ID!) { conversation(id: $id) { id unreadCount lastMessage { id body } contact { name phone } } }`,
        { id: seeded.conversationId },
        burstTenant.token,
      )
    ).conversation;
    const burstEvent = () => {
      const message = inboundMessage({ conversationId: seeded.conversationId, body: stampSent(`Burst message ${sequence} — is my order on its way?`) });
      sequence += 1;
      return messageReceivedEvent(burstTenant.tenantId, message);
    };
    const burstOpened = await fleet.open(
      `${server.url.replace(/^http/, 'ws')}/graphql`,
      Array.from({ length: BURST_SUBSCRIBERS }, () => ({ token: burstTenant.token, query: INBOX_WITH_RELATIONS })),
    );
    if (burstOpened.failed > 0) throw new Error(`${burstOpened.failed} burst subscribers could not connect`);
    await waitFor(() => server.app.platform.events.subscriberCount === SUBSCRIBERS + BURST_SUBSCRIBERS, 'the burst subscriptions', 30_000);
    await waitFor(async () => {
      void events.publish(burstEvent());
      return (await fleet.counts()).withData === SUBSCRIBERS + BURST_SUBSCRIBERS;
    }, 'every burst subscriber to receive a warm-up event', 30_000);
    const burstPerEvent = perEvent + BURST_SUBSCRIBERS;
    runs.push(
      await measure(fleet, {
        target: 'ours', bus: busName, kind: 'burst', rate: BURST_RATE, count: BURST_EVENTS, perEvent: burstPerEvent,
        publishOne: () => void events.publish(burstEvent()),
      }),
    );
    // Last: its backlog is dropped with the fleet instead of waited for.
    runs.push(await measure(fleet, { target: 'ours', bus: busName, kind: 'saturation', rate: SATURATION_RATE, publishOne: publishOurs, perEvent }));
    await fleet.close();

    if (bare) {
      // The baseline: the same tokens, sockets, rates and result JSON, on a bare ws server.
      const tenantOf = new Map(tenants.map((tenant) => [tenant.token, tenant.tenantId]));
      const baseline = await BareWsServer.start((token) => tenantOf.get(token));
      try {
        fleet = await SubscriberFleet.start();
        const bareOpened = await fleet.open(baseline.url, subscribers);
        if (bareOpened.failed > 0) throw new Error(`${bareOpened.failed} subscribers could not connect to the bare server`);
        const tenantIds = tenants.map((tenant) => tenant.tenantId);
        const publishBare = nextEvent((tenant, event) => baseline.publish(tenantIds[tenant], plainResult(event.payload)));
        await waitFor(async () => {
          for (let i = 0; i < TENANTS; i += 1) publishBare();
          return (await fleet.counts()).withData === SUBSCRIBERS;
        }, 'every bare subscriber to receive a warm-up event', 30_000);
        for (const rate of RATES) runs.push(await measure(fleet, { target: 'bare ws', bus: '-', kind: 'rate', rate, publishOne: publishBare, perEvent }));
        const bareBurstOpened = await fleet.open(baseline.url, Array.from({ length: BURST_SUBSCRIBERS }, () => ({ token: burstTenant.token, query: INBOX_WITH_RELATIONS })));
        if (bareBurstOpened.failed > 0) throw new Error('bare burst subscribers could not connect');
        const publishBareBurst = () => {
          const { payload } = burstEvent();
          baseline.publish(burstTenant.tenantId, { messageReceived: { id: payload.id, direction: payload.direction, body: payload.body, fromAddress: payload.fromAddress, createdAt: payload.createdAt, conversation } });
        };
        await waitFor(async () => {
          publishBareBurst();
          return (await fleet.counts()).withData === SUBSCRIBERS + BURST_SUBSCRIBERS;
        }, 'every bare burst subscriber to receive a warm-up event', 30_000);
        runs.push(
          await measure(fleet, { target: 'bare ws', bus: '-', kind: 'burst', rate: BURST_RATE, count: BURST_EVENTS, perEvent: burstPerEvent, publishOne: publishBareBurst }),
        );
        runs.push(await measure(fleet, { target: 'bare ws', bus: '-', kind: 'saturation', rate: SATURATION_RATE, publishOne: publishBare, perEvent }));
        await fleet.close();
      } finally {
        await baseline.close();
      }
    }
    return runs;
  } finally {
    await fleet.close().catch(() => undefined);
    await server.stop();
    await publisher.stop();
  }
}

/** Waits until nothing more arrives for a while: the previous run's backlog must not count. */
async function settle(fleet: SubscriberFleet) {
  let last = -1;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
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
  const costs = runs.filter((run) => run.target === 'ours' && run.kind === 'rate').map((run) => run.cpuUsPerDelivery).filter((us) => us > 0).sort((a, b) => a - b);
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
  for (const [i, bus] of buses.entries()) runs.push(...(await latencyRuns(bus, i === 0)));
  const memory = await memoryRun();
  console.log(JSON.stringify({ memory }));

  const kindLabel = (run: LatencyRun) =>
    run.kind === 'rate' ? `${run.rate}/s` : run.kind === 'saturation' ? `saturation (${run.rate}/s asked)` : `burst: ${run.published} at ${run.rate}/s, with relations`;
  const latencyTable = markdownTable(
    runs.map((run) => ({
      target: run.target,
      bus: run.bus,
      run: kindLabel(run),
      'events/s (sent)': Math.round(run.published / run.publishSeconds),
      'deliveries/s': Math.round(run.deliveriesPerSecond),
      delivered: `${run.delivered} / ${run.expected}`,
      'dropped sockets': run.dropped,
      'p50 ms': fmt(run.latency.p50),
      'p90 ms': fmt(run.latency.p90),
      'p99 ms': fmt(run.latency.p99),
      'max ms': fmt(run.latency.max),
      'server CPU': `${Math.round(run.serverCpu * 100)}%`,
      'subscribers CPU': `${Math.round(run.fleetCpu * 100)}%`,
      'server CPU µs / delivery': run.cpuUsPerDelivery.toFixed(1),
      'load avg': run.loadAverage.toFixed(1),
    })),
  );
  const find = (target: string, kind: LatencyRun['kind'], rate?: number) =>
    runs.find((run) => run.target === target && run.kind === kind && (rate === undefined || run.rate === rate));
  const verdicts: string[] = [];
  const oursAt1000 = find('ours', 'rate', 1000);
  const bareAt1000 = find('bare ws', 'rate', 1000);
  if (oursAt1000 && bareAt1000) {
    const ratio = oursAt1000.latency.p99 / bareAt1000.latency.p99;
    verdicts.push(`p99 at 1,000 events/s: ours ${fmt(oursAt1000.latency.p99)} ms (${oursAt1000.bus}) against bare ws ${fmt(bareAt1000.latency.p99)} ms = ${ratio.toFixed(2)}x (target: within 2x) — ${ratio <= 2 ? 'met' : 'NOT met'}.`);
  }
  const oursSat = find('ours', 'saturation');
  const bareSat = find('bare ws', 'saturation');
  if (oursSat && bareSat) {
    const share = oursSat.deliveriesPerSecond / bareSat.deliveriesPerSecond;
    verdicts.push(`Deliveries/s at saturation: ours ${Math.round(oursSat.deliveriesPerSecond)} against bare ws ${Math.round(bareSat.deliveriesPerSecond)} = ${Math.round(share * 100)}% (target: at least 50%) — ${share >= 0.5 ? 'met' : 'NOT met'}.`);
  }
  for (const burst of runs.filter((run) => run.target === 'ours' && run.kind === 'burst')) {
    const ok = burst.dropped === 0 && burst.delivered === burst.expected;
    verdicts.push(`Burst (${burst.bus}): ${burst.delivered} of ${burst.expected} delivered, ${burst.dropped} subscribers dropped — ${ok ? 'zero healthy subscribers dropped' : 'NOT all delivered'}.`);
  }
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
\`messageReceived\` (10 fields); ${RATES.join(', ')} events/s (one after the other) for ${SECONDS} s each, then as fast as
${SATURATION_RATE}/s is asked (saturation: deliveries/s from the first publish to the last delivery). Ours: published with
\`services.events.publish(messageReceivedEvent(...))\` (the webhook's path after commit) on instance 1, subscribers connected to
instance 2 (both instances in the bench process, the subscribers in a child process), so every event crosses the broker. Each event
goes to the ${SUBSCRIBERS / TENANTS} subscribers of its tenant; subscribers of a tenant running the same operation share one execution per event.
Baseline ("bare ws", after ours, on a fresh subscriber process): a bare \`ws\` server in the bench process sending the same result JSON
(serialized once per event) to the same number of sockets with the same tokens at the same rates: no auth, GraphQL, broker or per-event work.
The burst: ${BURST_EVENTS} events at ${BURST_RATE}/s into one tenant whose ${BURST_SUBSCRIBERS} extra subscribers hold the inbox selection with
relations (\`conversation { unreadCount lastMessage contact }\`, loaded from its database; the bare server sends the same JSON), on top of its
${SUBSCRIBERS / TENANTS} plain subscribers. "Dropped sockets": closed by the server during the run.
Latency = publish call → result parsed by the subscriber. Server CPU covers both instances; "load avg" is the machine's
1-minute load average at the end of the run (2 cores shared with other work: above ~2, every process waits for a core).

${latencyTable}

${verdicts.join('\n')}

Server CPU per delivery ${cpuNote(runs)}.

(b) Server memory per idle subscription: ${memory.sockets} sockets, each authenticated with one \`messageReceived\` subscription,
opened from a child process; RSS and heap (after GC) of the server process, delta / ${memory.sockets}.

${memoryTable}

\`npm run bench:realtime\` (knobs: BENCH_SUBSCRIBERS, BENCH_TENANTS, BENCH_RATES, BENCH_SECONDS, BENCH_SATURATION_RATE, BENCH_BURST_EVENTS, BENCH_BURST_RATE, BENCH_BURST_SUBSCRIBERS, BENCH_BUSES, BENCH_PROFILE, BENCH_IDLE_SOCKETS, BENCH_REDIS_URL).`;
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
