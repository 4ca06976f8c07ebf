// Webhook ingest throughput: signed WAHA `message` webhooks posted concurrently over HTTP to the
// real server (child processes, `node dist/src/main.js`, one then two instances) for tenants spread over their own
// databases, versus a raw-pg baseline doing the same writes per message (webhook event, contact
// upsert, conversation upsert, message insert in one transaction) without HTTP, signatures,
// parsing or routing. The three runs take turns, --repeats times (this machine is noisy), and the
// report shows each one's median run and the range.
// Run: npm run bench:webhooks [-- --seconds 10 --tenants 50 --concurrency 64 --repeats 3]
// Connection budgets and raw pools are sized to the server's max_connections (a fresh machine's
// allows 100); BENCH_SMOKE=1 runs everything at a tiny size.
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Client, Pool } from 'pg';
import { Pool as HttpPool } from 'undici';
import { withDatabase } from '../../src/platform/db/connection-url';
import { signWahaBody } from '../../src/channels/waha/waha-signature';
import { GraphQLTestClient } from '../../test/support/graphql-client';
import { dropDatabasesWithPrefix } from '../../test/support/test-app';
import { FakeWahaServer } from '../../test/fakes/fake-waha-server';
import { benchKnob, SMOKE, markdownTable, percentile, writeBenchmarkSection } from '../support/benchmarks-file';
import { assertRoom, connectionRoom } from '../support/connection-room';

const args = process.argv.slice(2);
const SECONDS = benchKnob('--seconds', 10, 1);
const TENANTS = benchKnob('--tenants', 50, 2);
const CONCURRENCY = benchKnob('--concurrency', 64, 4);
const CONTACTS_PER_TENANT = benchKnob('--contacts', 200, 10);
const REPEATS = benchKnob('--repeats', 3, 1);
const WARMUP_SECONDS = SMOKE ? 0.3 : 2;
const CALIBRATION_SECONDS = SMOKE ? 0.5 : 3;
const TARGET_PER_SECOND = 2000;
const HMAC_KEY = crypto.randomBytes(24).toString('hex');
const SERVER_URL = (process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres');
/** Two instances run at once; each needs at least its control, job, LISTEN and one tenant pool's connections. */
const INSTANCES = 2;
const MIN_INSTANCE_BUDGET = 5 + 3 + 1 + 2;

/** Sized to the server in main(). */
/** An instance's control pool, job queue pool and LISTEN connection (the server's defaults). */
const NON_TENANT_CONNECTIONS = 5 + 3 + 1;
const sizing = { instanceBudget: TENANTS * 2 + 20, rawPerTenant: 2, calibrationConnections: 100, maxConnections: 0 };

interface Tenant {
  tenantId: string;
  session: string;
  database: string;
}

interface RunResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  /** CPU milliseconds spent during the measured window, per process group. */
  cpuMs: { app: number; appKernel: number; postgres: number; client: number };
}

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process in ms (Linux /proc), 0 when it is gone; `kernel` for stime only. */
function processCpuMs(pid: number, kernel = false): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((kernel ? Number(fields[12]) : Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU ms of every PostgreSQL backend serving this run's databases, by pid. */
function postgresBackendsCpu(prefix: string): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('postgres:') && cmdline.includes(`${prefix}_`)) cpu.set(Number(entry), processCpuMs(Number(entry)));
    } catch {
      // exited
    }
  }
  return cpu;
}

/** Samples CPU of the app process, this run's PostgreSQL backends and this (client) process. */
function cpuMeter(prefix: string, appPids: number[]) {
  const sum = (kernel: boolean) => appPids.reduce((total, pid) => total + processCpuMs(pid, kernel), 0);
  const start = {
    app: sum(false),
    appKernel: sum(true),
    pg: postgresBackendsCpu(prefix),
    client: process.cpuUsage(),
  };
  return () => {
    const pgNow = postgresBackendsCpu(prefix);
    let postgres = 0;
    for (const [pid, ms] of pgNow) postgres += ms - (start.pg.get(pid) ?? 0);
    const client = process.cpuUsage(start.client);
    return {
      app: sum(false) - start.app,
      appKernel: sum(true) - start.appKernel,
      postgres,
      client: (client.user + client.system) / 1000,
    };
  };
}

