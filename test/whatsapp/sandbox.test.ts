import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { FakeCloudApiServer } from '../fakes/fake-cloud-api-server';
import { setPlanLimits } from '../support/crm-fixtures';
import { CONNECT, MARK_READ, SEND, SIMULATE, eventually, memberToken, randomPhone, recordEvents, tenantQuery } from './whatsapp-test-kit';

describe('sandbox provider (the default without WAHA)', () => {
  let t: TestApp;
  let cloud: FakeCloudApiServer;
  let owner: SignedUp;
  let sessionId: string;

  before(async () => {
    cloud = await FakeCloudApiServer.start();
    t = await startTestApp({ SANDBOX_ACK_DELAYS_MS: '60,120,180', CLOUD_API_URL: cloud.graphUrl, JOBS_POLLING_INTERVAL_SECONDS: '0.5' });
    owner = await t.client.signUp();
  });
  after(async () => {
    await t?.stop();
    await cloud?.close();
  });

  test('connectWhatsApp SANDBOX is WORKING at once and listed', async () => {
    const data = await t.client.data(CONNECT, { input: { provider: 'SANDBOX', name: 'Demo line' } }, owner.token);
    const session = data.connectWhatsApp;
    assert.equal(session.provider, 'SANDBOX');
    assert.equal(session.status, 'WORKING');
    assert.match(session.externalSessionId, /^crm_[0-9a-f]{16}$/);
    sessionId = session.id;
    const listed = await t.client.data('{ whatsappSessions { id status provider } }', {}, owner.token);
    assert.deepEqual(listed.whatsappSessions, [{ id: sessionId, status: 'WORKING', provider: 'SANDBOX' }]);
    const routes = await t.app.platform.control.query('SELECT tenant_id, session_id FROM channel_routes WHERE provider = $1 AND external_key = $2', [
      'SANDBOX',
      session.externalSessionId,
    ]);
    assert.deepEqual(routes, [{ tenant_id: owner.tenantId, session_id: sessionId }]);
  });

  test('sendMessage is QUEUED, then SENT, DELIVERED and READ through simulated acks', async () => {
    const recorder = recordEvents(t, owner.tenantId);
    try {
      const phone = randomPhone();
      const data = await t.client.data(SEND, { input: { phone: `+${phone}`, body: 'Hello from the sandbox' } }, owner.token);
      const sent = data.sendMessage;
      assert.equal(sent.status, 'QUEUED');
      assert.equal(sent.direction, 'OUTBOUND');
      assert.equal(sent.toAddress, phone);
      await eventually(async () => {
        const [row] = await tenantQuery(t, owner.tenantId, 'SELECT status FROM messages WHERE id = $1', [sent.id]);
        return row?.status === 'READ';
      }, 'the message to be READ');
      const statuses = recorder.events
        .filter((event) => event.type === 'messageUpdated' && event.payload.id === sent.id)
        .map((event) => event.payload.status);
      // The new outbound message itself, then each ack; never as a messageReceived (customers' messages only).
      assert.deepEqual(statuses, ['QUEUED', 'SENT', 'DELIVERED', 'READ']);
      assert.equal(recorder.events.some((event) => event.type === 'messageReceived'), false);
      const [row] = await tenantQuery(t, owner.tenantId, 'SELECT provider_message_id, client_message_id FROM messages WHERE id = $1', [sent.id]);
      assert.match(String(row.provider_message_id), /^sandbox_/);
      assert.equal(row.client_message_id, sent.id);
    } finally {
      recorder.stop();
    }
  });

  test("the plan's messages a month: concurrent sends take exactly what is left; the rest get PLAN_LIMIT_REACHED and leave nothing behind", async () => {
    const tenant = await t.client.signUp();
    await t.client.data(CONNECT, { input: { provider: 'SANDBOX', name: 'Quota line' } }, tenant.token);
    await setPlanLimits(t, tenant.tenantId, { maxMessagesPerMonth: 3 });
    const phone = randomPhone();
    await t.client.data(SEND, { input: { phone: `+${phone}`, body: 'one' } }, tenant.token);
    const burst = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => t.client.request(SEND, { input: { phone: `+${phone}`, body: `burst ${i}` } }, tenant.token)),
    );
    const refused = burst.filter((result) => result.errors);
    assert.equal(burst.length - refused.length, 2, 'two of the burst fit in the month');
    for (const result of refused) {
      assert.equal(result.errors![0].extensions?.code, 'PLAN_LIMIT_REACHED');
      assert.deepEqual(result.errors![0].extensions?.details, { limit: 3 });
    }
    const stored = await tenantQuery(t, tenant.tenantId, "SELECT count(*)::int AS n FROM messages WHERE direction = 'OUTBOUND'");
    assert.deepEqual(stored, [{ n: 3 }], 'a refused send stores no message');
    const queued = await t.app.platform.control.query(
      `SELECT count(*)::int AS n FROM ${t.app.config.JOBS_SCHEMA}.job WHERE name = 'outbound-send' AND data->>'tenantId' = $1 AND state <> 'cancelled'`,
      [tenant.tenantId],
    );
    assert.deepEqual(queued, [{ n: 3 }], 'and leaves no send job behind');

    const usage = await t.client.data('{ planUsage { month outboundMessages maxMessagesPerMonth contacts } }', {}, tenant.token);
    assert.deepEqual(usage.planUsage, { month: new Date().toISOString().slice(0, 7), outboundMessages: 3, maxMessagesPerMonth: 3, contacts: 1 });

    // A new month starts from zero.
    await tenantQuery(t, tenant.tenantId, "UPDATE usage_counters SET month = (month - interval '1 month')::date");
    await t.client.data(SEND, { input: { phone: `+${phone}`, body: 'next month' } }, tenant.token);
  });

  test("sendMessage to a number typed the national way uses the tenant's default country", async () => {
    const tenant = await t.client.signUp();
    await t.client.data(CONNECT, { input: { provider: 'SANDBOX', name: 'UK line' } }, tenant.token);
    await t.client.expectError('VALIDATION_FAILED', SEND, { input: { phone: '07911 123456', body: 'Hello' } }, tenant.token);
    await t.client.data(`mutation { updateMasterConfig(input: { defaultCountry: "GB" }) { defaultCountry } }`, {}, tenant.token);
    const sent = (await t.client.data(SEND, { input: { phone: '07911 123456', body: 'Hello' } }, tenant.token)).sendMessage;
    assert.equal(sent.toAddress, '447911123456');
  });

  test('simulateInboundMessage creates the contact, the conversation and the message, and publishes them', async () => {
    const recorder = recordEvents(t, owner.tenantId);
    try {
      const phone = randomPhone();
      const data = await t.client.data(SIMULATE, { input: { sessionId, from: `+${phone}`, body: 'Hi, is this open?', fromName: 'Ana' } }, owner.token);
      const message = data.simulateInboundMessage;
      assert.equal(message.direction, 'INBOUND');
      assert.equal(message.fromAddress, phone);
      assert.equal(message.body, 'Hi, is this open?');
      const [contact] = await tenantQuery(t, owner.tenantId, 'SELECT name, phone FROM contacts WHERE phone = $1', [phone]);
      assert.deepEqual(contact, { name: 'Ana', phone });
      const [conversation] = await tenantQuery(
        t,
        owner.tenantId,
        'SELECT id, unread_count, last_message_id, session_id FROM conversations WHERE id = $1',
        [message.conversationId],
      );
      assert.deepEqual(conversation, { id: message.conversationId, unread_count: 1, last_message_id: message.id, session_id: sessionId });
      const received = recorder.events.find((event) => event.type === 'messageReceived');
      assert.equal(received?.payload.id, message.id);
      assert.equal(received?.conversationId, message.conversationId);
      const updated = recorder.events.find((event) => event.type === 'conversationUpdated');
      assert.equal(updated?.payload.unreadCount, 1);

      const read = await t.client.data(MARK_READ, { id: message.conversationId }, owner.token);
      assert.deepEqual(read.markConversationRead, { id: message.conversationId, unreadCount: 0 });
      const [stored] = await tenantQuery(t, owner.tenantId, 'SELECT read_at FROM messages WHERE id = $1', [message.id]);
      assert.ok(stored.read_at instanceof Date);
    } finally {
      recorder.stop();
    }
  });

  test('simulateInboundMessage is refused on a non-sandbox channel', async () => {
    cloud.addPhoneNumber('106540352242922', 'cloud-token-abcdef');
    const data = await t.client.data(
      CONNECT,
      { input: { provider: 'CLOUD', name: 'Cloud', phoneNumberId: '106540352242922', accessToken: 'cloud-token-abcdef', appSecret: 'cloud-app-secret' } },
      owner.token,
    );
    assert.equal(data.connectWhatsApp.status, 'WORKING');
    await t.client.expectError('VALIDATION_FAILED', SIMULATE, { input: { sessionId: data.connectWhatsApp.id, from: '+15550001234', body: 'x' } }, owner.token);
    assert.deepEqual(cloud.unexpectedRequests, []);
  });

  test('roles: an AUDITOR cannot send, an AGENT can', async () => {
    const auditor = await memberToken(t.client, owner.token, owner.tenantId, 'AUDITOR');
    const agent = await memberToken(t.client, owner.token, owner.tenantId, 'AGENT');
    const input = { phone: `+${randomPhone()}`, body: 'role check', sessionId };
    await t.client.expectError('FORBIDDEN', SEND, { input }, auditor);
    const sent = await t.client.data(SEND, { input }, agent);
    assert.equal(sent.sendMessage.status, 'QUEUED');
    await t.client.expectError('FORBIDDEN', CONNECT, { input: { provider: 'SANDBOX', name: 'Nope' } }, agent);
    const listed = await t.client.data('{ whatsappSessions { id } }', {}, auditor);
    assert.ok(listed.whatsappSessions.length >= 1);
  });

  test('sendMessage validates its input', async () => {
    await t.client.expectError('VALIDATION_FAILED', SEND, { input: { body: 'no target' } }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', SEND, { input: { phone: '+15550001234', contactId: '00000000-0000-4000-8000-000000000000', body: 'x' } }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', SEND, { input: { phone: '+15550001234' } }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', SEND, { input: { phone: 'not a phone', body: 'x' } }, owner.token);
    await t.client.expectError('NOT_FOUND', SEND, { input: { conversationId: '00000000-0000-4000-8000-000000000000', body: 'x' } }, owner.token);
  });
});
