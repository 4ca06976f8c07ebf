import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { FakeCloudApiServer } from '../fakes/fake-cloud-api-server';
import { postRaw } from '../fakes/fake-http-server';
import { signCloudBody } from '../../src/channels/cloud/cloud-signature';
import { CONNECT, SEND, eventually, ingestCounts, providerIdOnceSent, randomPhone, recordEvents, tenantQuery } from './whatsapp-test-kit';

const NUMBER_A = '106540352242922';
const NUMBER_B = '106540352249999';
const SECRET_A = 'app-secret-of-tenant-a';
const SECRET_B = 'app-secret-of-tenant-b';

describe('WhatsApp Cloud API webhooks', () => {
  let t: TestApp;
  let cloud: FakeCloudApiServer;
  let a: SignedUp;
  let b: SignedUp;
  let hook: string;

  const connectCloud = (token: string, phoneNumberId: string, accessToken: string, appSecret: string) =>
    t.client.request(CONNECT, { input: { provider: 'CLOUD', name: `Cloud ${phoneNumberId}`, phoneNumberId, accessToken, appSecret } }, token);
  const inboundBody = (phoneNumberId: string, from: string, text: string, id = `wamid.${Math.random().toString(36).slice(2)}`) =>
    cloud.buildWebhook('inbound-text-message', { phoneNumberId, value: { contacts: [{ wa_id: from, profile: { name: 'Sheena' } }] }, message: { from, id, timestamp: String(Math.floor(Date.now() / 1000)), text: { body: text } } });

  before(async () => {
    cloud = await FakeCloudApiServer.start();
    cloud.addPhoneNumber(NUMBER_A, 'token-of-tenant-a-123');
    cloud.addPhoneNumber(NUMBER_B, 'token-of-tenant-b-456');
    t = await startTestApp({
      CLOUD_API_URL: cloud.graphUrl,
      CLOUD_VERIFY_TOKEN: 'my-verify-token',
      PROVIDER_TIMEOUT_MS: '2000',
      PROVIDER_SEND_TIMEOUT_MS: '1000',
      OUTBOUND_JOB_EXPIRE_SECONDS: '10',
      OUTBOUND_RETRY_DELAY_SECONDS: '1',
      JOBS_POLLING_INTERVAL_SECONDS: '0.5',
    });
    hook = `${t.url}/webhooks/whatsapp-cloud`;
    [a, b] = await Promise.all([t.client.signUp(), t.client.signUp()]);
  });
  after(async () => {
    await t?.stop();
    await cloud?.close();
  });

  test('GET subscription check: the right token echoes the challenge, a wrong one is 403', async () => {
    const ok = await fetch(`${hook}?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '1158201444');
    assert.equal((await fetch(`${hook}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444`)).status, 403);
    assert.equal((await fetch(hook)).status, 400);
  });

  test('connectWhatsApp CLOUD checks the credentials and keeps them encrypted and write-only', async () => {
    const bad = await connectCloud(a.token, NUMBER_A, 'not-the-right-token', SECRET_A);
    assert.equal(bad.errors?.[0].extensions?.code, 'PROVIDER_ERROR');
    assert.equal((await t.app.platform.control.query('SELECT 1 FROM channel_routes WHERE external_key = $1', [NUMBER_A])).length, 0);
    assert.equal((await tenantQuery(t, a.tenantId, 'SELECT 1 FROM whatsapp_sessions')).length, 0);

    const ok = await connectCloud(a.token, NUMBER_A, 'token-of-tenant-a-123', SECRET_A);
    assert.equal(ok.errors, undefined);
    assert.equal(ok.data.connectWhatsApp.status, 'WORKING');
    assert.equal(ok.data.connectWhatsApp.externalSessionId, NUMBER_A);
    const [row] = await tenantQuery(t, a.tenantId, 'SELECT credentials_encrypted FROM whatsapp_sessions');
    assert.match(String(row.credentials_encrypted), /^v1\./);
    assert.doesNotMatch(String(row.credentials_encrypted), /token-of-tenant-a|app-secret/);
    const taken = await connectCloud(b.token, NUMBER_A, 'token-of-tenant-a-123', SECRET_A);
    assert.equal(taken.errors?.[0].extensions?.code, 'CONFLICT');
    assert.equal((await connectCloud(b.token, NUMBER_B, 'token-of-tenant-b-456', SECRET_B)).errors, undefined);
  });

  test("a message signed with its channel's app secret is stored; any other signature stores nothing (401)", async () => {
    const recorder = recordEvents(t, a.tenantId);
    try {
      const phone = randomPhone();
      const body = inboundBody(NUMBER_A, phone, 'Does it come in another color?');
      const beforeA = await ingestCounts(t, a.tenantId);
      const beforeB = await ingestCounts(t, b.tenantId);
      assert.equal((await cloud.postWebhook(hook, body, { signWith: 'some-other-secret' })).status, 401);
      assert.equal((await cloud.postWebhook(hook, body, { signWith: SECRET_B })).status, 401, "tenant B's secret cannot post for A's number");
      assert.equal((await cloud.postWebhook(hook, body, { signWith: null })).status, 401);
      // One body for both numbers, signed by A: B's part would be a forgery, so nothing is stored.
      const mixed = FakeCloudApiServer.mergeBodies([body, inboundBody(NUMBER_B, phone, 'forged into B')]);
      assert.equal((await cloud.postWebhook(hook, mixed, { signWith: SECRET_A })).status, 401);
      assert.equal((await postRaw(hook, '{"object":"whatsapp_business_account","entry":[{"id":"1"', cloud.webhookHeaders('x', SECRET_A))).status, 400);
      assert.deepEqual(await ingestCounts(t, a.tenantId), beforeA);
      assert.deepEqual(await ingestCounts(t, b.tenantId), beforeB);

      assert.equal((await cloud.postWebhook(hook, body, { signWith: SECRET_A })).status, 200);
      assert.equal((await cloud.postWebhook(hook, body, { signWith: SECRET_A })).status, 200, 'a redelivery is fine');
      const [row] = await tenantQuery(
        t,
        a.tenantId,
        `SELECT m.body, ct.name, c.unread_count FROM messages m JOIN conversations c ON c.id = m.conversation_id
           JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone = $1`,
        [phone],
      );
      assert.deepEqual(row, { body: 'Does it come in another color?', name: 'Sheena', unread_count: 1 });
      assert.equal(recorder.events.filter((event) => event.type === 'messageReceived').length, 1);
      assert.deepEqual(await ingestCounts(t, b.tenantId), beforeB);
    } finally {
      recorder.stop();
    }
  });

  test('sends carry our client id; a status webhook with it settles a send whose answer was lost, without a resend', async () => {
    const phone = randomPhone();
    const first = (await t.client.data(SEND, { input: { phone, body: 'first' } }, a.token)).sendMessage;
    const wamid = await providerIdOnceSent(t, a.tenantId, first.id, 'the first send');
    const sentFirst = cloud.sent.find((message) => message.id === wamid)!;
    assert.equal(sentFirst.body.biz_opaque_callback_data, first.id);
    assert.equal(sentFirst.body.to, phone);
    const read = cloud.buildWebhook('status-delivered', { phoneNumberId: NUMBER_A, status: { id: wamid, status: 'read', recipient_id: phone, timestamp: String(Math.floor(Date.now() / 1000)) } });
    assert.equal((await cloud.postWebhook(hook, read, { signWith: SECRET_A })).status, 200);
    const [afterRead] = await tenantQuery(t, a.tenantId, 'SELECT status FROM messages WHERE id = $1', [first.id]);
    assert.equal(afterRead.status, 'READ');

    // The next send reaches Meta but its answer never comes (timeout: outcome unknown).
    cloud.hangNextSends(1);
    const sendsBefore = cloud.requestsTo('POST', `/v21.0/${NUMBER_A}/messages`).length;
    const second = (await t.client.data(SEND, { input: { phone, body: 'second' } }, a.token)).sendMessage;
    await eventually(async () => cloud.requestsTo('POST', `/v21.0/${NUMBER_A}/messages`).length > sendsBefore, 'the hanging send');
    const lostId = 'wamid.LOST-ANSWER-0001';
    const sentStatus = cloud.buildWebhook('status-delivered', {
      phoneNumberId: NUMBER_A,
      status: { id: lostId, status: 'sent', recipient_id: phone, biz_opaque_callback_data: second.id, timestamp: String(Math.floor(Date.now() / 1000)) },
    });
    assert.equal((await cloud.postWebhook(hook, sentStatus, { signWith: SECRET_A })).status, 200);
    const [row] = await tenantQuery(t, a.tenantId, 'SELECT status, provider_message_id FROM messages WHERE id = $1', [second.id]);
    assert.deepEqual(row, { status: 'SENT', provider_message_id: lostId });
    // Past the timeout and the retry delay: the retry sees the message is settled and sends nothing.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    assert.equal(cloud.requestsTo('POST', `/v21.0/${NUMBER_A}/messages`).length, sendsBefore + 1);
    assert.equal(cloud.sent.filter((message) => message.body.biz_opaque_callback_data === second.id).length, 0);
    assert.deepEqual(cloud.unexpectedRequests, []);
  });

  test('a reaction lands on the message it names; a repeat changes nothing', async () => {
    const phone = randomPhone();
    const id = `wamid.${Math.random().toString(36).slice(2)}`;
    assert.equal((await cloud.postWebhook(hook, inboundBody(NUMBER_A, phone, 'react to this', id), { signWith: SECRET_A })).status, 200);
    const reaction = cloud.buildWebhook('inbound-text-message', {
      phoneNumberId: NUMBER_A,
      message: { from: phone, id: `wamid.${Math.random().toString(36).slice(2)}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'reaction', reaction: { message_id: id, emoji: '👍' } },
    });
    assert.equal((await cloud.postWebhook(hook, reaction, { signWith: SECRET_A })).status, 200);
    assert.equal((await cloud.postWebhook(hook, reaction, { signWith: SECRET_A })).status, 200);
    const rows = await tenantQuery(
      t,
      a.tenantId,
      'SELECT r.emoji, r.reactor, r.direction FROM message_reactions r JOIN messages m ON m.id = r.message_id WHERE m.provider_message_id = $1',
      [id],
    );
    assert.deepEqual(rows, [{ emoji: '👍', reactor: phone, direction: 'INBOUND' }]);
  });
});
