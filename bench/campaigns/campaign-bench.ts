// Campaign sending: recipients sent through the real server (in this process) to a local fake
// WAHA over HTTP at asked rates; the achieved rate at the provider (within 5% of the asked one is
// the goal), duplicates (must be 0), RSS before and after, and CPU per message. Then, with no
// pace, how fast the sender stores the outbound rows and their jobs, against a raw-pg loop writing
// the same rows (claim, conversations, messages, recipient link, usage counter) and the same jobs.
// Run: npm run bench:campaigns [-- --recipients 20000 --rates 10,100,500 --seconds 30]
// BENCH_SMOKE=1 runs everything at a tiny size.
import 'reflect-metadata';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { startApp, type App } from '../../src/app';
import { withDatabase } from '../../src/platform/db/connection-url';
import { createLogger } from '../../src/platform/logger';
import { GraphQLTestClient } from '../../test/support/graphql-client';
import { dropDatabasesWithPrefix } from '../../test/support/test-app';
import { FakeWahaServer } from '../../test/fakes/fake-waha-server';
import { benchKnob, SMOKE, markdownTable, writeBenchmarkSection } from '../support/benchmarks-file';

const RECIPIENTS = benchKnob('--recipients', 20_000, 60);
const SECONDS = benchKnob('--seconds', 30, 2);
const RATES = (process.argv.includes('--rates') ? process.argv[process.argv.indexOf('--rates') + 1] : SMOKE ? '10,100' : '10,100,500').split(',').map(Number);
const SERVER_URL = (process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres');
const CONNECT = `mutation ($input: ConnectWhatsAppInput!) { connectWhatsApp(input: $input) { id } }`;

interface Setup {
  app: App;
  client: GraphQLTestClient;
  waha: FakeWahaServer;
  token: string;
  tenantId: string;
  sessionId: string;
  arrivals: number[];
}

async function setUp(prefix: string): Promise<Setup> {
  const waha = await FakeWahaServer.start({ startStatus: 'WORKING' });
  const arrivals: number[] = [];
  const push = waha.sent.push.bind(waha.sent);
  waha.sent.push = (...items) => {
    for (let i = 0; i < items.length; i += 1) arrivals.push(performance.now());
    return push(...items);
  };
  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    SECRETS_KEY: crypto.randomBytes(32).toString('base64'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'crm-campaign-bench-')),
    DATABASE_URL: withDatabase(SERVER_URL, `${prefix}_control`),
    DB_NAME_PREFIX: prefix,
    CONNECTION_BUDGET: '30',
    TENANT_POOL_SIZE: '10',
    ...waha.appEnv(),
    JOBS_POLLING_INTERVAL_SECONDS: '0.5',
    OUTBOUND_CONCURRENCY: '16',
    CAMPAIGN_RATE_WAHA_PER_MINUTE: '60000',
    CAMPAIGN_DAILY_LIMIT_WAHA: '0',
  });
  const app = await startApp(config, { log: createLogger('warn', { prefix }) });
  const client = new GraphQLTestClient(app.url);
  const owner = await client.signUp();
  const session = (await client.data(CONNECT, { input: { provider: 'WAHA', name: 'Bench line' } }, owner.token)).connectWhatsApp;
  return { app, client, waha, token: owner.token, tenantId: owner.tenantId, sessionId: session.id, arrivals };
}

let runs = 0;

/** Contacts and a campaign over them, ready to start. */
async function campaignOf(s: Setup, count: number, messagesPerMinute: number | null, label: string): Promise<string> {
  runs += 1;
  const phones = Array.from({ length: count }, (_, i) => `1${String(runs).padStart(2, '0')}${String(Math.floor(Math.random() * 900) + 100)}${String(i).padStart(8, '0')}`);
  const ids: string[] = await s.app.platform.router.withTenant(s.tenantId, async (manager) =>
    (await manager.query(`INSERT INTO contacts (name, phone) SELECT 'Bench ' || p, p FROM unnest($1::text[]) AS p RETURNING id`, [phones])).map((row: { id: string }) => row.id),
  );
  const { createCampaign } = await s.client.data(
    `mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`,
    { input: { name: label, sessionId: s.sessionId, messagesPerMinute, messages: [{ body: 'Hello {{name}}' }] } },
    s.token,
  );
  // The audience straight into the table: setCampaignRecipients takes ids in pages of 1,000.
  await s.app.platform.router.withTenant(s.tenantId, (manager) =>
    manager.query(`INSERT INTO campaign_recipients (campaign_id, contact_id) SELECT $1, unnest($2::uuid[])`, [createCampaign.id, ids]),
  );
  return createCampaign.id;
}

