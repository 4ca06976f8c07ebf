import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { platformAdminToken } from '../support/platform-admin';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { CONNECT, randomPhone, tenantQuery } from '../whatsapp/whatsapp-test-kit';
import { openSocket } from './security-support';

const CREATE_CONTACT = `mutation ($input: CreateContactInput!) { createContact(input: $input) { id name } }`;
const FAILED = `query ($first: Int) { failedWebhookEvents(first: $first) { provider tenantId eventId error payload } }`;

describe('finding 5: poison input', () => {
  let t: TestApp;
  let waha: FakeWahaServer;
  let a: SignedUp;
  let session: { id: string; externalSessionId: string };
  let opsToken: string;
  let hook: string;

  const inbound = (phone: string, body: string, extra: Record<string, unknown> = {}) =>
    waha.postWebhook(hook, 'message', { session: session.externalSessionId, payload: { ...FakeWahaServer.inboundText(phone, body), ...extra } });

  before(async () => {
    waha = await FakeWahaServer.start({ apiKey: 'waha-api-key' });
    t = await startTestApp({ ...waha.appEnv() });
    hook = `${t.url}/webhooks/waha`;
    a = await t.client.signUp();
    session = (await t.client.data(CONNECT, { input: { provider: 'WAHA', name: 'Poison line' } }, a.token)).connectWhatsApp;
    opsToken = await platformAdminToken(t);
  });
  after(async () => {
    await t?.stop();
    await waha?.close();
  });

  test('a signed webhook whose text holds U+0000 or a lone surrogate is stored, cleaned, and answered 200', async () => {
    const phone = randomPhone();
    const posted = await inbound(phone, 'before\u0000after \ud800 lone \udfff end 😀', { _data: { notifyName: 'Ann\u0000ie' } });
    assert.equal(posted.status, 200, posted.body);
    const rows = await tenantQuery<{ body: string; raw_payload: { payload: { body: string } } }>(
      t,
      a.tenantId,
      `SELECT m.body, m.raw_payload FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts k ON k.id = c.contact_id WHERE k.phone = $1`,
      [phone],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].body, 'before\uFFFDafter \uFFFD lone \uFFFD end 😀', 'replaced, and a real surrogate pair kept');
    assert.equal(rows[0].raw_payload.payload.body, rows[0].body);
    // A redelivery is a duplicate, not another failure.
    assert.equal((await inbound(phone, 'before\u0000after')).status, 200);
  });

  test('a signed webhook that cannot be stored is answered 2xx and kept as a failed webhook event', async () => {
    const rawId = 'x'.repeat(400); // longer than any provider message id column allows
    for (let delivery = 0; delivery < 2; delivery += 1) {
      const posted = await inbound(randomPhone(), 'too long an id', { id: `false_${randomPhone()}@c.us_${rawId}` });
      assert.equal(posted.status, 200, posted.body);
    }
    const failed = await t.client.data(FAILED, { first: 5 }, opsToken);
    assert.ok(failed.failedWebhookEvents.length >= 2);
    const [latest] = failed.failedWebhookEvents;
    assert.equal(latest.provider, 'WAHA');
    assert.equal(latest.tenantId, a.tenantId);
    assert.match(latest.error, /too long|22001/);
    assert.match(latest.payload, /too long an id/);
    // Tenants cannot read them.
    await t.client.expectError('FORBIDDEN', FAILED, { first: 5 }, a.token);
  });

  test('webhooks are answered 503 with Retry-After, not 500, when PostgreSQL refuses connections', async () => {
    const record = await t.app.platform.registry.find(a.tenantId);
    const admin = await t.admin();
    try {
      await admin.query(`ALTER DATABASE "${record.databaseName}" WITH ALLOW_CONNECTIONS false`);
      await t.app.platform.router.evictTenant(record);
      const body = waha.buildWebhook('message', { session: session.externalSessionId, payload: FakeWahaServer.inboundText(randomPhone(), 'while closed') });
      const posted = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', ...waha.webhookHeaders(body) }, body });
      assert.equal(posted.status, 503, await posted.text());
      assert.equal(posted.headers.get('retry-after'), '5');
    } finally {
      await admin.query(`ALTER DATABASE "${record.databaseName}" WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    const again = await inbound(randomPhone(), 'after reopening');
    assert.equal(again.status, 200, again.body);
  });

  test('GraphQL string input holding U+0000 or a lone surrogate is refused with VALIDATION_FAILED', async () => {
    for (const name of ['a\u0000b', 'lone \ud800 high', 'lone \udc00 low']) {
      const result = await t.client.request(CREATE_CONTACT, { input: { name, phone: `+${randomPhone()}` } }, a.token);
      assert.equal(result.errors?.[0]?.extensions?.code, 'VALIDATION_FAILED', JSON.stringify(result));
      assert.equal(result.status, 400);
    }
    await t.client.expectError('VALIDATION_FAILED', `query ($s: String) { contacts(first: 5, filter: { search: $s }) { totalCount } }`, { s: '\u0000' }, a.token);
    await t.client.expectError('VALIDATION_FAILED', `mutation { createContact(input: { name: "nul \\u0000 here", phone: "+4479111234567" }) { id } }`, {}, a.token);
    await t.client.expectError('VALIDATION_FAILED', `mutation ($csv: String!) { importContacts(csv: $csv) { imported } }`, { csv: 'name,phone\nA\u0000,+4479111234500\n' }, a.token);
    const socket = await openSocket(t.url, `Bearer ${a.token}`);
    const overWs = await socket.request(CREATE_CONTACT, { input: { name: 'ws \u0000', phone: `+${randomPhone()}` } });
    assert.equal(overWs.errors?.[0]?.extensions?.code, 'VALIDATION_FAILED');
    assert.equal(socket.isClosed(), false);
    socket.close();
  });
});
