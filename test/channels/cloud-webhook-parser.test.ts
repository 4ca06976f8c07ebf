import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InboundMessageEvent, MessageStatusEvent, ReactionEvent } from '../../src/channels/channel-events';
import { MalformedWebhookError } from '../../src/channels/channel-errors';
import { parseCloudWebhook } from '../../src/channels/cloud/cloud-webhook-parser';
import { FakeCloudApiServer } from '../fakes/fake-cloud-api-server';
import { readFixture, readFixtureText } from '../fakes/fixture-files';

const fake = new FakeCloudApiServer(); // webhook builder only; never listens

function single(body: unknown) {
  const result = parseCloudWebhook(body);
  assert.equal(result.byRoutingKey.length, 1);
  return result.byRoutingKey[0];
}

describe('Cloud API webhook parser: the fixtures', () => {
  test('inbound-text-message.json → INBOUND text with the contact name, routed by phone_number_id', () => {
    const group = single(readFixtureText('whatsapp-cloud/inbound-text-message.json'));
    assert.equal(group.routingKey, '106540352242922');
    assert.equal(group.businessAccountId, '102290129340398');
    assert.equal(group.events.length, 1);
    const event = group.events[0] as InboundMessageEvent;
    assert.equal(event.kind, 'message');
    assert.equal(event.provider, 'CLOUD');
    assert.equal(event.routingKey, '106540352242922');
    assert.equal(event.eventId, 'cloud_msg_wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=');
    assert.equal(event.providerMessageId, 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=');
    assert.equal(event.direction, 'INBOUND');
    assert.equal(event.from, '16505551234');
    assert.equal(event.chatId, '16505551234');
    assert.equal(event.fromName, 'Sheena Nelson');
    assert.equal(event.to, '15550783881');
    assert.equal(event.body, 'Does it come in another color?');
    assert.equal(event.type, 'TEXT');
    assert.equal(event.timestamp.getTime(), 1749416383 * 1000);
  });

  test('inbound-image-message → IMAGE with a Cloud media ref (id, mime type, sha256) and caption', () => {
    const event = single(readFixture('whatsapp-cloud/inbound-image-message.openapi-example.json')).events[0] as InboundMessageEvent;
    assert.equal(event.type, 'IMAGE');
    assert.equal(event.body, 'Taj Mahal');
    assert.deepEqual(event.media, {
      provider: 'CLOUD',
      mediaId: '1003383421387256',
      mimetype: 'image/jpeg',
      sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=',
    });
  });

  test('status-delivered.json → DELIVERED status for our wamid', () => {
    const event = single(readFixture('whatsapp-cloud/status-delivered.json')).events[0] as MessageStatusEvent;
    assert.equal(event.kind, 'status');
    assert.equal(event.status, 'DELIVERED');
    assert.equal(event.providerMessageId, 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA');
    assert.equal(event.recipient, '16505551234');
    assert.equal(event.eventId, 'cloud_status_wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA_delivered');
    assert.equal(event.clientMessageId, undefined);
  });
});

describe('Cloud API webhook parser: variations', () => {
  test('statuses map to the ladder; failed carries the error; callback data comes back', () => {
    for (const [status, expected] of [
      ['sent', 'SENT'],
      ['delivered', 'DELIVERED'],
      ['read', 'READ'],
    ] as const) {
      const event = single(fake.buildWebhook('status-delivered', { status: { status } })).events[0] as MessageStatusEvent;
      assert.equal(event.status, expected);
    }
    const failed = single(
      fake.buildWebhook('status-delivered', {
        status: {
          status: 'failed',
          biz_opaque_callback_data: 'queue-row-17',
          errors: [{ code: 131047, title: 'Re-engagement message', error_data: { details: 'more than 24 hours' } }],
        },
      }),
    ).events[0] as MessageStatusEvent;
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.clientMessageId, 'queue-row-17');
    assert.deepEqual(failed.error, { code: '131047', message: 'Re-engagement message — more than 24 hours', retryable: false });
    const rateLimited = single(
      fake.buildWebhook('status-delivered', { status: { status: 'failed', errors: [{ code: 130429, title: 'Rate limit hit' }] } }),
    ).events[0] as MessageStatusEvent;
    assert.equal(rateLimited.error?.retryable, true);
  });

  test('unknown statuses (deleted) are ignored', () => {
    const group = single(fake.buildWebhook('status-delivered', { status: { status: 'deleted' } }));
    assert.equal(group.events.length, 0);
    assert.equal(group.ignored.length, 1);
  });

  test('entries for several numbers are grouped by routing key', () => {
    const body = FakeCloudApiServer.mergeBodies([
      fake.buildWebhook('inbound-text-message', { phoneNumberId: '111111111111' }),
      fake.buildWebhook('status-delivered', { phoneNumberId: '222222222222' }),
      fake.buildWebhook('inbound-image-message.openapi-example', {
        phoneNumberId: '111111111111',
        message: { id: 'wamid.second' },
      }),
    ]);
    const result = parseCloudWebhook(body);
    assert.deepEqual(
      result.byRoutingKey.map((group) => [group.routingKey, group.events.map((event) => event.kind)]),
      [
        ['111111111111', ['message', 'message']],
        ['222222222222', ['status']],
      ],
    );
    for (const group of result.byRoutingKey) {
      for (const event of group.events) assert.equal(event.routingKey, group.routingKey);
    }
  });

  test('reactions, replies, voice notes, documents, interactive replies and locations', () => {
    const reaction = single(
      fake.buildWebhook('inbound-text-message', {
        message: { type: 'reaction', text: undefined, reaction: { message_id: 'wamid.target', emoji: '👍' } },
      }),
    ).events[0] as ReactionEvent;
    assert.equal(reaction.kind, 'reaction');
    assert.equal(reaction.targetProviderMessageId, 'wamid.target');
    assert.equal(reaction.emoji, '👍');

    const reply = single(fake.buildWebhook('inbound-text-message', { message: { context: { from: '15550783881', id: 'wamid.q' } } }))
      .events[0] as InboundMessageEvent;
    assert.equal(reply.replyTo, 'wamid.q');

    const voice = single(
      fake.buildWebhook('inbound-text-message', { message: { type: 'audio', audio: { id: '77', mime_type: 'audio/ogg', voice: true } } }),
    ).events[0] as InboundMessageEvent;
    assert.equal(voice.type, 'VOICE');

    const document = single(
      fake.buildWebhook('inbound-text-message', {
        message: { type: 'document', document: { id: '78', mime_type: 'application/pdf', filename: 'invoice.pdf' } },
      }),
    ).events[0] as InboundMessageEvent;
    assert.equal(document.type, 'DOCUMENT');
    assert.equal(document.media?.filename, 'invoice.pdf');

    const button = single(
      fake.buildWebhook('inbound-text-message', {
        message: { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes please' } } },
      }),
    ).events[0] as InboundMessageEvent;
    assert.equal(button.type, 'INTERACTIVE');
    assert.equal(button.body, 'Yes please');

    const location = single(
      fake.buildWebhook('inbound-text-message', { message: { type: 'location', location: { latitude: 1.5, longitude: 2.5, name: 'Shop' } } }),
    ).events[0] as InboundMessageEvent;
    assert.deepEqual(location.location, { latitude: 1.5, longitude: 2.5, name: 'Shop' });
  });

  test('other webhook fields are ignored without a routing key', () => {
    const body = readFixture<{ entry: { changes: { field: string }[] }[] }>('whatsapp-cloud/inbound-text-message.json');
    body.entry[0].changes[0].field = 'message_template_status_update';
    const result = parseCloudWebhook(body);
    assert.equal(result.byRoutingKey.length, 0);
    assert.deepEqual(result.ignored, [{ event: 'message_template_status_update', reason: 'webhook field not handled' }]);
  });

  test('redelivered bodies give the same event ids', () => {
    const first = single(readFixtureText('whatsapp-cloud/status-delivered.json')).events[0];
    const second = single(readFixtureText('whatsapp-cloud/status-delivered.json')).events[0];
    assert.equal(first.eventId, second.eventId);
  });
});

describe('Cloud API webhook parser: malformed bodies are rejected whole', () => {
  const cases: [string, () => unknown][] = [
    ['not JSON', () => 'nope'],
    ['wrong object', () => ({ object: 'page', entry: [] })],
    ['entry not a list', () => ({ object: 'whatsapp_business_account', entry: {} })],
    ['no phone_number_id', () => fake.buildWebhook('inbound-text-message', { value: { metadata: { phone_number_id: '' } } })],
    ['message without id', () => fake.buildWebhook('inbound-text-message', { message: { id: '' } })],
    ['timestamp not epoch seconds', () => fake.buildWebhook('inbound-text-message', { message: { timestamp: 'yesterday' } })],
    ['text type without text', () => fake.buildWebhook('inbound-text-message', { message: { text: null } })],
    ['image without media id', () => fake.buildWebhook('inbound-image-message.openapi-example', { message: { image: { id: '' } } })],
    ['status without id', () => fake.buildWebhook('status-delivered', { status: { id: 5 } })],
    ['from not digits', () => fake.buildWebhook('inbound-text-message', { message: { from: '+1 650' } })],
  ];
  for (const [name, body] of cases) {
    test(name, () => {
      assert.throws(() => parseCloudWebhook(body()), MalformedWebhookError);
    });
  }

  test('one bad change in a batch rejects the whole body', () => {
    const body = FakeCloudApiServer.mergeBodies([
      fake.buildWebhook('inbound-text-message'),
      fake.buildWebhook('status-delivered', { status: { timestamp: 'x' } }),
    ]);
    assert.throws(() => parseCloudWebhook(body), (error: unknown) => {
      assert.ok(error instanceof MalformedWebhookError);
      assert.ok(error.problems[0].startsWith('entry.1.changes.0.value.statuses.0.timestamp'), error.problems.join());
      return true;
    });
  });
});
