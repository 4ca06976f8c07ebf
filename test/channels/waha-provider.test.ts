import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { InboundMessageEvent } from '../../src/channels/channel-events';
import { ProviderError } from '../../src/channels/channel-errors';
import { WahaClient } from '../../src/channels/waha/waha-client';
import { WAHA_WEBHOOK_EVENTS, WahaProvider } from '../../src/channels/waha/waha-provider';
import { verifyWahaSignature } from '../../src/channels/waha/waha-signature';
import { parseWahaWebhook } from '../../src/channels/waha/waha-webhook-parser';
import { FakeWahaServer } from '../fakes/fake-waha-server';

const API_KEY = 'waha-api-key-for-tests';
const HMAC_KEY = 'waha-hmac-key-for-tests-0123';
const WEBHOOK_URL = 'https://crm.example.test/webhooks/waha';

async function rejectsWith(promise: Promise<unknown>, check: (error: ProviderError) => void): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ProviderError, `expected ProviderError, got ${String(error)}`);
    check(error);
    return true;
  });
}

describe('WAHA provider against the fake WAHA server', () => {
  let fake: FakeWahaServer;
  let client: WahaClient;
  let provider: WahaProvider;

  beforeEach(async () => {
    fake = await FakeWahaServer.start({ apiKey: API_KEY, hmacKey: HMAC_KEY, reportedBaseUrl: 'http://localhost:3000' });
    client = new WahaClient({ baseUrl: fake.url, apiKey: API_KEY, timeoutMs: 2_000, sendTimeoutMs: 300 });
    provider = new WahaProvider({ client, sessionName: 'tenant-a-main', hmacKey: HMAC_KEY });
  });

  afterEach(async () => {
    const unexpected = fake.unexpectedRequests.map((request) => `${request.method} ${request.path}`);
    await fake.close();
    assert.deepEqual(unexpected, [], 'no unexpected requests reached WAHA');
  });

  test('startSession creates the session with webhook, HMAC key, events and metadata', async () => {
    const state = await provider.startSession({ webhookUrl: WEBHOOK_URL, metadata: { tenantId: 't-1', channelId: 'c-9' } });
    assert.deepEqual(
      fake.requests.map((request) => `${request.method} ${request.path}`),
      ['GET /api/sessions/tenant-a-main', 'POST /api/sessions', 'GET /api/tenant-a-main/auth/qr'],
    );
    const created = fake.requestsTo('POST', '/api/sessions')[0].json as {
      name: string;
      start: boolean;
      config: { metadata: Record<string, string>; webhooks: { url: string; events: string[]; hmac: { key: string }; retries: unknown }[] };
    };
    assert.equal(created.name, 'tenant-a-main');
    assert.equal(created.start, true);
    assert.deepEqual(created.config.metadata, { tenantId: 't-1', channelId: 'c-9' });
    assert.equal(created.config.webhooks.length, 1);
    assert.equal(created.config.webhooks[0].url, WEBHOOK_URL);
    assert.deepEqual(created.config.webhooks[0].hmac, { key: HMAC_KEY });
    const events: string[] = created.config.webhooks[0].events;
    assert.ok(events.includes('message.any'));
    assert.ok(!events.includes('message'), 'never both message and message.any');
    assert.deepEqual(events, [...WAHA_WEBHOOK_EVENTS]);
    assert.ok(created.config.webhooks[0].retries);
    for (const request of fake.requests) assert.equal(request.headers['x-api-key'], API_KEY);

    assert.equal(state.externalSessionId, 'tenant-a-main');
    assert.equal(state.status, 'SCAN_QR_CODE');
    assert.equal(state.qrCode, fake.sessions.get('tenant-a-main')?.qrValue);
  });

  test('startSession on an existing session: start only, or update first when the webhook changed', async () => {
    await provider.startSession({ webhookUrl: WEBHOOK_URL, metadata: { tenantId: 't-1' } });
    fake.setSession('tenant-a-main', 'STOPPED');
    fake.requests.length = 0;
    const same = await provider.startSession({ webhookUrl: WEBHOOK_URL, metadata: { tenantId: 't-1' } });
    assert.deepEqual(
      fake.requests.map((request) => `${request.method} ${request.path}`),
      ['GET /api/sessions/tenant-a-main', 'POST /api/sessions/tenant-a-main/start', 'GET /api/tenant-a-main/auth/qr'],
    );
    assert.equal(same.status, 'SCAN_QR_CODE');

    fake.requests.length = 0;
    await provider.startSession({ webhookUrl: 'https://new.example.test/webhooks/waha', metadata: { tenantId: 't-1' } });
    assert.deepEqual(
      fake.requests.slice(0, 3).map((request) => `${request.method} ${request.path}`),
      ['GET /api/sessions/tenant-a-main', 'PUT /api/sessions/tenant-a-main', 'POST /api/sessions/tenant-a-main/start'],
    );
    const config = fake.sessions.get('tenant-a-main')?.config as { webhooks: { url: string }[] };
    assert.equal(config.webhooks[0].url, 'https://new.example.test/webhooks/waha');
  });

  test('QR: raw value while scanning, null once WORKING; stop and logout report their status', async () => {
    await provider.startSession({ webhookUrl: WEBHOOK_URL });
    const qr = await provider.getQrCode();
    assert.equal(qr?.value, fake.sessions.get('tenant-a-main')?.qrValue);
    const image = await client.getQrImage('tenant-a-main');
    assert.equal(image?.mimetype, 'image/png');
    assert.equal(image?.data.subarray(1, 4).toString('latin1'), 'PNG');

    fake.setSession('tenant-a-main', 'WORKING');
    assert.equal(await provider.getQrCode(), null);
    assert.equal((await provider.stopSession()).status, 'STOPPED');
    fake.setSession('tenant-a-main', 'WORKING');
    const loggedOut = await provider.logoutSession();
    assert.equal(loggedOut.status, 'SCAN_QR_CODE');
    assert.ok(loggedOut.qrCode);
  });

  test('sendText sends the WAHA body and returns the message id', async () => {
    fake.setSession('tenant-a-main', 'WORKING');
    const result = await provider.sendText({
      to: '+49 151 1234-5678',
      body: 'Hello Anna',
      clientMessageId: 'out-1',
      replyToProviderId: 'false_4915112345678@c.us_QUOTED',
    });
    assert.equal(fake.sent.length, 1);
    assert.equal(result.providerMessageId, fake.sent[0].id);
    assert.match(result.providerMessageId ?? '', /^true_4915112345678@c\.us_[0-9A-F]{32}$/);
    assert.deepEqual(fake.requestsTo('POST', '/api/sendText')[0].json, {
      session: 'tenant-a-main',
      chatId: '4915112345678@c.us',
      text: 'Hello Anna',
      reply_to: 'false_4915112345678@c.us_QUOTED',
    });
  });

  test('send answers of every engine give the id; an empty answer gives null', async () => {
    fake.setSession('tenant-a-main', 'WORKING');
    fake.setSendStyle('WEBJS_ID_OBJECT');
    assert.equal((await provider.sendText({ to: '4915112345678', body: 'a', clientMessageId: '1' })).providerMessageId, fake.sent[0].id);
    fake.setSendStyle('NOWEB');
    assert.equal((await provider.sendText({ to: '4915112345678', body: 'b', clientMessageId: '2' })).providerMessageId, fake.sent[1].id);
    fake.setSendStyle('EMPTY');
    const empty = await provider.sendText({ to: '4915112345678', body: 'c', clientMessageId: '3' });
    assert.equal(empty.providerMessageId, null);
    assert.equal(fake.sent.length, 3);
  });

  test('sendMedia: image by URL to /api/sendImage, file by bytes (base64) to /api/sendFile', async () => {
    fake.setSession('tenant-a-main', 'WORKING');
    await provider.sendMedia({
      to: '4915112345678',
      kind: 'image',
      url: 'https://cdn.example.test/p.jpg',
      mimetype: 'image/jpeg',
      filename: 'p.jpg',
      caption: 'Look',
      clientMessageId: 'm-1',
    });
    await provider.sendMedia({
      to: '4915112345678',
      kind: 'file',
      bytes: Buffer.from('%PDF-1.4 test'),
      mimetype: 'application/pdf',
      filename: 'offer.pdf',
      clientMessageId: 'm-2',
    });
    assert.deepEqual(fake.requestsTo('POST', '/api/sendImage')[0].json, {
      session: 'tenant-a-main',
      chatId: '4915112345678@c.us',
      file: { mimetype: 'image/jpeg', url: 'https://cdn.example.test/p.jpg', filename: 'p.jpg' },
      caption: 'Look',
    });
    const file = fake.requestsTo('POST', '/api/sendFile')[0].json as { file: { data: string; filename: string } };
    assert.equal(Buffer.from(file.file.data, 'base64').toString(), '%PDF-1.4 test');
    assert.equal(file.file.filename, 'offer.pdf');
  });

  test('templates are unsupported on WAHA and send nothing', async () => {
    await rejectsWith(provider.sendTemplate({ to: '4915112345678', name: 'hello', languageCode: 'en', clientMessageId: 'x' }), (error) => {
      assert.equal(error.providerCode, 'UNSUPPORTED');
      assert.equal(error.retryable, false);
    });
    assert.equal(fake.requests.length, 0);
  });

  test('a 500 is retryable with an unknown outcome; the next send goes through', async () => {
    fake.setSession('tenant-a-main', 'WORKING');
    fake.failNextSends(1, 500);
    await rejectsWith(provider.sendText({ to: '4915112345678', body: 'x', clientMessageId: 'r-1' }), (error) => {
      assert.equal(error.retryable, true);
      assert.equal(error.outcomeUnknown, true);
      assert.equal(error.httpStatus, 500);
      assert.equal(error.providerCode, 'HTTP_500');
      assert.equal(error.extensions.code, 'PROVIDER_ERROR');
    });
    const ok = await provider.sendText({ to: '4915112345678', body: 'x', clientMessageId: 'r-1' });
    assert.ok(ok.providerMessageId);
  });

  test('429 is retryable; 400 and a session that is not WORKING (422) are not', async () => {
    fake.setSession('tenant-a-main', 'WORKING');
    fake.failNextSends(1, 429, { statusCode: 429, message: 'Too Many Requests' });
    await rejectsWith(provider.sendText({ to: '4915112345678', body: 'x', clientMessageId: '1' }), (error) => {
      assert.equal(error.retryable, true);
      assert.equal(error.outcomeUnknown, false);
    });
    fake.failNextSends(1, 400, { statusCode: 400, message: ['chatId must be valid'], error: 'Bad Request' });
    await rejectsWith(provider.sendText({ to: '4915112345678', body: 'x', clientMessageId: '2' }), (error) => {
      assert.equal(error.retryable, false);
      assert.equal(error.outcomeUnknown, false);
      assert.match(error.message, /chatId must be valid/);
    });
    fake.setSession('tenant-a-main', 'STARTING');
    await rejectsWith(provider.sendText({ to: '4915112345678', body: 'x', clientMessageId: '3' }), (error) => {
      assert.equal(error.httpStatus, 422);
      assert.equal(error.retryable, false);
    });
  });

  test('a hanging WAHA times out: retryable, outcome unknown', async () => {
    fake.setSession('tenant-a-main', 'WORKING');
    fake.hangNextSends(1);
    const started = Date.now();
    await rejectsWith(provider.sendText({ to: '4915112345678', body: 'x', clientMessageId: 'h-1' }), (error) => {
      assert.equal(error.providerCode, 'TIMEOUT');
      assert.equal(error.retryable, true);
      assert.equal(error.outcomeUnknown, true);
    });
    assert.ok(Date.now() - started < 2_000, 'the timeout applies');
  });

  test('an uncertain send is found by findSentMessage; an unsent one is not', async () => {
    fake.setSession('tenant-a-main', 'WORKING');
    const attemptStarted = new Date();
    fake.loseNextResponses(1);
    await rejectsWith(provider.sendText({ to: '4915112345678', body: 'Your order shipped', clientMessageId: 'u-1' }), (error) => {
      assert.equal(error.outcomeUnknown, true);
    });
    const found = await provider.findSentMessage({ to: '4915112345678', body: 'Your order shipped', sentAfter: attemptStarted });
    assert.equal(found, fake.sent[0].id);
    assert.equal(await provider.findSentMessage({ to: '4915112345678', body: 'Another text', sentAfter: attemptStarted }), null);
    assert.equal(fake.requestsTo('GET', '/api/tenant-a-main/chats/4915112345678%40c.us/messages').length, 2);
  });

  test('a wrong API key is a non-retryable 401', async () => {
    const wrong = new WahaProvider({
      client: new WahaClient({ baseUrl: fake.url, apiKey: 'nope', timeoutMs: 1_000 }),
      sessionName: 'tenant-a-main',
      hmacKey: HMAC_KEY,
    });
    await rejectsWith(wrong.getQrCode(), (error) => {
      assert.equal(error.httpStatus, 401);
      assert.equal(error.retryable, false);
    });
  });

  test('an invalid recipient fails before any request', async () => {
    await rejectsWith(provider.sendText({ to: 'not a phone', body: 'x', clientMessageId: '1' }), (error) => {
      assert.equal(error.providerCode, 'INVALID_RECIPIENT');
    });
    assert.equal(fake.requests.length, 0);
  });

  test('markSeen posts sendSeen with the message and participant', async () => {
    fake.setSession('tenant-a-main', 'WORKING');
    await provider.markSeen({ chatId: '120363402931855007@g.us', providerMessageId: 'false_x', participant: '4915112345678@c.us' });
    assert.deepEqual(fake.requestsTo('POST', '/api/sendSeen')[0].json, {
      session: 'tenant-a-main',
      chatId: '120363402931855007@g.us',
      messageId: 'false_x',
      participant: '4915112345678@c.us',
    });
  });

  test('fetchMedia downloads from WAHA_URL whatever host the webhook names; gone files fail for good', async () => {
    const bytes = Buffer.from('JPEGDATA-0123456789');
    const announced = fake.hostFile('tenant-a-main/false_1@c.us_ABC.jpg', bytes, 'image/jpeg');
    assert.ok(announced.startsWith('http://localhost:3000/api/files/'));
    const event = parseWahaWebhook(
      fake.buildWebhook('message.media-image', { payload: { media: { url: announced, mimetype: 'image/jpeg', filename: 'ABC.jpg' } } }),
    ).events[0] as InboundMessageEvent;
    assert.ok(event.media);
    const media = await provider.fetchMedia(event.media);
    assert.deepEqual(media, { bytes, mimetype: 'image/jpeg', filename: 'ABC.jpg' });
    assert.equal(fake.requestsTo('GET', '/api/files/tenant-a-main/false_1@c.us_ABC.jpg')[0].headers['x-api-key'], API_KEY);

    fake.deleteFile('tenant-a-main/false_1@c.us_ABC.jpg');
    await rejectsWith(provider.fetchMedia(event.media), (error) => {
      assert.equal(error.providerCode, 'MEDIA_GONE');
      assert.equal(error.retryable, false);
    });
  });

  test('fetchMedia refuses URLs outside /api/files and media of other providers, without a request', async () => {
    for (const url of ['http://localhost:3000/api/sessions', 'http://evil.example.test/steal', 'file:///etc/passwd']) {
      await rejectsWith(provider.fetchMedia({ provider: 'WAHA', url, mimetype: 'image/jpeg' }), (error) => {
        assert.equal(error.providerCode, 'MEDIA_URL_REJECTED');
      });
    }
    await rejectsWith(provider.fetchMedia({ provider: 'CLOUD', mediaId: '1', mimetype: 'image/jpeg' }), (error) => {
      assert.equal(error.providerCode, 'UNSUPPORTED');
    });
    await rejectsWith(provider.fetchMedia({ provider: 'WAHA', url: null, mimetype: 'image/jpeg', error: 'too big' }), (error) => {
      assert.equal(error.providerCode, 'MEDIA_UNAVAILABLE');
    });
    assert.equal(fake.requests.length, 0);
  });
});

