import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { WebhookReceiver } from '../support/webhook-receiver';
import { CONNECT, eventually, randomPhone } from '../whatsapp/whatsapp-test-kit';

const CREATE_KEY = `mutation ($name: String!, $role: TenantRole, $scopes: [ApiKeyScope!], $expiresAt: DateTimeISO) {
  createApiKey(name: $name, role: $role, scopes: $scopes, expiresAt: $expiresAt) { secret apiKey { id scopes expiresAt lastUsedAt } }
}`;
const EVENTS = `query ($after: String, $types: [String!], $first: Int) {
  events(after: $after, types: $types, first: $first) { endCursor hasNextPage events { id seq type timestamp subjectId data } }
}`;

describe('a partner, end to end', () => {
  let t: TestApp;
  let waha: FakeWahaServer;
  let receiver: WebhookReceiver;
  let owner: SignedUp;
  let session: { externalSessionId: string };

  before(async () => {
    waha = await FakeWahaServer.start({ apiKey: 'waha-api-key' });
    receiver = await WebhookReceiver.start();
    t = await startTestApp({ ...waha.appEnv(), JOBS_POLLING_INTERVAL_SECONDS: '0.5', WEBHOOK_RETRY_DELAYS_SECONDS: '0.3,0.6,1' });
    owner = await t.client.signUp();
    session = (await t.client.data(CONNECT, { input: { name: 'Shop line' } }, owner.token)).connectWhatsApp;
  });
  after(async () => {
    await t?.stop();
    await waha?.close();
    await receiver?.close();
  });

  test('scoped key → signed webhook retried until accepted → same event in the feed; a key without the scope is refused', async () => {
    // 1. The organisation gives the partner a scoped, expiring key.
    const expiresAt = new Date(Date.now() + 24 * 3600_000).toISOString();
    const { createApiKey: created } = await t.client.data(CREATE_KEY, { name: 'ERP', role: 'TENANT_ADMIN', scopes: ['INBOX', 'WEBHOOKS'], expiresAt }, owner.token);
    const key = created.secret;
    assert.deepEqual(created.apiKey.scopes, ['INBOX', 'WEBHOOKS']);

    // 2. The partner asks who it is; `me` answers null for a key without failing the request.
    const who = await t.client.request(`{ viewer { kind id name tenantId role scopes expiresAt } me { user { id } } }`, {}, key);
    assert.equal(who.errors, undefined);
    assert.deepEqual(who.data.viewer, { kind: 'API_KEY', id: created.apiKey.id, name: 'ERP', tenantId: owner.tenantId, role: 'TENANT_ADMIN', scopes: ['INBOX', 'WEBHOOKS'], expiresAt });
    assert.equal(who.data.me, null);

    // 3. It registers its receiver, which fails the first two attempts.
    const endpoint = (
      await t.client.data(
        `mutation ($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
        { input: { url: `${receiver.url}/crm`, eventTypes: ['message.*'], description: 'ERP inbox sync' } },
        key,
      )
    ).createWebhookEndpoint;
    receiver.secret = endpoint.secret;
    let failuresLeft = 2;
    receiver.respond = (request) => (request.verified && failuresLeft-- > 0 ? 500 : undefined);

    // 4. A customer writes on WhatsApp (a signed WAHA webhook).
    const phone = randomPhone();
    const posted = await waha.postWebhook(`${t.url}/webhooks/waha`, 'message', { session: session.externalSessionId, payload: FakeWahaServer.inboundText(phone, 'Is order 42 shipped?') });
    assert.equal(posted.status, 200);

    // 5. The delivery is retried and then accepted; every attempt verifies with standardwebhooks.
    const accepted = await eventually(async () => receiver.received.find((request) => request.answered === 200), 'the accepted delivery', 15_000);
    const attempts = receiver.received.filter((request) => request.headers['webhook-id'] === accepted.headers['webhook-id']);
    assert.deepEqual(attempts.map((request) => request.answered), [500, 500, 200]);
    assert.equal(attempts.every((request) => request.verified), true);
    assert.equal(accepted.json!.type, 'message.received');
    assert.equal((accepted.json!.data as any).message.body, 'Is order 42 shipped?');
    const deliveries = await t.client.data(
      `query ($id: ID!) { webhookDeliveries(endpointId: $id) { edges { node { eventId status attempts { statusCode latencyMs } } } } }`,
      { id: endpoint.endpoint.id },
      key,
    );
    const delivery = deliveries.webhookDeliveries.edges.map((edge: any) => edge.node).find((node: any) => node.eventId === accepted.headers['webhook-id']);
    assert.equal(delivery.status, 'SUCCEEDED');
    assert.deepEqual(delivery.attempts.map((attempt: any) => attempt.statusCode), [500, 500, 200]);

    // 6. The same event, same payload, from the events feed; the cursor moves on.
    const feed = (await t.client.data(EVENTS, { types: ['message.received'] }, key)).events;
    const fromFeed = feed.events.find((event: any) => event.id === accepted.headers['webhook-id']);
    assert.ok(fromFeed, 'the webhook’s event is in the feed');
    assert.deepEqual(fromFeed.data, accepted.json!.data);
    assert.equal(new Date(fromFeed.timestamp).toISOString(), accepted.json!.timestamp);
    assert.equal(feed.endCursor, feed.events.at(-1).seq);
    const next = (await t.client.data(EVENTS, { after: feed.endCursor, types: ['message.received'] }, key)).events;
    assert.deepEqual(next.events, []);
    assert.equal(next.endCursor, feed.endCursor);

    // 7. A key without the scope is refused with FORBIDDEN and a clear message; what it may do works.
    const contactsKey = (await t.client.data(CREATE_KEY, { name: 'CRM sync', role: 'TENANT_ADMIN', scopes: ['CONTACTS'] }, owner.token)).createApiKey.secret;
    const refused = await t.client.expectError('FORBIDDEN', EVENTS, {}, contactsKey);
    assert.match(refused.message, /lacks the scope for events \(needs WEBHOOKS or READ_ONLY; it has CONTACTS\)/);
    await t.client.expectError('FORBIDDEN', `mutation { deleteWebhookEndpoint(id: "${endpoint.endpoint.id}") }`, {}, contactsKey);
    assert.equal((await t.client.data(`{ contacts(first: 1) { totalCount } }`, {}, contactsKey)).contacts.totalCount, 1);
    const readOnly = (await t.client.data(CREATE_KEY, { name: 'BI', role: 'TENANT_ADMIN', scopes: ['READ_ONLY'] }, owner.token)).createApiKey.secret;
    assert.equal((await t.client.data(EVENTS, { first: 1 }, readOnly)).events.events.length, 1);
    await t.client.expectError('FORBIDDEN', `mutation { createContact(input: { name: "X", phone: "${randomPhone()}" }) { id } }`, {}, readOnly);
    // The key's role still applies on top of its scopes.
    const agentKey = (await t.client.data(CREATE_KEY, { name: 'Bot', role: 'AGENT', scopes: ['ADMIN'] }, owner.token)).createApiKey.secret;
    await t.client.expectError('FORBIDDEN', `{ webhookEndpoints { id } }`, {}, agentKey);

    // 8. Keys record their last use, and rotate: the old secret stops at once.
    const listed = await eventually(async () => {
      const keys = (await t.client.data(`{ apiKeys { id lastUsedAt } }`, {}, owner.token)).apiKeys;
      return keys.find((k: any) => k.id === created.apiKey.id && k.lastUsedAt);
    }, 'lastUsedAt');
    assert.ok(Date.now() - new Date(listed.lastUsedAt).getTime() < 60_000);
    const rotated = (await t.client.data(`mutation ($id: ID!) { rotateApiKey(id: $id) { secret apiKey { id scopes } } }`, { id: created.apiKey.id }, owner.token)).rotateApiKey;
    assert.deepEqual(rotated.apiKey, { id: created.apiKey.id, scopes: ['INBOX', 'WEBHOOKS'] });
    await t.client.expectError('UNAUTHENTICATED', `{ viewer { id } }`, {}, key);
    assert.equal((await t.client.data(`{ viewer { id } }`, {}, rotated.secret)).viewer.id, created.apiKey.id);
  });
});
