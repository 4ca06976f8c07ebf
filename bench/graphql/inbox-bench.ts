// bench:graphql — the inbox page under concurrent load, side by side in one run:
//   1. our server over HTTP (GraphQL, DataLoader batching on),
//   2. the same data by the same SQL on raw pg Pools behind a bare node:http server (the ceiling),
//   3. our server with DataLoader batching off (DATALOADER_BATCHING=false: one query per field).
// Postgres: DATABASE_URL when set (e.g. the local server), otherwise an embedded one under .data/bench.
// Knobs: BENCH_CONVERSATIONS (200), BENCH_FIRST (20), BENCH_CONCURRENCY (16), BENCH_SECONDS (10),
// BENCH_ROUNDS (5), BENCH_WARMUP_SECONDS (2), BENCH_PROFILE (a .cpuprofile file of one more run of ours). The apps' connection budgets are sized to the server's
// max_connections; BENCH_SMOKE=1 runs everything at a tiny size. The targets take turns in rounds (ours, raw, naive, ours, ...) so a burst of
// other load on the machine hits all three alike; each gets BENCH_SECONDS in total.
import '../support/production-mode';
import 'reflect-metadata';
import crypto from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config';
import { startApp, type App } from '../../src/app';
import { withDatabase } from '../../src/platform/db/connection-url';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded-postgres';
import { createLogger } from '../../src/platform/logger';
import { TenantPlacement } from '../../src/platform/control/tenant-placement.entity';
import { GraphQLTestClient } from '../../test/support/graphql-client';
import { dropDatabasesWithPrefix } from '../../test/support/test-app';
import { INBOX_PAGE, seedInbox } from '../../test/support/crm-fixtures';
import { benchKnob, SMOKE, markdownTable, writeBenchmarkSection } from '../support/benchmarks-file';
import { assertRoom, connectionRoom } from '../support/connection-room';
import { combineLoads, runLoad, type LoadResult } from '../support/http-load';
import { RAW_STATEMENTS_PER_REQUEST, startRawInboxServer } from './raw-inbox-server';
import { postgresBackendPids, processCpuMs } from '../support/process-cpu';

const CONVERSATIONS = benchKnob('BENCH_CONVERSATIONS', 200, 20);
const FIRST = benchKnob('BENCH_FIRST', 20, 10);
const CONCURRENCY = benchKnob('BENCH_CONCURRENCY', 16, 4);
const SECONDS = benchKnob('BENCH_SECONDS', 10, 1);
const ROUNDS = benchKnob('BENCH_ROUNDS', 5, 1);
const WARMUP_SECONDS = benchKnob('BENCH_WARMUP_SECONDS', 2, 0.2);
// The same pool sizes for our server and for raw pg.
const TENANT_POOL_SIZE = SMOKE ? 2 : 8;
const CONTROL_POOL_SIZE = SMOKE ? 2 : 4;
const JOBS_POOL_SIZE = 3;
/** Four apps (ours and naive, each with a statement-counting twin) and the raw pg server. */
const APPS = 4;
const RAW_CONNECTIONS = TENANT_POOL_SIZE + CONTROL_POOL_SIZE;
/** An app's smallest budget: control, job queue and LISTEN connections and one tenant pool. */
const MIN_BUDGET = CONTROL_POOL_SIZE + JOBS_POOL_SIZE + 1 + TENANT_POOL_SIZE;

