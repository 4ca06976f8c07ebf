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
import { CONNECT, SEND, eventually, randomPhone } from './whatsapp-test-kit';

describe('durable outbound: killing the server mid-send neither loses nor duplicates the message', () => {
  const prefix = `t${crypto.randomBytes(5).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-crash-'));
  let waha: FakeWahaServer;
  let env: Record<string, string>;
  let server: ServerProcess | null = null;
  let owner: SignedUp;

  const client = () => new GraphQLTestClient(server!.url);
  const messageRow = async (messageId: string) => {
    const db = new Client({ connectionString: withDatabase(testServerUrl(), `${prefix}_t_${owner.tenantId.replace(/-/g, '')}`) });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT status, provider_message_id, failure_reason FROM messages WHERE id = $1', [messageId]);
      return rows[0] as { status: string; provider_message_id: string | null; failure_reason: string | null } | undefined;
    } finally {
      await db.end();
    }
  };
  const restart = async () => {
    await server?.kill();
    server = await ServerProcess.start(env);
  };
  /** Waits until the new process settles the send, then checks it ended SENT and reached WhatsApp exactly once. */
  const assertSentOnce = async (messageId: string, phone: string, waitingFor: string) => {
    const row = await eventually(async () => {
      const current = await messageRow(messageId);
      return current && current.status !== 'QUEUED' ? current : null;
    }, waitingFor, 40_000);
    assert.equal(row.status, 'SENT', `ended ${row.status}: ${row.failure_reason}`);
    const delivered = waha.sent.filter((message) => message.chatId === `${phone}@c.us`);
    assert.equal(delivered.length, 1, 'WhatsApp got it exactly once');
    assert.equal(row.provider_message_id, delivered[0].id);
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
      // A send attempt (2 x 1 s lookups + a 3 s send + 5 s margin) is presumed dead after 10 s.
      OUTBOUND_JOB_EXPIRE_SECONDS: '10',
      OUTBOUND_RETRY_DELAY_SECONDS: '1',
      JOBS_MAINTENANCE_INTERVAL_SECONDS: '1',
      JOBS_POLLING_INTERVAL_SECONDS: '0.5',
    };
    server = await ServerProcess.start(env);
    owner = await client().signUp();
    const session = (await client().data(CONNECT, { input: { provider: 'WAHA', name: 'Crash line' } }, owner.token)).connectWhatsApp;
    assert.equal(session.status, 'WORKING');
  });

  after(async () => {
    await server?.kill();
    await waha?.close();
    await dropDatabasesWithPrefix(prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('killed while WAHA hangs before sending: the next process sends it, once', async () => {
    waha.hangNextSends(1);
    const phone = randomPhone();
    const sendsBefore = waha.requestsTo('POST', '/api/sendText').length;
    const queued = (await client().data(SEND, { input: { phone, body: 'survives a crash' } }, owner.token)).sendMessage;
    assert.equal(queued.status, 'QUEUED');
    await eventually(async () => waha.requestsTo('POST', '/api/sendText').length > sendsBefore, 'the send to reach WAHA');
    await restart(); // SIGKILL mid-send, then a new process on the same control database

    await assertSentOnce(queued.id, phone, 'the new process to finish the send');
  });

  test('killed after WAHA sent but before its answer: the next process finds the send and does not repeat it', async () => {
    waha.loseNextResponses(1);
    const phone = randomPhone();
    const queued = (await client().data(SEND, { input: { phone, body: 'sent, answer lost' } }, owner.token)).sendMessage;
    await eventually(async () => waha.sent.some((message) => message.chatId === `${phone}@c.us`), 'WAHA to send it');
    await restart();

    await assertSentOnce(queued.id, phone, 'the new process to reconcile');
    assert.ok(
      waha.requests.some((request) => request.method === 'GET' && request.path.endsWith(`/chats/${encodeURIComponent(`${phone}@c.us`)}/messages`)) ||
        waha.requests.some((request) => request.method === 'GET' && request.path.includes(`${phone}@c.us`)),
      'the retry looked at the chat before sending',
    );
    assert.deepEqual(waha.unexpectedRequests, []);
  });
});
