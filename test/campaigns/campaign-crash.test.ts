import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../../src/platform/db/connection-url';
import { dropDatabasesWithPrefix, testServerUrl } from '../support/test-app';
import { GraphQLTestClient, type SignedUp } from '../support/graphql-client';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { ServerProcess } from '../support/server-process';
import { CONNECT, eventually } from '../whatsapp/whatsapp-test-kit';
import { CREATE, GET, SET_RECIPIENTS, START, phonePrefix } from './campaign-kit';

describe('campaign sender: kill -9 mid-campaign, restart: every recipient sent exactly once, none skipped', () => {
  const prefix = `t${crypto.randomBytes(5).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-campaign-crash-'));
  let waha: FakeWahaServer;
  let env: Record<string, string>;
  let server: ServerProcess | null = null;
  let owner: SignedUp;

  const client = () => new GraphQLTestClient(server!.url);
  const tenantDb = async <T>(work: (db: Client) => Promise<T>): Promise<T> => {
    const db = new Client({ connectionString: withDatabase(testServerUrl(), `${prefix}_t_${owner.tenantId.replace(/-/g, '')}`) });
    await db.connect();
    try {
      return await work(db);
    } finally {
      await db.end();
    }
  };

  before(async () => {
    waha = await FakeWahaServer.start({ startStatus: 'WORKING' });
    env = {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      DATABASE_URL: withDatabase(testServerUrl(), `${prefix}_control`),
      DB_NAME_PREFIX: prefix,
      CONNECTION_BUDGET: '20',
      CONTROL_POOL_SIZE: '3',
      WAHA_URL: waha.url,
      WAHA_WEBHOOK_HMAC_KEY: waha.options.hmacKey,
      PROVIDER_TIMEOUT_MS: '1000',
      PROVIDER_SEND_TIMEOUT_MS: '3000',
      OUTBOUND_JOB_EXPIRE_SECONDS: '10',
      OUTBOUND_RETRY_DELAY_SECONDS: '1',
      OUTBOUND_CONCURRENCY: '4',
      CAMPAIGN_JOB_EXPIRE_SECONDS: '4',
      CAMPAIGN_RATE_WAHA_PER_MINUTE: '1200',
      JOBS_MAINTENANCE_INTERVAL_SECONDS: '1',
      JOBS_POLLING_INTERVAL_SECONDS: '0.5',
    };
    server = await ServerProcess.start(env);
    owner = await client().signUp();
    const session = (await client().data(CONNECT, { input: { provider: 'WAHA', name: 'Crash line' } }, owner.token)).connectWhatsApp;
    assert.equal(session.status, 'WORKING');
    env.SESSION_ID = session.id;
  });

  after(async () => {
    await server?.kill();
    await waha?.close();
    await dropDatabasesWithPrefix(prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('killed twice while sending 60 recipients: after restarts each got the message once', async () => {
    const start = phonePrefix();
    const phones = Array.from({ length: 60 }, (_, i) => `${start}${String(i).padStart(15 - start.length, '0')}`);
    const contactIds = await tenantDb(async (db) =>
      (await db.query(`INSERT INTO contacts (name, phone) SELECT 'Crash ' || p, p FROM unnest($1::text[]) AS p RETURNING id`, [phones])).rows.map(
        (row: { id: string }) => row.id,
      ),
    );
    const created = (
      await client().data(CREATE, { input: { name: 'Crash sale', sessionId: env.SESSION_ID, messages: [{ body: 'Once only, {{name}}' }] } }, owner.token)
    ).createCampaign;
    await client().data(SET_RECIPIENTS, { id: created.id, input: { contactIds } }, owner.token);
    await client().data(START, { id: created.id }, owner.token);
    const reached = () => new Set(waha.sent.map((message) => message.chatId)).size;

    for (const threshold of [10, 30]) {
      await eventually(async () => reached() >= threshold, `${threshold} recipients to be reached`, 20_000);
      await server!.kill(); // SIGKILL: the sender's slice and some sends die with it
      assert.ok(reached() < phones.length, `killed mid-campaign (${reached()} reached)`);
      server = await ServerProcess.start(env);
    }

    let last: unknown = null;
    const done = await eventually(async () => {
      const campaign = (await client().data(GET, { id: created.id }, owner.token)).campaign;
      last = campaign;
      return campaign.status === 'COMPLETED' && campaign.stats.queued === 0 ? campaign : null;
    }, 'the campaign to complete after the restarts', 60_000).catch(async (error) => {
      const control = new Client({ connectionString: env.DATABASE_URL });
      await control.connect();
      const jobs = (await control.query(`SELECT name, state, retry_count, start_after, data FROM jobs.job WHERE name LIKE 'campaign%' OR state NOT IN ('completed')`)).rows;
      await control.end();
      const leases = await tenantDb(async (db) => (await db.query('SELECT status, sender_lease_owner, sender_lease_until, now() FROM campaigns')).rows);
      throw new Error(`${(error as Error).message}: ${JSON.stringify({ last, jobs, leases })}`);
    });
    assert.equal(done.stats.sent, 60);
    assert.equal(done.stats.pending + done.stats.skipped + done.stats.failed, 0);
    for (const phone of phones) {
      const got = waha.sent.filter((message) => message.chatId === `${phone}@c.us`);
      assert.equal(got.length, 1, `${phone} got it exactly once (got ${got.length})`);
      assert.equal(got[0].body, `Once only, Crash ${phone}`);
    }
    const rows = await tenantDb(async (db) =>
      (
        await db.query(
          `SELECT count(*)::int AS recipients, count(DISTINCT r.message_id)::int AS linked, count(m.id) FILTER (WHERE m.status = 'SENT')::int AS sent,
                  (SELECT count(*)::int FROM messages WHERE direction = 'OUTBOUND') AS messages
             FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id WHERE r.campaign_id = $1`,
          [created.id],
        )
      ).rows[0],
    );
    assert.deepEqual(rows, { recipients: 60, linked: 60, sent: 60, messages: 60 }, 'one stored message per recipient, no orphan');
  });
});