async function main(): Promise<void> {
  const log = createLogger('warn');
  let serverUrl = process.env.DATABASE_URL;
  let postgresSource = 'local PostgreSQL via DATABASE_URL';
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(__dirname, '..', '..', '..', '.data', 'bench'), port: 54331, log, maxConnections: 200 });
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
    postgresSource = 'embedded PostgreSQL (embedded-postgres package)';
  }
  serverUrl = withDatabase(serverUrl, 'postgres');
  const { room, maxConnections } = await connectionRoom(serverUrl);
  assertRoom('bench:graphql', room, APPS * MIN_BUDGET + RAW_CONNECTIONS, maxConnections);
  const budget = Math.min(40, Math.floor((room - RAW_CONNECTIONS) / APPS));
  process.env.DATABASE_URL = serverUrl; // dropDatabasesWithPrefix reads it
  const prefix = `b${crypto.randomBytes(5).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-'));
  const controlUrl = withDatabase(serverUrl, `${prefix}_control`);
  const env = (batching: boolean, countSql: boolean) =>
    loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: controlUrl,
      DB_NAME_PREFIX: prefix,
      JWT_SECRET: crypto.createHash('sha256').update(prefix).digest('hex'),
      CONNECTION_BUDGET: String(budget),
      CONTROL_POOL_SIZE: String(CONTROL_POOL_SIZE),
      JOBS_POOL_SIZE: String(JOBS_POOL_SIZE),
      TENANT_POOL_SIZE: String(TENANT_POOL_SIZE),
      EXPOSE_SQL_COUNT: String(countSql),
      DATALOADER_BATCHING: String(batching),
      // The bench drives one tenant far past any sane per-tenant limit.
      TENANT_RATE_LIMIT: '0',
    });

  const apps: App[] = [];
  let raw: Awaited<ReturnType<typeof startRawInboxServer>> | null = null;
  try {
    // Throughput is measured as production runs: EXPOSE_SQL_COUNT off (counting statements costs CPU).
    // Twin apps with counting on, same data, report the statements per request.
    const [ours, naive, oursCounting, naiveCounting] = await Promise.all(
      [env(true, false), env(false, false), env(true, true), env(false, true)].map(async (config) => {
        const app = await startApp(config, { log });
        apps.push(app);
        return app;
      }),
    );

    const client = new GraphQLTestClient(ours.url);
    const owner = await client.signUp({ name: 'Bench Owner' });
    const assigneeIds = [owner.userId];
    for (const name of ['Agent One', 'Agent Two']) {
      const email = `${name.replace(' ', '.').toLowerCase()}.${prefix}@example.com`;
      const { invitationToken } = (
        await client.data(`mutation ($input: AddMemberInput!) { addMember(input: $input) { invitationToken } }`, { input: { email, role: 'AGENT' } }, owner.token)
      ).addMember;
      const accepted = await client.data(
        `mutation ($input: AcceptInvitationTokenInput!) { acceptInvitationToken(input: $input) { user { id } } }`,
        { input: { token: invitationToken, password: 'correct horse battery', name } },
      );
      assigneeIds.push(accepted.acceptInvitationToken.user.id);
    }
    await seedInbox({ app: ours }, owner.tenantId, { conversations: CONVERSATIONS, messagesPerConversation: 3, labels: 5, assigneeIds });

    const placement = await ours.platform.control.getRepository(TenantPlacement).findOneByOrFail({ tenantId: owner.tenantId });
    raw = await startRawInboxServer({
      tenantUrl: withDatabase(serverUrl, placement.databaseName!),
      controlUrl,
      tenantId: owner.tenantId,
      tenantPoolSize: TENANT_POOL_SIZE,
      controlPoolSize: CONTROL_POOL_SIZE,
    });

    const body = JSON.stringify({ query: INBOX_PAGE, variables: { first: FIRST } });
    const auth = { authorization: `Bearer ${owner.token}` };
    const targets = [
      { name: 'our server (GraphQL, DataLoader)', transport: 'HTTP, GraphQL', target: { url: `${ours.url}/graphql`, headers: auth, body }, counting: `${oursCounting.url}/graphql` },
      { name: 'raw pg, hand-written SQL', transport: 'HTTP, bare node:http', target: { url: raw.url, headers: {}, body }, counting: null },
      { name: 'our server, DataLoader batching off', transport: 'HTTP, GraphQL', target: { url: `${naive.url}/graphql`, headers: auth, body }, counting: `${naiveCounting.url}/graphql` },
    ];
    const post = async (url: string, headers: Record<string, string>) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      return (await response.json()) as { data: unknown; extensions?: { sqlStatements?: number } };
    };

    // All three must answer the same data before their speed means anything.
    const answers = await Promise.all(targets.map(({ target }) => post(target.url, target.headers)));
    assert.deepEqual(answers[1].data, answers[0].data, 'raw pg answers the same data as our server');
    assert.deepEqual(answers[2].data, answers[0].data, 'batching off answers the same data');
    const statements = await Promise.all(
      targets.map(async ({ counting }) => {
        if (!counting) return RAW_STATEMENTS_PER_REQUEST;
        await post(counting, auth); // the first request also looks the tenant up in the control database
        return (await post(counting, auth)).extensions!.sqlStatements!;
      }),
    );

    const loadBefore = os.loadavg()[0];
    for (const { target } of targets) await runLoad(target, { concurrency: CONCURRENCY, seconds: WARMUP_SECONDS });
    // CPU per request, to see where the time goes: this process (the server under load plus the
    // load client, which is the same for all three) and the Postgres backends of the bench's databases.
    const pids = new Set(await postgresBackendPids(serverUrl, prefix));
    const runs: LoadResult[][] = targets.map(() => []);
    const nodeCpuMs = targets.map(() => 0);
    const postgresCpuMs = targets.map(() => 0);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, { target }] of targets.entries()) {
        const cpuBefore = process.cpuUsage();
        const pgBefore = processCpuMs(pids);
        runs[i].push(await runLoad(target, { concurrency: CONCURRENCY, seconds: SECONDS / ROUNDS }));
        const cpu = process.cpuUsage(cpuBefore);
        nodeCpuMs[i] += (cpu.user + cpu.system) / 1000;
        postgresCpuMs[i] += processCpuMs(pids) - pgBefore;
        for (const pid of await postgresBackendPids(serverUrl, prefix)) pids.add(pid);
      }
    }
    // BENCH_PROFILE=file: one more run of our server with the CPU profiler on (to find where its time goes).
    if (process.env.BENCH_PROFILE) {
      const session = new inspector.Session();
      session.connect();
      const call = (method: string) => new Promise<any>((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
      await call('Profiler.enable');
      await call('Profiler.start');
      await runLoad(targets[0].target, { concurrency: CONCURRENCY, seconds: SECONDS / ROUNDS });
      fs.writeFileSync(process.env.BENCH_PROFILE, JSON.stringify((await call('Profiler.stop')).profile));
      session.disconnect();
    }
    const results = targets.map(({ name, transport }, i) => {
      const result = combineLoads(runs[i]);
      const nodeMs = nodeCpuMs[i] / result.requests;
      const postgresMs = postgresCpuMs[i] / result.requests;
      console.log(
        `${name.padEnd(38)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50Ms.toFixed(1)} ms  p99 ${result.p99Ms.toFixed(1)} ms  ${statements[i]} SQL/request  CPU/request node ${nodeMs.toFixed(2)} ms, Postgres ${postgresMs.toFixed(2)} ms  (${result.errors} errors)`,
      );
      return { name, transport, result, statements: statements[i], nodeMs, postgresMs };
    });

    const loadAfter = os.loadavg()[0];
    const rawRps = results[1].result.requestsPerSecond;
    const ratio = results[0].result.requestsPerSecond / rawRps;
    const table = markdownTable(
      results.map(({ name, transport, result, statements, nodeMs, postgresMs }) => ({
        Target: name,
        Transport: transport,
        'req/s': result.requestsPerSecond.toFixed(0),
        'p50 ms': result.p50Ms.toFixed(1),
        'p99 ms': result.p99Ms.toFixed(1),
        'SQL statements / request': statements,
        'vs raw pg': `${((result.requestsPerSecond / rawRps) * 100).toFixed(0)}%`,
        'CPU ms / request: node (server + load client)': nodeMs.toFixed(2),
        'CPU ms / request: Postgres': postgresMs.toFixed(2),
        errors: result.errors,
      })),
    );
    const markdown = `## GraphQL inbox page (bench:graphql)