describe('WAHA client network failures', () => {
  test('connection refused is retryable and known not to have sent', async () => {
    const fake = await FakeWahaServer.start();
    const url = fake.url;
    await fake.close();
    const client = new WahaClient({ baseUrl: url, timeoutMs: 1_000, sendTimeoutMs: 1_000 });
    await rejectsWith(client.sendText({ session: 's', chatId: '4915112345678@c.us', text: 'x' }), (error) => {
      assert.equal(error.providerCode, 'NETWORK');
      assert.equal(error.retryable, true);
      assert.equal(error.outcomeUnknown, false);
    });
  });
});

describe('fake WAHA server', () => {
  let fake: FakeWahaServer;
  before(async () => {
    fake = await FakeWahaServer.start();
  });
  after(async () => {
    await fake.close();
  });

  test('unexpected paths answer 404 and are recorded', async () => {
    const response = await fetch(`${fake.url}/api/unknown/thing`, { method: 'POST' });
    assert.equal(response.status, 404);
    assert.deepEqual(
      fake.unexpectedRequests.map((request) => `${request.method} ${request.path}`),
      ['POST /api/unknown/thing'],
    );
  });
});

describe('WAHA webhooks end to end: signed by the fake, verified and parsed by us', () => {
  let fake: FakeWahaServer;
  let receiver: Server;
  let receiverUrl: string;
  const received: InboundMessageEvent[] = [];

  before(async () => {
    fake = await FakeWahaServer.start({ hmacKey: HMAC_KEY });
    receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      if (!verifyWahaSignature(raw, req.headers['x-webhook-hmac'], HMAC_KEY, req.headers['x-webhook-hmac-algorithm'])) {
        res.writeHead(401).end();
        return;
      }
      try {
        const parsed = parseWahaWebhook(raw);
        received.push(...(parsed.events as InboundMessageEvent[]));
        res.writeHead(200).end(parsed.routingKey);
      } catch {
        res.writeHead(400).end();
      }
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/waha`;
  });

  after(async () => {
    await fake.close();
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  test('a signed inbound message is accepted and routed by session', async () => {
    const result = await fake.postWebhook(receiverUrl, 'message', {
      session: 'tenant-b',
      id: 'evt_e2e_1',
      payload: FakeWahaServer.inboundText('4915112345678', 'Is it in stock?'),
    });
    assert.equal(result.status, 200);
    assert.equal(result.body, 'tenant-b');
    assert.equal(received.at(-1)?.body, 'Is it in stock?');
    assert.equal(received.at(-1)?.eventId, 'evt_e2e_1');
  });

  test('wrong key, tampered body and unsigned deliveries are refused; signed garbage is a 400', async () => {
    const before = received.length;
    assert.equal((await fake.postWebhook(receiverUrl, 'message', {}, { signWith: 'another-key-0123456789' })).status, 401);
    assert.equal((await fake.postWebhook(receiverUrl, 'message', {}, { tamper: (body) => body.replace('Hi there!', 'Pay now!') })).status, 401);
    assert.equal((await fake.postWebhook(receiverUrl, 'message', {}, { signWith: null })).status, 401);
    assert.equal((await fake.postWebhook(receiverUrl, 'message', { payload: { timestamp: 'x' } })).status, 400);
    assert.equal(received.length, before);
  });
});