async function main(): Promise<void> {
  const { room, maxConnections } = await connectionRoom(SERVER_URL);
  assertRoom('bench:webhooks', room, Math.max(INSTANCES * MIN_INSTANCE_BUDGET, TENANTS), maxConnections);
  // 50 tenant pools of 2 connections stay open when they fit: no eviction churn during the run.
  sizing.instanceBudget = Math.min(TENANTS * 2 + 20, Math.floor(room / INSTANCES));
  sizing.rawPerTenant = Math.max(1, Math.min(2, Math.floor(room / TENANTS)));
  sizing.calibrationConnections = Math.min(100, room);
  sizing.maxConnections = maxConnections;
  const prefix = `bw${crypto.randomBytes(4).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-'));
  const waha = await FakeWahaServer.start({ startStatus: 'WORKING', hmacKey: HMAC_KEY });
  const servers: Array<{ child: ChildProcess; url: string }> = [];
  try {
    servers.push(await startServer(prefix, dataDir, waha.url, 2));
    console.log(`server at ${servers[0].url}; provisioning ${TENANTS} tenants with a WAHA channel each...`);
    const tenants = await provision(servers[0].url);
    const runs: RunResult[][] = [[], [], []];

    // One instance, then two (the design runs several behind a load balancer; this machine has
    // two cores), then raw pg; in turns, so that a slow spell of the machine hits all three.
    for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
      for (const instances of [1, 2]) {
        while (servers.length > 0) await stopServer(servers.pop()!.child);
        // Same total of tenant connections (two per tenant, or one when the budget is short), so
        // every tenant pool stays open: evicting pools mid-run measures churn, not ingest.
        const perTenant = Math.max(1, Math.min(2, Math.floor((sizing.instanceBudget * instances - NON_TENANT_CONNECTIONS * instances) / TENANTS)));
        for (let i = 0; i < instances; i += 1) servers.push(await startServer(prefix, dataDir, waha.url, Math.max(1, Math.floor(perTenant / instances))));
        // Bodies and signatures are made before the clock starts: the client should cost little CPU.
        const deliveries = prepareDeliveries(tenants);
        const pids = servers.map((server) => server.child.pid!);
        const senders = servers.map((server) => senderTo(server.url));
        let turn = 0;
        runs[instances - 1].push(
          await drive(
            `ours, ${instances} instance${instances > 1 ? 's' : ''}: HTTP webhook → signature → parse → route → ingest`,
            () => cpuMeter(prefix, pids),
            (sendOne) => postWebhook(senders[turn++ % senders.length], deliveries.next(), sendOne),
          ),
        );
        await Promise.all(senders.map((sender) => sender.close()));
      }
      while (servers.length > 0) await stopServer(servers.pop()!.child);
      runs[2].push(await rawBaseline(prefix, tenants));
      console.log(`repeat ${repeat}/${REPEATS}: ${runs.map((series) => `${series.at(-1)!.name.split(':')[0]} ${okPerSecond(series.at(-1)!)}/s`).join(', ')}`);
    }
    const stored = await countMessages(prefix, tenants);
    const baseline = { few: await commitRate(prefix, 16), many: await commitRate(prefix, sizing.calibrationConnections) };
    report(runs, stored, baseline);
  } finally {
    for (const server of servers) await stopServer(server.child);
    await waha.close();
    await dropDatabasesWithPrefix(prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function startServer(prefix: string, dataDir: string, wahaUrl: string, tenantPoolSize: number): Promise<{ child: ChildProcess; url: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    // info logs nothing per request; the 'server ready' line gives the URL.
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    DATABASE_URL: withDatabase(SERVER_URL, `${prefix}_control`),
    DB_NAME_PREFIX: prefix,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    SECRETS_KEY: crypto.randomBytes(32).toString('hex'),
    CONNECTION_BUDGET: String(sizing.instanceBudget),
    TENANT_POOL_SIZE: String(tenantPoolSize),
    WAHA_URL: wahaUrl,
    WAHA_WEBHOOK_HMAC_KEY: HMAC_KEY,
    // Many sign-ups from one address, many requests per tenant: abuse limits off.
    SIGNUP_RATE_LIMIT: '0',
    TENANT_RATE_LIMIT: '0',
  };
  // --profile: the server writes a V8 CPU profile (open it in Chrome DevTools) when it stops.
  const profile = args.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve('bench-profiles')}`] : [];
  const child = spawn(process.execPath, [...profile, path.resolve(__dirname, '../../src/main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"level":50')) console.error(line.slice(0, 500));
      if (!line.includes('server ready')) return;
      resolve((JSON.parse(line) as { url: string }).url.replace(/\/graphql$/, ''));
    });
  });
  return { child, url };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function provision(url: string): Promise<Tenant[]> {
  const client = new GraphQLTestClient(url);
  const tenants: Tenant[] = [];
  const queue = Array.from({ length: TENANTS }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const owner = await client.signUp({ organizationName: `Bench ${next}` });
        const data = await client.data(
          'mutation ($input: ConnectWhatsAppInput!) { connectWhatsApp(input: $input) { externalSessionId status } }',
          { input: { provider: 'WAHA', name: `Bench line ${next}` } },
          owner.token,
        );
        tenants.push({ tenantId: owner.tenantId, session: data.connectWhatsApp.externalSessionId, database: '' });
      }
    }),
  );
  return tenants;
}

