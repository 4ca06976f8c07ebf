import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InboundMessageEvent, MessageStatusEvent, ReactionEvent, SessionStatusEvent } from '../../src/channels/channel-events';
import { MalformedWebhookError } from '../../src/channels/channel-errors';
import { mapWahaAck, parseWahaWebhook } from '../../src/channels/waha/waha-webhook-parser';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { readFixture, readFixtureText } from '../fakes/fixture-files';

const fake = new FakeWahaServer(); // only its webhook builder is used here; it never listens
const fixedNow = () => new Date('2026-01-01T00:00:00Z');

function only<T>(body: unknown): T {
  const parsed = parseWahaWebhook(body, { now: fixedNow });
  assert.equal(parsed.events.length, 1, `expected one event, got ${JSON.stringify(parsed.ignored)}`);
  return parsed.events[0] as T;
}

describe('WAHA webhook parser: the fixtures', () => {
  test('message.json (own message typed on the phone) → one OUTBOUND text event', () => {
    const parsed = parseWahaWebhook(readFixtureText('waha/message.json'));
    assert.equal(parsed.routingKey, 'default');
    assert.equal(parsed.engine, 'WEBJS');
    const event = parsed.events[0] as InboundMessageEvent;
    assert.equal(parsed.events.length, 1);
    assert.equal(event.kind, 'message');
    assert.equal(event.provider, 'WAHA');
    assert.equal(event.direction, 'OUTBOUND');
    assert.equal(event.providerMessageId, 'true_11111111111@c.us_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(event.chatId, '11111111111@c.us');
    assert.equal(event.chatType, 'DIRECT');
    assert.equal(event.to, '11111111111');
    assert.equal(event.body, 'Hi there!');
    assert.equal(event.type, 'TEXT');
    assert.equal(event.timestamp.toISOString(), new Date(1667561485 * 1000).toISOString());
    assert.match(event.eventId, /^waha_[0-9a-f]{40}$/);
    assert.deepEqual((event.raw as { event: string }).event, 'message');
  });

  test('message.any.json parses the same way as message', () => {
    const event = only<InboundMessageEvent>(readFixture('waha/message.any.json'));
    assert.equal(event.direction, 'OUTBOUND');
    assert.equal(event.providerMessageId, 'true_11111111111@c.us_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    // Same fact through another event name: another event id, same message id.
    const viaMessage = only<InboundMessageEvent>(readFixture('waha/message.json'));
    assert.notEqual(event.eventId, viaMessage.eventId);
  });

  test('message.media-image.json → INBOUND image with a WAHA media ref and the caption as body', () => {
    const event = only<InboundMessageEvent>(readFixture('waha/message.media-image.json'));
    assert.equal(event.direction, 'INBOUND');
    assert.equal(event.type, 'IMAGE');
    assert.equal(event.from, '11111111111');
    assert.equal(event.fromId, '11111111111@c.us');
    assert.equal(event.body, 'Check this out (caption for the media)!');
    assert.deepEqual(event.media, {
      provider: 'WAHA',
      url: 'http://localhost:3000/api/files/true_11111111111@c.us_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.jpg',
      mimetype: 'image/jpeg',
    });
  });

  test('full envelope → envelope id is the event id; metadata and me are used', () => {
    const parsed = parseWahaWebhook(readFixture('waha/message.full-envelope.composed.json'));
    assert.deepEqual(parsed.metadata, { 'user.id': '123', 'user.email': 'email@example.com' });
    const event = parsed.events[0] as InboundMessageEvent;
    assert.equal(event.eventId, 'evt_01aaaaaaaaaaaaaaaaaaaaaaaa');
    assert.equal(event.direction, 'INBOUND');
    assert.equal(event.providerMessageId, 'false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA');
    assert.equal(event.to, '11111111111');
    assert.equal(event.replyTo, undefined);
    assert.equal(event.media, undefined);
  });

  test('message.reaction.json → ReactionEvent on the reacted message', () => {
    const event = only<ReactionEvent>(readFixture('waha/message.reaction.json'));
    assert.equal(event.kind, 'reaction');
    assert.equal(event.emoji, '🙏');
    assert.equal(event.targetProviderMessageId, 'true_79111111@c.us_11111111111111111111111111111111');
    assert.equal(event.providerMessageId, 'false_79111111@c.us_11111111111111111111111111111111');
    assert.equal(event.direction, 'INBOUND');
    assert.equal(event.from, '79111111');
    assert.equal(event.timestamp.getTime(), 1710481111853);
  });

  test('message.ack.json → READ status for the message', () => {
    const event = only<MessageStatusEvent>(readFixture('waha/message.ack.json'));
    assert.equal(event.kind, 'status');
    assert.equal(event.status, 'READ');
    assert.equal(event.providerMessageId, 'true_11111111111@c.us_4CC5EDD64BC22EBA6D639F2AF571346C');
    assert.equal(event.recipient, '11111111111');
    assert.equal(event.timestamp.toISOString(), fixedNow().toISOString());
  });

  test('message.ack.group.json is validated and ignored (per-member receipt)', () => {
    const parsed = parseWahaWebhook(readFixture('waha/message.ack.group.json'));
    assert.equal(parsed.events.length, 0);
    assert.equal(parsed.ignored.length, 1);
    assert.equal(parsed.ignored[0].event, 'message.ack.group');
    assert.throws(
      () => parseWahaWebhook(fake.buildWebhook('message.ack.group', { payload: { id: 42 } })),
      MalformedWebhookError,
    );
  });

  test('session.status.json → WORKING with the account', () => {
    const event = only<SessionStatusEvent>(readFixture('waha/session.status.json'));
    assert.equal(event.kind, 'session');
    assert.equal(event.externalSessionId, 'default');
    assert.equal(event.status, 'WORKING');
    assert.equal(event.providerStatus, 'WORKING');
    assert.deepEqual(event.me, { id: '7911111@c.us', phone: '7911111', name: '~' });
    assert.equal(event.timestamp.getTime(), 1700000003000);
  });

  test('the session config and the HMAC vector body are not events: malformed', () => {
    assert.throws(() => parseWahaWebhook(readFixture('waha/config.session-webhooks-all-options.json')), MalformedWebhookError);
    const vector = readFixture<{ body: string }>('waha/hmac-test-vector.json');
    assert.throws(() => parseWahaWebhook(vector.body), (error: unknown) => {
      assert.ok(error instanceof MalformedWebhookError);
      assert.ok(error.problems.some((problem) => problem.startsWith('payload')), error.problems.join());
      return true;
    });
  });
});

describe('WAHA webhook parser: ack mapping', () => {
  test('mapWahaAck follows WAHA ack numbers', () => {
    assert.equal(mapWahaAck(-1), 'FAILED');
    assert.equal(mapWahaAck(0), null);
    assert.equal(mapWahaAck(1), 'SENT');
    assert.equal(mapWahaAck(2), 'DELIVERED');
    assert.equal(mapWahaAck(3), 'READ');
    assert.equal(mapWahaAck(4), 'PLAYED');
    assert.equal(mapWahaAck(5), null);
  });

  for (const [ack, status] of [
    [-1, 'FAILED'],
    [1, 'SENT'],
    [2, 'DELIVERED'],
    [3, 'READ'],
    [4, 'PLAYED'],
  ] as const) {
    test(`ack ${ack} → ${status}`, () => {
      const event = only<MessageStatusEvent>(fake.buildWebhook('message.ack', { payload: { ack, ackName: 'X' } }));
      assert.equal(event.status, status);
      assert.equal(event.error !== undefined, status === 'FAILED');
    });
  }

  test('PENDING (0) and unknown acks are ignored, not errors', () => {
    for (const ack of [0, 9]) {
      const parsed = parseWahaWebhook(fake.buildWebhook('message.ack', { payload: { ack } }));
      assert.equal(parsed.events.length, 0);
      assert.equal(parsed.ignored.length, 1);
    }
  });

  test('ackName alone is enough', () => {
    const body = JSON.parse(fake.buildWebhook('message.ack')) as { payload: Record<string, unknown> };
    delete body.payload.ack;
    body.payload.ackName = 'DEVICE';
    assert.equal(only<MessageStatusEvent>(body).status, 'DELIVERED');
  });

  test('redeliveries share an event id; another ack of the same message does not', () => {
    const read1 = only<MessageStatusEvent>(fake.buildWebhook('message.ack', { payload: { ack: 3 } }));
    const read2 = only<MessageStatusEvent>(fake.buildWebhook('message.ack', { payload: { ack: 3 } }));
    const delivered = only<MessageStatusEvent>(fake.buildWebhook('message.ack', { payload: { ack: 2 } }));
    assert.equal(read1.eventId, read2.eventId);
    assert.notEqual(read1.eventId, delivered.eventId);
    const otherSession = only<MessageStatusEvent>(fake.buildWebhook('message.ack', { session: 'other', payload: { ack: 3 } }));
    assert.notEqual(read1.eventId, otherSession.eventId);
  });

  test('a group ack id with the participant suffix (WEBJS) is reduced to the message id', () => {
    const event = only<MessageStatusEvent>(
      fake.buildWebhook('message.ack', {
        payload: {
          id: 'true_120363402931855007@g.us_3EB091474C1CE5341E8F3F_551137774071@c.us',
          from: '120363402931855007@g.us',
          participant: '551137774071@c.us',
          ack: 2,
        },
      }),
    );
    assert.equal(event.providerMessageId, 'true_120363402931855007@g.us_3EB091474C1CE5341E8F3F');
  });
});

describe('WAHA webhook parser: variations', () => {
  test('inbound text from a customer → INBOUND with phone digits and push name', () => {
    const event = only<InboundMessageEvent>(
      fake.buildWebhook('message', {
        id: 'evt_custom1',
        payload: { ...FakeWahaServer.inboundText('4915112345678', 'Hallo', 'ABC'), _data: { notifyName: 'Anna' } },
      }),
    );
    assert.equal(event.eventId, 'evt_custom1');
    assert.equal(event.direction, 'INBOUND');
    assert.equal(event.from, '4915112345678');
    assert.equal(event.to, '15550001111');
    assert.equal(event.fromName, 'Anna');
    assert.equal(event.providerMessageId, 'false_4915112345678@c.us_ABC');
  });

  test('echoes of our own API sends (fromMe, source api) are ignored', () => {
    const parsed = parseWahaWebhook(fake.buildWebhook('message.any', { payload: { source: 'api' } }));
    assert.equal(parsed.events.length, 0);
    assert.equal(parsed.ignored[0].providerMessageId, 'true_11111111111@c.us_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  });

  test('group message: chat is the group, author is the participant', () => {
    const event = only<InboundMessageEvent>(
      fake.buildWebhook('message', {
        payload: { fromMe: false, from: '120363402931855007@g.us', participant: '4915112345678@c.us', body: 'hi all' },
      }),
    );
    assert.equal(event.chatType, 'GROUP');
    assert.equal(event.chatId, '120363402931855007@g.us');
    assert.equal(event.from, '4915112345678');
    assert.equal(event.fromId, '4915112345678@c.us');
  });

  test('hidden (@lid) authors have no phone but keep their id', () => {
    const event = only<InboundMessageEvent>(
      fake.buildWebhook('message', { payload: { fromMe: false, from: '123456789012345@lid', body: 'x' } }),
    );
    assert.equal(event.from, null);
    assert.equal(event.fromId, '123456789012345@lid');
    assert.equal(event.chatId, '123456789012345@lid');
  });

  test('NOWEB spelling @s.whatsapp.net is normalised to @c.us', () => {
    const event = only<InboundMessageEvent>(
      fake.buildWebhook('message', { payload: { fromMe: false, from: '4915112345678@s.whatsapp.net' } }),
    );
    assert.equal(event.chatId, '4915112345678@c.us');
    assert.equal(event.from, '4915112345678');
  });

  test('status broadcasts are ignored; unknown events are ignored', () => {
    const status = parseWahaWebhook(fake.buildWebhook('message', { payload: { fromMe: false, from: 'status@broadcast' } }));
    assert.equal(status.events.length, 0);
    const unknown = parseWahaWebhook(fake.buildWebhook('message', { event: 'presence.update', payload: { anything: 1 } }));
    assert.equal(unknown.events.length, 0);
    assert.deepEqual(unknown.ignored, [{ event: 'presence.update', reason: 'event not handled' }]);
  });

  test('media without a downloaded file keeps a ref with the reason', () => {
    const event = only<InboundMessageEvent>(
      fake.buildWebhook('message.media-image', {
        payload: { media: { url: null, mimetype: 'application/pdf', filename: 'a.pdf', error: 'too big' } },
      }),
    );
    assert.equal(event.type, 'DOCUMENT');
    assert.equal(event.media?.provider, 'WAHA');
    assert.equal(event.media && 'url' in event.media ? event.media.url : 'missing', null);
    assert.equal(event.media?.filename, 'a.pdf');
  });

  test('replyTo as object or string, and location messages', () => {
    const reply = only<InboundMessageEvent>(fake.buildWebhook('message', { payload: { replyTo: { id: 'false_1@c.us_X', body: 'q' } } }));
    assert.equal(reply.replyTo, 'false_1@c.us_X');
    const location = only<InboundMessageEvent>(
      fake.buildWebhook('message', { payload: { body: '', location: { latitude: '52.52', longitude: 13.4, description: 'Berlin' } } }),
    );
    assert.equal(location.type, 'LOCATION');
    assert.deepEqual(location.location, { latitude: 52.52, longitude: 13.4, name: 'Berlin' });
  });

  test('session statuses: passkey pairing counts as SCAN_QR_CODE; unknown statuses are ignored', () => {
    const passkey = only<SessionStatusEvent>(fake.buildWebhook('session.status', { payload: { status: 'PASSKEY_REQUIRED' } }));
    assert.equal(passkey.status, 'SCAN_QR_CODE');
    assert.equal(passkey.providerStatus, 'PASSKEY_REQUIRED');
    const unknown = parseWahaWebhook(fake.buildWebhook('session.status', { payload: { status: 'HIBERNATING' } }));
    assert.equal(unknown.events.length, 0);
  });

  test('session status event ids differ per transition and repeat per redelivery', () => {
    const scan1 = only<SessionStatusEvent>(
      fake.buildWebhook('session.status', { payload: { status: 'SCAN_QR_CODE', statuses: [{ status: 'SCAN_QR_CODE', timestamp: 1 }] } }),
    );
    const scan2 = only<SessionStatusEvent>(
      fake.buildWebhook('session.status', { payload: { status: 'SCAN_QR_CODE', statuses: [{ status: 'SCAN_QR_CODE', timestamp: 2 }] } }),
    );
    const scan1Again = only<SessionStatusEvent>(
      fake.buildWebhook('session.status', { payload: { status: 'SCAN_QR_CODE', statuses: [{ status: 'SCAN_QR_CODE', timestamp: 1 }] } }),
    );
    assert.notEqual(scan1.eventId, scan2.eventId);
    assert.equal(scan1.eventId, scan1Again.eventId);
  });
});

describe('WAHA webhook parser: malformed bodies are rejected whole', () => {
  const cases: [string, () => unknown][] = [
    ['not JSON', () => '{"event":"message",'],
    ['a JSON array', () => '[]'],
    ['no session', () => ({ ...readFixture<Record<string, unknown>>('waha/message.json'), session: undefined })],
    ['empty session', () => fake.buildWebhook('message', { session: '' })],
    ['event not a string', () => ({ ...readFixture<Record<string, unknown>>('waha/message.json'), event: 7 })],
    ['payload without id', () => fake.buildWebhook('message', { payload: { id: '' } })],
    ['timestamp as text', () => fake.buildWebhook('message', { payload: { timestamp: '1667561485' } })],
    ['from not an address', () => fake.buildWebhook('message', { payload: { fromMe: false, from: 'alice' } })],
    ['fromMe without to', () => fake.buildWebhook('message', { payload: { to: null } })],
    ['group message without participant', () => fake.buildWebhook('message', { payload: { fromMe: false, from: '1203634@g.us' } })],
    ['ack without ack and ackName', () => fake.buildWebhook('message.ack', { payload: { ack: null, ackName: null } })],
    ['ack not an integer', () => fake.buildWebhook('message.ack', { payload: { ack: 2.5 } })],
    ['reaction without reaction', () => fake.buildWebhook('message.reaction', { payload: { reaction: null } })],
    ['session status without status', () => fake.buildWebhook('session.status', { payload: { status: '' } })],
  ];
  for (const [name, body] of cases) {
    test(name, () => {
      assert.throws(() => parseWahaWebhook(body()), MalformedWebhookError);
    });
  }

  test('the error lists the problems with their paths', () => {
    try {
      parseWahaWebhook(fake.buildWebhook('message', { payload: { timestamp: 'soon', id: '' } }));
      assert.fail('expected MalformedWebhookError');
    } catch (error) {
      assert.ok(error instanceof MalformedWebhookError);
      assert.ok(error.problems.some((problem) => problem.startsWith('payload.timestamp')), error.problems.join());
      assert.ok(error.problems.some((problem) => problem.startsWith('payload.id')), error.problems.join());
      assert.equal(error.provider, 'WAHA');
    }
  });
});
