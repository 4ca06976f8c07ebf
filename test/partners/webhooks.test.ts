import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { WebhookReceiver } from '../support/webhook-receiver';
import { eventually, tenantQuery } from '../whatsapp/whatsapp-test-kit';

const CREATE = `mutation ($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id url eventTypes enabled description } }
}`;
const DELIVERIES = `query ($id: ID!, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $id, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id eventId eventType status attemptCount attempts { statusCode latencyMs error } body } }
  }
}`;
const QUICK_REPLY = `mutation ($input: CreateQuickReplyInput!) { createQuickReply(input: $input) { id } }`;

let counter = 0;
const quickReply = (t: TestApp, token: string) => {
  counter += 1;
  return t.client.data(QUICK_REPLY, { input: { shortcut: `/q${counter}${Date.now() % 100000}`, title: 'Hours', body: 'We open at 9' } }, token);
};

describe('outgoing webhooks', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let good: WebhookReceiver;
  let slow: WebhookReceiver;

  before(async () => {
    t = await startTestApp({ JOBS_POLLING_INTERVAL_SECONDS: '0.5', WEBHOOK_RETRY_DELAYS_SECONDS: '0.2,0.2,0.2', WEBHOOK_TIMEOUT_MS: '1500' });
    [a, b] = await Promise.all([t.client.signUp(), t.client.signUp()]);
    [good, slow] = await Promise.all([WebhookReceiver.start(), WebhookReceiver.start()]);
  });
  after(async () => {
    await t?.stop();
    await good?.close();
    await slow?.close();
  });

  test('an endpoint gets signed deliveries of the events it takes; a slow endpoint does not delay it', async () => {
    const created = (await t.client.data(CREATE, { input: { url: `${good.url}/hooks`, eventTypes: ['quick_reply.*'], description: 'shop' } }, a.token))
      .createWebhookEndpoint;
    assert.match(created.secret, /^whsec_/);
    good.secret = created.secret;
    const hanging = (await t.client.data(CREATE, { input: { url: `${slow.url}/hooks`, eventTypes: ['*'] } }, a.token)).createWebhookEndpoint;
    slow.secret = hanging.secret;
    slow.respond = () => 'hang';
    // The secret is not readable afterwards.
    const listed = await t.client.request(`{ webhookEndpoints { id url eventTypes enabled } }`, {}, a.token);
    assert.equal(listed.data.webhookEndpoints.length, 2);
    assert.equal(JSON.stringify(listed).includes(created.secret), false);

    const started = Date.now();
    const { createQuickReply } = await quickReply(t, a.token);
    const got = await eventually(async () => good.received.find((request) => (request.json?.data?.quick_reply as any)?.id === createQuickReply.id), 'the delivery');
    assert.ok(Date.now() - started < 1400, 'delivered while the slow endpoint still hangs');
    assert.equal(got.verified, true);
    assert.equal(got.json!.type, 'quick_reply.created');
    assert.match(String(got.headers['webhook-signature']), /^v1,[A-Za-z0-9+/=]+$/);
    const [event] = await tenantQuery<{ id: string }>(t, a.tenantId, `SELECT id FROM domain_events WHERE type = 'quick_reply.created' AND subject_id = $1`, [createQuickReply.id]);
    assert.equal(got.headers['webhook-id'], event.id);
    // A forged body does not verify with the secret.
    assert.throws(() => new Webhook(created.secret).verify(got.body.replace('Hours', 'Hacked'), { 'webhook-id': String(got.headers['webhook-id']), 'webhook-timestamp': String(got.headers['webhook-timestamp']), 'webhook-signature': String(got.headers['webhook-signature']) }));

    // The slow endpoint's delivery times out and is retried, and shows in its deliveries.
    const slowDeliveries = await eventually(async () => {
      const page = (await t.client.data(DELIVERIES, { id: hanging.endpoint.id }, a.token)).webhookDeliveries;
      const node = page.edges.map((edge: any) => edge.node).find((n: any) => n.eventId === event.id);
      return node && node.attemptCount >= 2 ? node : null;
    }, 'timed-out attempts', 15_000);
    assert.match(slowDeliveries.attempts[0].error, /no answer within 1500 ms/);
    assert.ok(slowDeliveries.attempts[0].latencyMs >= 1400);
    await t.client.data(`mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: hanging.endpoint.id }, a.token);
  });

  test('a failing endpoint is retried until it accepts; deliveries show attempts; redeliver sends again', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const created = (await t.client.data(CREATE, { input: { url: receiver.url, eventTypes: ['quick_reply.created'] } }, a.token)).createWebhookEndpoint;
      receiver.secret = created.secret;
      let failures = 2;
      receiver.respond = () => (failures-- > 0 ? 503 : undefined);
      await quickReply(t, a.token);
      const delivery = await eventually(async () => {
        const node = (await t.client.data(DELIVERIES, { id: created.endpoint.id }, a.token)).webhookDeliveries.edges[0]?.node;
        return node?.status === 'SUCCEEDED' ? node : null;
      }, 'the delivery to succeed');
      assert.deepEqual(delivery.attempts.map((attempt: any) => attempt.statusCode), [503, 503, 200]);
      assert.equal(receiver.received.length, 3);
      assert.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1, 'the same webhook-id on every retry');
      assert.equal(receiver.received.every((r) => r.verified), true);

      const redelivered = await t.client.data(`mutation ($id: ID!) { redeliverWebhook(deliveryId: $id) { id status } }`, { id: delivery.id }, a.token);
      assert.equal(redelivered.redeliverWebhook.status, 'PENDING');
      await eventually(async () => receiver.received.length === 4, 'the redelivery');

      // Paging.
      await quickReply(t, a.token);
      await eventually(async () => (await t.client.data(DELIVERIES, { id: created.endpoint.id }, a.token)).webhookDeliveries.totalCount === 2, 'two deliveries');
      const first = (await t.client.data(DELIVERIES, { id: created.endpoint.id, first: 1 }, a.token)).webhookDeliveries;
      assert.equal(first.pageInfo.hasNextPage, true);
      const second = (await t.client.data(DELIVERIES, { id: created.endpoint.id, first: 1, after: first.pageInfo.endCursor }, a.token)).webhookDeliveries;
      assert.equal(second.edges[0].node.id, delivery.id);
      assert.equal(second.pageInfo.hasNextPage, false);
    } finally {
      await receiver.close();
    }
  });

  test('rotation: old and new secrets both sign during the grace period', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const created = (await t.client.data(CREATE, { input: { url: receiver.url, eventTypes: ['quick_reply.created'] } }, a.token)).createWebhookEndpoint;
      const rotated = (
        await t.client.data(`mutation ($id: ID!) { rotateWebhookSecret(id: $id, gracePeriodHours: 1) { secret endpoint { previousSecretExpiresAt } } }`, { id: created.endpoint.id }, a.token)
      ).rotateWebhookSecret;
      assert.notEqual(rotated.secret, created.secret);
      assert.ok(new Date(rotated.endpoint.previousSecretExpiresAt).getTime() > Date.now());
      receiver.secret = rotated.secret;
      await quickReply(t, a.token);
      const got = await eventually(async () => receiver.received[0], 'a delivery');
      const signatures = String(got.headers['webhook-signature']).split(' ');
      assert.equal(signatures.length, 2);
      assert.equal(got.verified, true, 'verifies with the new secret');
      const headers = { 'webhook-id': String(got.headers['webhook-id']), 'webhook-timestamp': String(got.headers['webhook-timestamp']), 'webhook-signature': String(got.headers['webhook-signature']) };
      assert.doesNotThrow(() => new Webhook(created.secret).verify(got.body, headers), 'and with the old one');
    } finally {
      await receiver.close();
    }
  });

  test('an endpoint failing for too long is disabled with an event', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const created = (await t.client.data(CREATE, { input: { url: receiver.url, eventTypes: ['quick_reply.created'] } }, a.token)).createWebhookEndpoint;
      receiver.respond = () => 500;
      await tenantQuery(t, a.tenantId, `UPDATE webhook_endpoints SET failing_since = now() - interval '6 days' WHERE id = $1`, [created.endpoint.id]);
      await quickReply(t, a.token);
      await eventually(async () => {
        const [row] = await tenantQuery<{ enabled: boolean }>(t, a.tenantId, 'SELECT enabled FROM webhook_endpoints WHERE id = $1', [created.endpoint.id]);
        return row.enabled === false;
      }, 'the endpoint disabled');
      const [event] = await tenantQuery<{ payload: any }>(t, a.tenantId, `SELECT payload FROM domain_events WHERE type = 'webhook_endpoint.disabled' AND subject_id = $1`, [created.endpoint.id]);
      assert.equal(event.payload.webhookEndpoint.enabled, false);
      assert.equal(JSON.stringify(event.payload).includes('whsec_'), false);
      const count = receiver.received.length;
      await quickReply(t, a.token);
      await new Promise((resolve) => setTimeout(resolve, 800));
      assert.equal(receiver.received.length, count, 'a disabled endpoint gets nothing');
    } finally {
      await receiver.close();
    }
  });

  test("another tenant sees none of it; bad input is refused with VALIDATION_FAILED", async () => {
    const { webhookEndpoints } = await t.client.data(`{ webhookEndpoints { id } }`, {}, a.token);
    const id = webhookEndpoints[0].id;
    assert.deepEqual((await t.client.data(`{ webhookEndpoints { id } }`, {}, b.token)).webhookEndpoints, []);
    await t.client.expectError('NOT_FOUND', DELIVERIES, { id }, b.token);
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id }, b.token);
    assert.equal((await t.client.data(`mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id }, b.token)).deleteWebhookEndpoint, false);
    await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { url: 'ftp://example.com', eventTypes: ['*'] } }, a.token);
    await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { url: 'https://example.com', eventTypes: ['not a type'] } }, a.token);
    await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { url: 'https://example.com', eventTypes: [] } }, a.token);
  });
});

describe('outgoing webhooks in production', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'false' });
  });
  after(async () => t?.stop());

  test('private, loopback and link-local targets are refused, literal or resolved', async () => {
    const owner = await t.client.signUp();
    for (const url of ['http://127.0.0.1:9/x', 'http://10.1.2.3/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://localhost:8080/', 'http://[::ffff:127.0.0.1]/']) {
      const error = await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { url, eventTypes: ['*'] } }, owner.token);
      assert.match(error.message, /private|loopback|resolve/, url);
    }
  });
});