let sequence = 0;

/** One signed WAHA `message` webhook with a fresh message id, from one of the tenant's customers. */
function webhookBody(tenant: Tenant): string {
  sequence += 1;
  const phone = `1555${String(crypto.randomInt(CONTACTS_PER_TENANT)).padStart(7, '0')}`;
  const rawId = `${sequence.toString(16).toUpperCase().padStart(12, '0')}${crypto.randomBytes(10).toString('hex').toUpperCase()}`;
  return JSON.stringify({
    id: `evt_${rawId}`,
    timestamp: Date.now(),
    event: 'message',
    session: tenant.session,
    metadata: { tenantId: tenant.tenantId },
    me: { id: '15550001111@c.us', pushName: 'Bench' },
    engine: 'WEBJS',
    payload: {
      id: `false_${phone}@c.us_${rawId}`,
      timestamp: Math.floor(Date.now() / 1000),
      from: `${phone}@c.us`,
      fromMe: false,
      source: 'app',
      to: '15550001111@c.us',
      body: `Hello, I have a question about order ${sequence}`,
      hasMedia: false,
      ack: 1,
      _data: { notifyName: `Customer ${phone.slice(-4)}` },
    },
  });
}

interface Delivery {
  tenantIndex: number;
  body: string;
  signature: string;
}

/** Enough signed bodies for a generous rate; cycled through (with fresh ids) if a run needs more. */
function prepareDeliveries(tenants: Tenant[]): { next: () => Delivery } {
  const count = (WARMUP_SECONDS + SECONDS) * 6000;
  const made: Delivery[] = [];
  const make = () => {
    const tenantIndex = crypto.randomInt(tenants.length);
    const body = webhookBody(tenants[tenantIndex]);
    return { tenantIndex, body, signature: signWahaBody(body, HMAC_KEY) };
  };
  for (let i = 0; i < count; i += 1) made.push(make());
  let index = 0;
  return { next: () => (index < made.length ? made[index++] : make()) };
}

/** Keep-alive connections to one server; undici costs the load generator far less CPU per request than node:http. */
function senderTo(url: string): HttpPool {
  return new HttpPool(url, { connections: CONCURRENCY });
}

function postWebhook(sender: HttpPool, delivery: Delivery, done: (ok: boolean) => void): void {
  const { body, signature } = delivery;
  sender
    .request({
      path: '/webhooks/waha',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-hmac': signature, 'x-webhook-hmac-algorithm': 'sha512' },
      body,
    })
    .then(async (response) => {
      const text = await response.body.text();
      if (response.statusCode !== 200) console.error(`webhook answered ${response.statusCode}: ${text.slice(0, 300)}`);
      done(response.statusCode === 200);
    })
    .catch((error: Error) => {
      console.error(`webhook request failed: ${error.message}`);
      done(false);
    });
}

