import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { InboundMessageEvent } from '../../src/channels/channel-events';
import { ProviderError } from '../../src/channels/channel-errors';
import { CloudClient } from '../../src/channels/cloud/cloud-client';
import { CloudProvider } from '../../src/channels/cloud/cloud-provider';
import { verifyCloudSignature } from '../../src/channels/cloud/cloud-signature';
import { parseCloudWebhook } from '../../src/channels/cloud/cloud-webhook-parser';
import { FakeCloudApiServer } from '../fakes/fake-cloud-api-server';

const PHONE_NUMBER_ID = '106540352242922';
const TOKEN = 'EAAG-tenant-a-token';

async function rejectsWith(promise: Promise<unknown>, check: (error: ProviderError) => void): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ProviderError, `expected ProviderError, got ${String(error)}`);
    check(error);
    return true;
  });
}

describe('Cloud API provider against the fake Graph API', () => {
  let fake: FakeCloudApiServer;
  let client: CloudClient;
  let provider: CloudProvider;

  beforeEach(async () => {
    fake = await FakeCloudApiServer.start({ appSecret: 'app-secret-a' });
    fake.addPhoneNumber(PHONE_NUMBER_ID, TOKEN);
    client = new CloudClient({ baseUrl: fake.graphUrl, timeoutMs: 2_000, sendTimeoutMs: 300 });
    provider = new CloudProvider({ client, phoneNumberId: PHONE_NUMBER_ID, accessToken: TOKEN });
  });

  afterEach(async () => {
    const unexpected = fake.unexpectedRequests.map((request) => `${request.method} ${request.path}`);
    await fake.close();
    assert.deepEqual(unexpected, [], 'no unexpected requests reached the Graph API');
  });

  test('startSession checks the token against the number; no QR on the Cloud API', async () => {
    assert.deepEqual(await provider.startSession({ webhookUrl: 'ignored' }), {
      externalSessionId: PHONE_NUMBER_ID,
      status: 'WORKING',
    });
    assert.equal(fake.requestsTo('GET', `/v21.0/${PHONE_NUMBER_ID}`)[0].headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(await provider.getQrCode(), null);
    const wrong = new CloudProvider({ client, phoneNumberId: PHONE_NUMBER_ID, accessToken: 'stolen' });
    await rejectsWith(wrong.startSession({ webhookUrl: 'x' }), (error) => {
      assert.equal(error.providerCode, '190');
      assert.equal(error.retryable, false);
      assert.ok(!error.message.includes('stolen'), 'the token never appears in errors');
    });
  });

  test('sendText posts a Cloud text message with context and callback data, returns the wamid', async () => {
    const result = await provider.sendText({
      to: '+1 650-555-1234',
      body: 'Yes, in blue too',
      clientMessageId: 'queue-42',
      replyToProviderId: 'wamid.question',
    });
    assert.equal(result.providerMessageId, fake.sent[0].id);
    assert.match(result.providerMessageId ?? '', /^wamid\./);
    const request = fake.requestsTo('POST', `/v21.0/${PHONE_NUMBER_ID}/messages`)[0];
    assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(request.json, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'text',
      text: { body: 'Yes, in blue too', preview_url: false },
      context: { message_id: 'wamid.question' },
      biz_opaque_callback_data: 'queue-42',
    });
  });

  test('sendTemplate posts the template with language and components', async () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Anna' }] }];
    const result = await provider.sendTemplate({
      to: '16505551234',
      name: 'order_update',
      languageCode: 'en_US',
      components,
      clientMessageId: 'queue-43',
    });
    assert.ok(result.providerMessageId);
    const body = fake.sent[0].body;
    assert.equal(body.type, 'template');
    assert.deepEqual(body.template, { name: 'order_update', language: { code: 'en_US' }, components });
  });

  test('sendMedia: image by link; document by bytes is uploaded first and sent by id', async () => {
    await provider.sendMedia({
      to: '16505551234',
      kind: 'image',
      url: 'https://cdn.example.test/a.jpg',
      mimetype: 'image/jpeg',
      caption: 'New colours',
      clientMessageId: 'm1',
    });
    assert.deepEqual(fake.sent[0].body.image, { link: 'https://cdn.example.test/a.jpg', caption: 'New colours' });

    const pdf = Buffer.from('%PDF-1.7 brochure');
    await provider.sendMedia({
      to: '16505551234',
      kind: 'file',
      bytes: pdf,
      mimetype: 'application/pdf',
      filename: 'brochure.pdf',
      clientMessageId: 'm2',
    });
    const upload = fake.requestsTo('POST', `/v21.0/${PHONE_NUMBER_ID}/media`)[0];
    assert.match(String(upload.headers['content-type']), /^multipart\/form-data/);
    const document = fake.sent[1].body.document as { id: string; filename: string };
    assert.equal(document.filename, 'brochure.pdf');
    // The uploaded media is retrievable with the same token and has the same bytes.
    const media = await provider.fetchMedia({ provider: 'CLOUD', mediaId: document.id, mimetype: 'application/pdf' });
    assert.deepEqual(media.bytes, pdf);
  });

  test('rate limits (400 + 131056 / 130429) are retryable with a pause; 131047 is not', async () => {
    fake.failNextSends(1, { status: 400, code: 131056 });
    await rejectsWith(provider.sendText({ to: '16505551234', body: 'x', clientMessageId: '1' }), (error) => {
      assert.equal(error.providerCode, '131056');
      assert.equal(error.retryable, true);
      assert.equal(error.outcomeUnknown, false);
      assert.equal(error.retryAfterMs, 6_000);
    });
    fake.failNextSends(1, { status: 400, code: 130429, message: '(#130429) Rate limit hit' });
    await rejectsWith(provider.sendText({ to: '16505551234', body: 'x', clientMessageId: '2' }), (error) => {
      assert.equal(error.retryable, true);
    });
    fake.failNextSends(1, { status: 400, code: 131047, message: '(#131047) Re-engagement message' });
    await rejectsWith(provider.sendText({ to: '16505551234', body: 'x', clientMessageId: '3' }), (error) => {
      assert.equal(error.providerCode, '131047');
      assert.equal(error.retryable, false);
      assert.match(error.message, /Re-engagement/);
    });
  });

  test('5xx is retryable with an unknown outcome; other 4xx are not retryable', async () => {
    fake.failNextSends(1, { status: 500, code: 2, message: 'Service temporarily unavailable' });
    await rejectsWith(provider.sendText({ to: '16505551234', body: 'x', clientMessageId: '1' }), (error) => {
      assert.equal(error.retryable, true);
      assert.equal(error.outcomeUnknown, true);
    });
    fake.failNextSends(1, { status: 400, code: 100, message: '(#100) Invalid parameter' });
    await rejectsWith(provider.sendText({ to: '16505551234', body: 'x', clientMessageId: '2' }), (error) => {
      assert.equal(error.retryable, false);
      assert.equal(error.outcomeUnknown, false);
    });
  });

  test('a hanging Graph API times out as retryable with an unknown outcome', async () => {
    fake.hangNextSends(1);
    await rejectsWith(provider.sendText({ to: '16505551234', body: 'x', clientMessageId: '1' }), (error) => {
      assert.equal(error.providerCode, 'TIMEOUT');
      assert.equal(error.retryable, true);
      assert.equal(error.outcomeUnknown, true);
    });
  });

  test('markSeen sends a read receipt for the message', async () => {
    await provider.markSeen({ chatId: '16505551234', providerMessageId: 'wamid.in' });
    assert.deepEqual(fake.readReceipts, [{ phoneNumberId: PHONE_NUMBER_ID, messageId: 'wamid.in' }]);
  });

  test('fetchMedia of an inbound image: media lookup and download both carry the token', async () => {
    const bytes = Buffer.from('\xff\xd8\xff fake jpeg', 'latin1');
    const mediaId = fake.addMedia(PHONE_NUMBER_ID, bytes, 'image/jpeg');
    const sha256 = createHash('sha256').update(bytes).digest('base64');
    const event = parseCloudWebhook(
      fake.buildWebhook('inbound-image-message.openapi-example', { message: { image: { id: mediaId, sha256 } } }),
    ).byRoutingKey[0].events[0] as InboundMessageEvent;
    assert.ok(event.media);
    const media = await provider.fetchMedia(event.media);
    assert.deepEqual(media.bytes, bytes);
    assert.equal(media.mimetype, 'image/jpeg');
    const download = fake.requests.find((request) => request.path === `/media-download/${mediaId}`);
    assert.equal(download?.headers.authorization, `Bearer ${TOKEN}`);
  });

  test('media download without the token fails; another tenant token cannot read the media', async () => {
    const mediaId = fake.addMedia(PHONE_NUMBER_ID, Buffer.from('secret'), 'image/png');
    const info = await client.getMediaInfo(TOKEN, mediaId);
    const anonymous = await fetch(info.url);
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    fake.addPhoneNumber('999999999999', 'other-tenant-token');
    await rejectsWith(client.downloadMedia('other-tenant-token', info), (error) => {
      assert.equal(error.httpStatus, 401);
      assert.equal(error.retryable, false);
    });
  });

  test('a download that does not match the announced sha256 is rejected', async () => {
    const mediaId = fake.addMedia(PHONE_NUMBER_ID, Buffer.from('real bytes'), 'image/png');
    const info = await client.getMediaInfo(TOKEN, mediaId);
    await rejectsWith(client.downloadMedia(TOKEN, { ...info, sha256: createHash('sha256').update('other').digest('hex') }), (error) => {
      assert.equal(error.providerCode, 'MEDIA_CHECKSUM_MISMATCH');
    });
  });

  test('Cloud API has no sent-message lookup; WAHA media is refused', async () => {
    assert.equal(await provider.findSentMessage(), undefined);
    await rejectsWith(provider.fetchMedia({ provider: 'WAHA', url: 'http://x/api/files/a', mimetype: 'a/b' }), (error) => {
      assert.equal(error.providerCode, 'UNSUPPORTED');
    });
  });

  test('webhooks posted by the fake carry a valid X-Hub-Signature-256', async () => {
    const body = fake.buildWebhook('status-delivered', { phoneNumberId: PHONE_NUMBER_ID });
    const headers = fake.webhookHeaders(body);
    assert.equal(verifyCloudSignature(body, headers['X-Hub-Signature-256'], 'app-secret-a'), true);
    assert.equal(verifyCloudSignature(body, headers['X-Hub-Signature-256'], 'app-secret-b'), false);
  });

  test('unknown paths answer 404 and are recorded as unexpected', async () => {
    const response = await fetch(`${fake.url}/v21.0/${PHONE_NUMBER_ID}/message_templates`, { method: 'POST' });
    assert.equal(response.status, 404);
    await response.body?.cancel();
    assert.equal(fake.unexpectedRequests.length, 1);
    fake.requests.length = 0; // seen and asserted: keep afterEach's check for the other tests
  });
});