async function waitCompleted(s: Setup, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await s.app.platform.router.withTenant(s.tenantId, (manager) => manager.query('SELECT status FROM campaigns WHERE id = $1', [id]));
    if (row.status === 'COMPLETED') return;
    if (Date.now() > deadline) throw new Error(`campaign ${id} still ${row.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function pacedRun(s: Setup, perSecond: number) {
  const count = Math.min(RECIPIENTS, Math.max(10, Math.round(perSecond * SECONDS)));
  const id = await campaignOf(s, count, perSecond * 60, `r${perSecond}`);
  const sentBefore = s.waha.sent.length;
  const arrivalsBefore = s.arrivals.length;
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  await s.client.data(`mutation ($id: ID!) { startCampaign(id: $id) { id } }`, { id }, s.token);
  await waitCompleted(s, id, (count / perSecond) * 3000 + 60_000);
  const cpu = process.cpuUsage(cpuBefore);
  const rssAfter = process.memoryUsage().rss;
  const sent = s.waha.sent.slice(sentBefore);
  const times = s.arrivals.slice(arrivalsBefore);
  const perChat = new Map<string, number>();
  for (const message of sent) perChat.set(message.chatId, (perChat.get(message.chatId) ?? 0) + 1);
  const duplicates = [...perChat.values()].filter((n) => n > 1).length;
  const achieved = times.length > 1 ? ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]) : NaN;
  return {
    'asked /s': perSecond,
    recipients: count,
    'sent to provider': sent.length,
    'achieved /s': achieved.toFixed(1),
    'off by': `${(((achieved - perSecond) / perSecond) * 100).toFixed(1)}%`,
    duplicates,
    'RSS before → after (MB)': `${Math.round(rssBefore / 2 ** 20)} → ${Math.round(rssAfter / 2 ** 20)}`,
    'CPU ms / message': ((cpu.user + cpu.system) / 1000 / Math.max(1, sent.length)).toFixed(2),
  };
}

/** Ours with no pace: recipients claimed and stored (rows + jobs) per second, from the claim times. */
async function oursUnpaced(s: Setup, count: number): Promise<number> {
  const id = await campaignOf(s, count, null, 'max');
  await s.client.data(`mutation ($id: ID!) { startCampaign(id: $id) { id } }`, { id }, s.token);
  await waitCompleted(s, id, 600_000);
  const [row] = await s.app.platform.router.withTenant(s.tenantId, (manager) =>
    manager.query(
      `SELECT count(*)::int AS n, extract(epoch FROM max(r.sent_at) - c.started_at)::float8 AS seconds
         FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id WHERE r.campaign_id = $1 GROUP BY c.started_at`,
      [id],
    ),
  );
  return row.n / Math.max(row.seconds, 0.001);
}

/**
 * The baseline: the same writes in a plain loop, 100 recipients a transaction, as fast as one
 * connection goes: claim, conversations, messages, last message, recipient link, usage counter,
 * plus one pg-boss job row per message in the control database (held back a day, then deleted).
 */
async function rawLoop(s: Setup, count: number, prefix: string): Promise<number> {
  const id = await campaignOf(s, count, null, 'raw');
  const tenantDb = new Client({ connectionString: withDatabase(SERVER_URL, `${prefix}_t_${s.tenantId.replace(/-/g, '')}`) });
  const controlDb = new Client({ connectionString: withDatabase(SERVER_URL, `${prefix}_control`) });
  await tenantDb.connect();
  await controlDb.connect();
  const jobIds: string[] = [];
  const started = performance.now();
  try {
    for (;;) {
      await tenantDb.query('BEGIN');
      const { rows: claimed } = await tenantDb.query(
        `SELECT r.id, r.contact_id, ct.phone FROM campaign_recipients r JOIN contacts ct ON ct.id = r.contact_id
          WHERE r.campaign_id = $1 AND r.status = 'PENDING' LIMIT 100 FOR UPDATE OF r SKIP LOCKED`,
        [id],
      );
      if (claimed.length === 0) {
        await tenantDb.query('COMMIT');
        break;
      }
      const ids = claimed.map(() => crypto.randomUUID());
      await controlDb.query(
        `INSERT INTO jobs.job (id, name, data, start_after) SELECT u.id, 'outbound-send', jsonb_build_object('tenantId', $2::text, 'messageId', u.id), now() + interval '1 day'
           FROM unnest($1::uuid[]) AS u(id)`,
        [ids, s.tenantId],
      );
      jobIds.push(...ids);
      const { rows: conversations } = await tenantDb.query(
        `INSERT INTO conversations (contact_id, session_id) SELECT unnest($1::uuid[]), $2 ON CONFLICT (contact_id, session_id) DO UPDATE SET updated_at = now() RETURNING id, contact_id`,
        [claimed.map((row) => row.contact_id), s.sessionId],
      );
      const conversationOf = new Map(conversations.map((row) => [row.contact_id, row.id]));
      await tenantDb.query(
        `INSERT INTO messages (id, conversation_id, direction, from_address, to_address, body, type, status, client_message_id, created_at, updated_at)
         SELECT u.id, u.conversation_id, 'OUTBOUND', 'bench', u.phone, 'Hello', 'TEXT', 'QUEUED', u.id::text, clock_timestamp(), clock_timestamp()
           FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(id, conversation_id, phone)`,
        [ids, claimed.map((row) => conversationOf.get(row.contact_id)), claimed.map((row) => row.phone)],
      );
      await tenantDb.query(
        `UPDATE conversations c SET last_message_id = u.id, last_message_at = clock_timestamp() FROM unnest($1::uuid[], $2::uuid[]) AS u(id, conversation_id) WHERE c.id = u.conversation_id`,
        [ids, claimed.map((row) => conversationOf.get(row.contact_id))],
      );
      await tenantDb.query(
        `UPDATE campaign_recipients r SET status = 'QUEUED', message_id = u.message_id, sent_at = now() FROM unnest($1::uuid[], $2::uuid[]) AS u(id, message_id) WHERE r.id = u.id`,
        [claimed.map((row) => row.id), ids],
      );
      await tenantDb.query(`UPDATE usage_counters SET used = used + $1 WHERE metric = 'OUTBOUND_MESSAGES'`, [ids.length]);
      await tenantDb.query('COMMIT');
    }
    return count / ((performance.now() - started) / 1000);
  } finally {
    for (let at = 0; at < jobIds.length; at += 5000) await controlDb.query('DELETE FROM jobs.job WHERE id = ANY($1::uuid[])', [jobIds.slice(at, at + 5000)]);
    await tenantDb.end();
    await controlDb.end();
  }
}

async function main(): Promise<void> {
  const prefix = `bc${crypto.randomBytes(4).toString('hex')}`;
  let s: Setup | null = null;
  try {
    s = await setUp(prefix);
    const rows = [];
    for (const rate of RATES) {
      const row = await pacedRun(s, rate);
      console.log(JSON.stringify(row));
      rows.push(row);
    }
    const maxCount = Math.min(RECIPIENTS, SMOKE ? 60 : 20_000);
    const ours = await oursUnpaced(s, maxCount);
    const raw = await rawLoop(s, maxCount, prefix);
    const ratio = Math.round((ours / raw) * 100);
    console.log(`unpaced: ours ${ours.toFixed(0)} recipients/s, raw pg ${raw.toFixed(0)} recipients/s, ours / raw pg = ${ratio}%`);
    writeBenchmarkSection(
      'campaigns',
      `## Campaign sending (bench:campaigns)

Recipients sent by the real server (in-process) through a local fake WAHA over HTTP, one message
each; the achieved rate is measured at the provider (first to last arrival). Paced runs send
min(${RECIPIENTS}, asked rate × ${SECONDS} s) recipients. Duplicates: recipients the provider got more than once.
CPU: this process (server and fake provider together) per message.

${markdownTable(rows)}

With no pace (${maxCount} recipients, channel rate 60,000/min): ours stores **${ours.toFixed(0)} recipients/s**
(claim, personalised message, conversation, recipient link, usage counter, events, one pg-boss job
each, while the send workers drain the queue), a raw-pg loop writing the same rows and jobs
**${raw.toFixed(0)} recipients/s**: ours / raw pg = **${ratio}%** (goal ≥ 70%).`,
    );
  } finally {
    await s?.app.stop().catch(() => undefined);
    await s?.waha.close().catch(() => undefined);
    await dropDatabasesWithPrefix(prefix).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