The inbox query (\`conversations(first: ${FIRST})\` with contact, last message, labels, assignee, pageInfo, totalCount)
over ${CONVERSATIONS} seeded conversations, ${CONCURRENCY} concurrent keep-alive clients (closed loop, in a worker thread),
${SECONDS} s per target after ${WARMUP_SECONDS} s of warm-up, all three in one run, taking turns in ${ROUNDS} rounds so
background load on the machine hits all three alike. Postgres: ${postgresSource}, database-per-tenant
mode (max_connections ${maxConnections}, connection budget ${budget} per app); tenant pool ${TENANT_POOL_SIZE} and control pool ${CONTROL_POOL_SIZE} connections for our server and for raw pg alike.
The raw pg target runs the same ${RAW_STATEMENTS_PER_REQUEST} statements by hand on pg Pools (page with contact, last message and count;
labels; assignees from the control database) and builds the same JSON behind a bare node:http server (no auth, no
GraphQL, no ORM); the bench checks all three return identical data first. With batching off, the page query still
joins contact and last message, so the N+1 is the labels and the assignees (one statement per conversation each).
Our server remembers that a (document, variables) pair passed the depth/cost check; repeating one request, the bench
always hits that memo.

${table}

Our server reaches **${(ratio * 100).toFixed(0)}%** of raw pg throughput (target: at least 40%). The machine's 1-minute
load average was ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after the run (other work shares its ${os.cpus().length} cores), so absolute
figures move from run to run; the rounds keep the comparison fair.
Both servers run as in production (EXPOSE_SQL_COUNT off: counting statements through AsyncLocalStorage costs
CPU); SQL statements per request come from twin apps with counting on (\`extensions.sqlStatements\`, control
database included), one request each.`;
    console.log(`\nours / raw pg = ${(ratio * 100).toFixed(0)}%`);
    writeBenchmarkSection('graphql', markdown);
  } finally {
    if (raw) await raw.stop();
    for (const app of apps.reverse()) await app.stop().catch(() => undefined);
    await dropDatabasesWithPrefix(prefix).catch((error) => console.error('cleanup failed', error));
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (stopEmbedded) await stopEmbedded();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