/** Keeps CONCURRENCY operations in flight for the warm-up, then measures for SECONDS. */
async function drive(
  name: string,
  meter: () => () => RunResult['cpuMs'],
  operation: (done: (ok: boolean) => void) => void,
): Promise<RunResult> {
  const result: RunResult = { name, requests: 0, errors: 0, seconds: SECONDS, latenciesMs: [], cpuMs: { app: 0, appKernel: 0, postgres: 0, client: 0 } };
  let readCpu: (() => RunResult['cpuMs']) | null = null;
  let measuring = false;
  let stopAt = Date.now() + WARMUP_SECONDS * 1000;
  const phase = new Promise<void>((resolve) => {
    let inFlight = 0;
    const launch = () => {
      if (Date.now() >= stopAt) {
        if (!measuring) {
          measuring = true;
          stopAt = Date.now() + SECONDS * 1000;
          readCpu = meter();
        } else {
          if (inFlight === 0) {
            if (readCpu) result.cpuMs = readCpu();
            readCpu = null;
            resolve();
          }
          return;
        }
      }
      inFlight += 1;
      const started = process.hrtime.bigint();
      const counted = measuring;
      operation((ok) => {
        inFlight -= 1;
        if (counted) {
          result.requests += 1;
          if (!ok) result.errors += 1;
          result.latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        launch();
      });
    };
    for (let i = 0; i < CONCURRENCY; i += 1) launch();
  });
  await phase;
  return result;
}

/** The same writes per message straight through pg, one pool of 2 per tenant database, no HTTP. */
async function rawBaseline(prefix: string, tenants: Tenant[]): Promise<RunResult> {
  const pools = tenants.map(
    (tenant) => new Pool({ connectionString: withDatabase(SERVER_URL, `${prefix}_t_${tenant.tenantId.replace(/-/g, '')}`), max: sizing.rawPerTenant }),
  );
  const sessions = await Promise.all(
    pools.map(async (pool) => (await pool.query<{ id: string }>('SELECT id FROM whatsapp_sessions LIMIT 1')).rows[0].id),
  );
  const deliveries = prepareDeliveries(tenants);
  try {
    return await drive('raw pg: event + contact upsert + conversation upsert + message insert, one transaction', () => cpuMeter(prefix, []), (done) => {
      const { tenantIndex: index, body } = deliveries.next();
      const pool = pools[index];
      const parsed = JSON.parse(body);
      const phone = parsed.payload.from.split('@')[0] as string;
      void (async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('INSERT INTO webhook_events (provider, event_id) VALUES ($1, $2)', ['WAHA', parsed.id]);
          const contact = await client.query<{ id: string }>(
            `INSERT INTO contacts (name, phone) VALUES ($1, $2)
             ON CONFLICT (phone) WHERE deleted_at IS NULL DO UPDATE SET name = contacts.name RETURNING id`,
            [parsed.payload._data.notifyName, phone],
          );
          const messageId = crypto.randomUUID();
          const conversation = await client.query<{ id: string }>(
            `INSERT INTO conversations (contact_id, session_id, unread_count, last_message_at, last_message_id) VALUES ($1, $2, 1, now(), $3)
             ON CONFLICT (contact_id, session_id) DO UPDATE SET unread_count = conversations.unread_count + 1,
               last_message_at = now(), last_message_id = EXCLUDED.last_message_id, updated_at = now() RETURNING id`,
            [contact.rows[0].id, sessions[index], messageId],
          );
          await client.query(
            `INSERT INTO messages (id, conversation_id, direction, from_address, to_address, body, type, status, provider_message_id, raw_payload, provider_timestamp)
             VALUES ($1, $2, 'INBOUND', $3, '15550001111', $4, 'TEXT', 'DELIVERED', $5, $6, now())`,
            [messageId, conversation.rows[0].id, phone, parsed.payload.body, parsed.payload.id, body],
          );
          await client.query('COMMIT');
          done(true);
        } catch {
          await client.query('ROLLBACK').catch(() => undefined);
          done(false);
        } finally {
          client.release();
        }
      })();
    });
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
}

/**
 * Commits/s of a one-row INSERT from `connections` concurrent connections: what this machine's
 * Postgres does at its simplest. Runs on different machines compare through it: the same code
 * has measured three times apart on machines of the same nominal size.
 */
async function commitRate(prefix: string, connections: number, seconds = CALIBRATION_SECONDS): Promise<number> {
  const database = `${prefix}_calibration`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`).catch(() => undefined); // the first call creates it
  await admin.end();
  const pool = new Pool({ connectionString: withDatabase(SERVER_URL, database), max: connections });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS calibration (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
    const clients = await Promise.all(Array.from({ length: connections }, () => pool.connect()));
    let commits = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      clients.map(async (client) => {
        while (Date.now() < end) {
          await client.query('INSERT INTO calibration DEFAULT VALUES');
          commits += 1;
        }
        client.release();
      }),
    );
    return Math.round(commits / seconds);
  } finally {
    await pool.end();
  }
}

async function countMessages(prefix: string, tenants: Tenant[]): Promise<number> {
  let total = 0;
  for (const tenant of tenants) {
    const client = new Client({ connectionString: withDatabase(SERVER_URL, `${prefix}_t_${tenant.tenantId.replace(/-/g, '')}`) });
    await client.connect();
    total += (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM messages')).rows[0].n;
    await client.end();
  }
  return total;
}

function okPerSecond(run: RunResult): number {
  return Math.round((run.requests - run.errors) / run.seconds);
}

/** The median run of a series (by ok/s), with the series' range beside it. */
function summarize(series: RunResult[]) {
  const byRate = [...series].sort((x, y) => okPerSecond(x) - okPerSecond(y));
  const run = byRate[Math.floor((byRate.length - 1) / 2)];
  const sorted = [...run.latenciesMs].sort((x, y) => x - y);
  const per = (ms: number) => (ms / Math.max(1, run.requests)).toFixed(3);
  // Without HTTP the load generator is the ingesting application: its CPU is the app's.
  const viaHttp = run.cpuMs.app > 0;
  const app = viaHttp ? run.cpuMs.app : run.cpuMs.client;
  const serverSide = app + run.cpuMs.postgres;
  return {
    run: run.name,
    'ok/s (median)': okPerSecond(run),
    'range ok/s': `${okPerSecond(byRate[0])}–${okPerSecond(byRate.at(-1)!)}`,
    errors: series.reduce((total, each) => total + each.errors, 0),
    'p50 ms': percentile(sorted, 50).toFixed(1),
    'p99 ms': percentile(sorted, 99).toFixed(1),
    'app CPU ms/msg (kernel)': `${per(app)} (${viaHttp ? per(run.cpuMs.appKernel) : '-'})`,
    'Postgres CPU ms/msg': per(run.cpuMs.postgres),
    'load generator CPU ms/msg': viaHttp ? per(run.cpuMs.client) : '-',
    // What two otherwise idle cores could ingest, client excluded.
    'ceiling on 2 idle cores (/s)': Math.round((2 * 1000 * run.requests) / Math.max(1, serverSide)),
  };
}

function report(runs: RunResult[][], storedMessages: number, baseline: { few: number; many: number }): void {
  const rows = runs.map(summarize);
  const load = os.loadavg()[0].toFixed(1);
  const raw = rows[rows.length - 1]['ok/s (median)'];
  const verdicts = rows.slice(0, -1).map(
    (row) =>
      `${row.run.split(':')[0]}: ${row['ok/s (median)']} webhooks/s (median of ${REPEATS}) — ` +
      `${row['ok/s (median)'] >= TARGET_PER_SECOND ? 'meets' : 'BELOW'} the ${TARGET_PER_SECOND}/s target ` +
      `(${Math.round((row['ok/s (median)'] / Math.max(1, raw)) * 100)}% of raw pg).`,
  );
  const markdown = [
    `## Webhook ingest (${TENANTS} tenants, one database each; ${CONCURRENCY} concurrent senders; ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up; ${REPEATS} turns)`,
    '',
    'Signed WAHA `message` webhooks with distinct message ids, from ' +
      `${CONTACTS_PER_TENANT} customers per tenant, posted over HTTP (keep-alive) to the server running as child processes ` +
      '(`node dist/src/main.js`; with two instances the senders alternate between them); each answered 200 only after its message ' +
      'was committed. The raw-pg baseline does the same writes per message (webhook event, contact upsert, conversation upsert, ' +
      'message insert, one transaction) without HTTP, signature, parsing or routing. The three runs take turns ' +
      `${REPEATS} times; each row is that run's median turn (by ok/s), with the range of all its turns.`,
    '',
    markdownTable(rows),
    '',
    ...verdicts,
    '',
    `Messages stored in the tenant databases (warm-ups and all runs): ${storedMessages}. ` +
      'CPU per message is measured from /proc (app processes, this run\'s PostgreSQL backends, the load generator); ' +
      'the ceiling divides two cores by app + Postgres CPU per message (for raw pg, the app is the load generator itself). ' +
      `Load average at the end: ${load} on ${os.cpus().length} cores — other work on the machine lowers the ok/s column far more than the CPU columns.`,
    '',
    `This machine's baseline, measured after the runs: ${baseline.few} commits/s of a one-row INSERT from 16 connections, ` +
      `${baseline.many} from ${sizing.calibrationConnections} (${TENANTS} tenants x ${sizing.rawPerTenant} connections is what the raw run spread over; ` +
      `instance budget ${sizing.instanceBudget} of max_connections ${sizing.maxConnections}). Compare it before comparing ` +
      'ok/s with a run on another machine.',
  ].join('\n');
  console.log(`\n${markdown}\n`);
  writeBenchmarkSection('realtime-webhooks', markdown);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
