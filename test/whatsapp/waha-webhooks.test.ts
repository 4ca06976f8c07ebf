import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { uniquePhone } from '../support/crm-fixtures';
import { LiveSubscription, inboundMessage, publishUntilSeen } from '../support/live-subscription';
import { messageReceivedEvent } from '../../src/modules/inbox/inbox-events';
import { CONNECT, MARK_READ, SEND, eventually, ingestCounts, providerIdOnceSent, randomPhone, recordEvents, tenantQuery } from './whatsapp-test-kit';

describe('WAHA webhooks', () => {
  let t: TestApp;
  let waha: FakeWahaServer;
  let a: SignedUp;
  let b: SignedUp;
  let sessionA: { id: string; externalSessionId: string };
  let sessionB: { id: string; externalSessionId: string };
  let hook: string;

  const post = (session: string, fixture: string, overrides: Parameters<FakeWahaServer['buildWebhook']>[1] = {}, options = {}) =>
    waha.postWebhook(hook, fixture, { session, ...overrides }, options);
  const inbound = (session: string, phone: string, body: string, overrides: Record<string, unknown> = {}) =>
    post(session, 'message', { ...overrides, payload: { ...FakeWahaServer.inboundText(phone, body), ...((overrides.payload as object) ?? {}) } });

  before(async () => {
    waha = await FakeWahaServer.start({ apiKey: 'waha-api-key' });
    t = await startTestApp({ ...waha.appEnv(), JOBS_POLLING_INTERVAL_SECONDS: '0.5' });
    hook = `${t.url}/webhooks/waha`;
    [a, b] = await Promise.all([t.client.signUp(), t.client.signUp()]);
    sessionA = (await t.client.data(CONNECT, { input: { name: 'A line' } }, a.token)).connectWhatsApp;
    sessionB = (await t.client.data(CONNECT, { input: { provider: 'WAHA', name: 'B line' } }, b.token)).connectWhatsApp;
  });
  after(async () => {
    await t?.stop();
    await waha?.close();
  });

  test('connectWhatsApp creates the WAHA session with our webhook, HMAC key and tenant metadata, and shows the QR', async () => {
    const created = waha.requestsTo('POST', '/api/sessions').map((request) => request.json as any);
    const mine = created.find((body) => body.name === sessionA.externalSessionId);
    assert.ok(mine, 'WAHA got a create request for the session');
    assert.equal(mine.config.webhooks[0].url, hook);
    assert.equal(mine.config.webhooks[0].hmac.key, waha.options.hmacKey);
    assert.deepEqual(mine.config.metadata, { tenantId: a.tenantId, sessionId: sessionA.id });
    assert.ok(mine.config.webhooks[0].events.includes('message.any'));
    const [row] = await tenantQuery(t, a.tenantId, 'SELECT status, qr_code FROM whatsapp_sessions WHERE id = $1', [sessionA.id]);
    assert.equal(row.status, 'SCAN_QR_CODE');
    assert.equal(row.qr_code, waha.sessions.get(sessionA.externalSessionId)!.qrValue);
    assert.equal(waha.requests.every((request) => request.headers['x-api-key'] === 'waha-api-key'), true);
  });

  test('session.status updates the session, QR rotation included', async () => {
    const recorder = recordEvents(t, a.tenantId);
    try {
      const fakeSession = waha.sessions.get(sessionA.externalSessionId)!;
      fakeSession.qrValue = `2@rotated-${randomBytes(4).toString('hex')}`;
      const rotated = await post(sessionA.externalSessionId, 'session.status', { id: `evt_${randomBytes(6).toString('hex')}`, payload: { status: 'SCAN_QR_CODE' } });
      assert.equal(rotated.status, 200);
      const [qr] = await tenantQuery(t, a.tenantId, 'SELECT status, qr_code FROM whatsapp_sessions WHERE id = $1', [sessionA.id]);
      assert.deepEqual(qr, { status: 'SCAN_QR_CODE', qr_code: fakeSession.qrValue });

      waha.setSession(sessionA.externalSessionId, 'WORKING');
      waha.setSession(sessionB.externalSessionId, 'WORKING');
      const working = await post(sessionA.externalSessionId, 'session.status', { id: `evt_${randomBytes(6).toString('hex')}` });
      assert.equal(working.status, 200);
      const [row] = await tenantQuery(t, a.tenantId, 'SELECT status, qr_code, phone_number FROM whatsapp_sessions WHERE id = $1', [sessionA.id]);
      assert.deepEqual(row, { status: 'WORKING', qr_code: null, phone_number: '7911111' });
      const statuses = recorder.events.filter((event) => event.type === 'whatsappSessionUpdated').map((event) => event.payload.status);
      assert.deepEqual(statuses, ['SCAN_QR_CODE', 'WORKING']);
      assert.equal(recorder.events.every((event) => !('credentialsEncrypted' in event.payload)), true);
    } finally {
      recorder.stop();
    }
  });

  test("a signed message reaches the right tenant's subscribers and rows, and no other tenant's", async () => {
    const inA = recordEvents(t, a.tenantId);
    const inB = recordEvents(t, b.tenantId);
    try {
      const beforeB = await ingestCounts(t, b.tenantId);
      const phone = randomPhone();
      const response = await inbound(sessionA.externalSessionId, phone, 'Do you ship to Lisbon?', { payload: { _data: { notifyName: 'Rui' } } });
      assert.equal(response.status, 200);
      const received = inA.events.find((event) => event.type === 'messageReceived');
      assert.ok(received, 'tenant A was told');
      assert.equal(received.tenantId, a.tenantId);
      assert.equal(received.payload.body, 'Do you ship to Lisbon?');
      assert.equal(received.payload.direction, 'INBOUND');
      assert.equal(inA.events.find((event) => event.type === 'conversationUpdated')?.payload.unreadCount, 1);
      assert.deepEqual(inB.events, []);
      const [message] = await tenantQuery(
        t,
        a.tenantId,
        `SELECT m.id, m.body, m.status, m.from_address, ct.name, ct.phone FROM messages m
           JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id WHERE m.id = $1`,
        [received.payload.id],
      );
      assert.deepEqual(message, { id: received.payload.id, body: 'Do you ship to Lisbon?', status: 'DELIVERED', from_address: phone, name: 'Rui', phone });
      assert.deepEqual(await ingestCounts(t, b.tenantId), beforeB);

      // Reading the conversation sends WhatsApp a read receipt for the newest message.
      const [stored] = await tenantQuery(t, a.tenantId, 'SELECT provider_message_id FROM messages WHERE id = $1', [received.payload.id]);
      const read = await t.client.data(MARK_READ, { id: received.conversationId }, a.token);
      assert.equal(read.markConversationRead.unreadCount, 0);
      const seen = await eventually(
        async () => waha.requestsTo('POST', '/api/sendSeen').find((request) => (request.json as any).messageId === stored.provider_message_id),
        'the read receipt',
      );
      assert.deepEqual(seen.json, { session: sessionA.externalSessionId, chatId: `${phone}@c.us`, messageId: stored.provider_message_id });
      assert.equal(inA.events.filter((event) => event.type === 'conversationUpdated').at(-1)?.payload.unreadCount, 0);
    } finally {
      inA.stop();
      inB.stop();
    }
  });

  test('a signed webhook reaches graphql-ws subscribers of its tenant, and not those of another tenant', async () => {
    // Conversations to point the warm-up markers at (the subscription resolves relation fields).
    const conversationOf = async (tenantId: string, session: string) => {
      const phone = randomPhone();
      assert.equal((await inbound(session, phone, 'first contact')).status, 200);
      const [row] = await tenantQuery(t, tenantId, 'SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone = $1', [phone]);
      return row.id as string;
    };
    const conversationA = await conversationOf(a.tenantId, sessionA.externalSessionId);
    const conversationB = await conversationOf(b.tenantId, sessionB.externalSessionId);
    const query = `subscription { messageReceived { id body direction status conversation { id unreadCount contact { name phone } } } }`;
    type Received = { messageReceived: { id: string; body: string; direction: string; status: string; conversation: { id: string; unreadCount: number; contact: { name: string; phone: string } } } };
    const clientA = t.client.ws(a.token);
    const clientB = t.client.ws(b.token);
    const inA = new LiveSubscription<Received>(clientA, query);
    const inB = new LiveSubscription<Received>(clientB, query);
    try {
      await publishUntilSeen(t, a.tenantId, inA, (body) => messageReceivedEvent(a.tenantId, inboundMessage({ body, conversationId: conversationA })));
      await publishUntilSeen(t, b.tenantId, inB, (body) => messageReceivedEvent(b.tenantId, inboundMessage({ body, conversationId: conversationB })));

      const phone = randomPhone();
      const body = `over the socket ${randomBytes(4).toString('hex')}`;
      const response = await inbound(sessionA.externalSessionId, phone, body, { payload: { _data: { notifyName: 'Marta' } } });
      assert.equal(response.status, 200);
      await inA.waitFor((s) => s.data.some((d) => d.messageReceived.body === body), 'the webhook message on A');
      const delivered = inA.data.find((d) => d.messageReceived.body === body)!.messageReceived;
      assert.equal(delivered.direction, 'INBOUND');
      assert.equal(delivered.status, 'DELIVERED');
      assert.deepEqual(delivered.conversation.contact, { name: 'Marta', phone });
      assert.equal(delivered.conversation.unreadCount, 1);
      const [stored] = await tenantQuery(t, a.tenantId, 'SELECT id, conversation_id FROM messages WHERE id = $1', [delivered.id]);
      assert.equal(stored.conversation_id, delivered.conversation.id, 'the delivered message is the stored row');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(inB.data.some((d) => d.messageReceived.body === body), false, "tenant B's subscriber got nothing");
      assert.deepEqual([...inA.errors, ...inB.errors], []);
    } finally {
      inA.dispose();
      inB.dispose();
      await clientA.dispose();
      await clientB.dispose();
    }
  });

  test('a duplicate delivery stores one message: same event twice, same message under other event ids, concurrently too', async () => {
    const phone = randomPhone();
    const rawId = randomBytes(16).toString('hex').toUpperCase();
    const payload = FakeWahaServer.inboundText(phone, 'once only', rawId);
    const body = waha.buildWebhook('message', { session: sessionA.externalSessionId, id: 'evt_dup_1', payload });
    const headers = waha.webhookHeaders(body);
    const send = () => fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then((r) => r.status);
    assert.equal(await send(), 200);
    assert.equal(await send(), 200);
    const others = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(sessionA.externalSessionId, 'message', { id: `evt_dup_${i + 2}`, payload }).then((r) => r.status)),
    );
    const sameEvent = await Promise.all(Array.from({ length: 4 }, send));
    assert.deepEqual([...others, ...sameEvent], Array(12).fill(200));
    const rows = await tenantQuery(
      t,
      a.tenantId,
      `SELECT m.id, c.unread_count, (SELECT count(*)::int FROM conversations c2 JOIN contacts ct2 ON ct2.id = c2.contact_id WHERE ct2.phone = $2) AS conversations
         FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.provider_message_id = $1`,
      [payload.id, phone],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].unread_count, 1, 'the unread count was raised once');
    assert.equal(rows[0].conversations, 1);
  });

  test('concurrent first messages of a new customer create one contact and one conversation', async () => {
    const phone = randomPhone();
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => inbound(sessionA.externalSessionId, phone, `burst ${i}`)));
    assert.deepEqual(responses.map((r) => r.status), Array(6).fill(200));
    const [row] = await tenantQuery(
      t,
      a.tenantId,
      `SELECT (SELECT count(*)::int FROM contacts WHERE phone = $1) AS contacts,
              (SELECT count(*)::int FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone = $1) AS conversations,
              (SELECT count(*)::int FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone = $1) AS messages,
              (SELECT unread_count FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone = $1) AS unread`,
      [phone],
    );
    assert.deepEqual(row, { contacts: 1, conversations: 1, messages: 6, unread: 6 });
  });

  test("a contact saved under its number takes the customer's WhatsApp name when they answer; a name an agent gave stays", async () => {
    const unnamed = randomPhone();
    const [typed, named] = uniquePhone();
    await t.client.data(SEND, { input: { phone: unnamed, body: 'Your table is ready' } }, a.token);
    await t.client.data(`mutation ($p: String!) { createContact(input: { name: "Dr. Reis", phone: $p }) { id } }`, { p: typed }, a.token);
    await t.client.data(SEND, { input: { phone: named, body: 'Your results are in' } }, a.token);
    const nameOf = async (phone: string) => (await tenantQuery(t, a.tenantId, 'SELECT name FROM contacts WHERE phone = $1', [phone]))[0].name;
    assert.equal(await nameOf(unnamed), unnamed, 'a send to a bare number names the contact after it');

    for (const phone of [unnamed, named]) {
      const response = await inbound(sessionA.externalSessionId, phone, 'Thanks!', { payload: { _data: { notifyName: 'Inês' } } });
      assert.equal(response.status, 200);
    }
    assert.equal(await nameOf(unnamed), 'Inês');
    assert.equal(await nameOf(named), 'Dr. Reis');
    const [conversations] = await tenantQuery(
      t,
      a.tenantId,
      `SELECT count(*)::int AS n, sum(c.unread_count)::int AS unread FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
        WHERE ct.phone = ANY($1)`,
      [[unnamed, named]],
    );
    assert.deepEqual(conversations, { n: 2, unread: 2 }, 'each answer joined the conversation its send opened');
  });

  test('webhook events older than the retention (30 days) are pruned after the tenant ingests; newer ones and messages stay', async () => {
    const c = await t.client.signUp();
    const session = (await t.client.data(CONNECT, { input: { provider: 'WAHA', name: 'C line' } }, c.token)).connectWhatsApp;
    await tenantQuery(
      t,
      c.tenantId,
      `INSERT INTO webhook_events (provider, event_id, received_at)
       SELECT 'WAHA', 'evt_old_' || i, now() - interval '40 days' FROM generate_series(1, 7000) AS i
       UNION ALL SELECT 'WAHA', 'evt_recent', now() - interval '29 days'`,
    );
    const phone = randomPhone();
    assert.equal((await inbound(session.externalSessionId, phone, 'still here?')).status, 200);
    const left = await eventually(async () => {
      const [row] = await tenantQuery(t, c.tenantId, `SELECT count(*)::int AS n FROM webhook_events WHERE event_id LIKE 'evt_old_%'`);
      return row.n === 0 ? row : null;
    }, 'the old events to be pruned (two batches)');
    assert.deepEqual(left, { n: 0 });
    const [kept] = await tenantQuery(
      t,
      c.tenantId,
      `SELECT (SELECT count(*)::int FROM webhook_events WHERE event_id = 'evt_recent') AS recent,
              (SELECT count(*)::int FROM messages WHERE from_address = $1) AS messages`,
      [phone],
    );
    assert.deepEqual(kept, { recent: 1, messages: 1 });
  });

  test('out-of-order acks end in the highest status (READ, then DELIVERED, then SENT → READ)', async () => {
    const phone = randomPhone();
    const sent = (await t.client.data(SEND, { input: { phone, body: 'your order shipped' } }, a.token)).sendMessage;
    const providerId = await providerIdOnceSent(t, a.tenantId, sent.id, 'the send to be recorded');
    assert.equal(waha.sent.filter((message) => message.id === providerId).length, 1);
    const recorder = recordEvents(t, a.tenantId);
    try {
      for (const [ack, ackName] of [[3, 'READ'], [2, 'DEVICE'], [1, 'SERVER'], [3, 'READ']] as const) {
        const response = await post(sessionA.externalSessionId, 'message.ack', {
          id: `evt_ack_${ack}_${randomBytes(4).toString('hex')}`,
          payload: { id: providerId, from: `${phone}@c.us`, ack, ackName },
        });
        assert.equal(response.status, 200);
      }
      const [row] = await tenantQuery(t, a.tenantId, 'SELECT status FROM messages WHERE id = $1', [sent.id]);
      assert.equal(row.status, 'READ');
      const updates = recorder.events.filter((event) => event.type === 'messageUpdated').map((event) => event.payload.status);
      assert.deepEqual(updates, ['READ'], 'only the first ack moved it');
    } finally {
      recorder.stop();
    }
    // An ack for a message we do not know yet (its send may still be recording the id): delivered again later.
    const unknown = await post(sessionA.externalSessionId, 'message.ack', {
      id: 'evt_ack_unknown',
      timestamp: Date.now(),
      payload: { id: `true_${phone}@c.us_UNKNOWN`, from: `${phone}@c.us`, ack: 2, ackName: 'DEVICE' },
    });
    assert.equal(unknown.status, 503);
    const [event] = await tenantQuery(t, a.tenantId, "SELECT count(*)::int AS n FROM webhook_events WHERE event_id = 'evt_ack_unknown'");
    assert.equal(event.n, 0, 'not marked as processed');
    assert.deepEqual(waha.unexpectedRequests, []);
  });

  test('a bad signature or a malformed body stores nothing (401 / 400)', async () => {
    const before = await ingestCounts(t, a.tenantId);
    const phone = randomPhone();
    const overrides = { session: sessionA.externalSessionId, payload: FakeWahaServer.inboundText(phone, 'forged') };
    assert.equal((await waha.postWebhook(hook, 'message', overrides, { signWith: 'not-the-key-0123456789' })).status, 401);
    assert.equal((await waha.postWebhook(hook, 'message', overrides, { signWith: null })).status, 401);
    const tampered = await waha.postWebhook(hook, 'message', overrides, { tamper: (body) => body.replace('forged', 'Forged') });
    assert.equal(tampered.status, 401);
    const badAlgorithm = await fetch(hook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...waha.webhookHeaders('{}'), 'X-Webhook-Hmac-Algorithm': 'sha256' },
      body: '{}',
    });
    assert.equal(badAlgorithm.status, 401);

    const signedRaw = async (raw: string) => {
      const response = await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', ...waha.webhookHeaders(raw) }, body: raw });
      return response.status;
    };
    assert.equal(await signedRaw('{"event": "message", "session": '), 400);
    assert.equal(await signedRaw(JSON.stringify({ event: 'message', session: sessionA.externalSessionId, payload: { id: 'x' } })), 400);
    const noFrom = JSON.parse(waha.buildWebhook('message', overrides));
    noFrom.payload.from = 'not-an-address';
    assert.equal(await signedRaw(JSON.stringify(noFrom)), 400);
    assert.equal(await signedRaw(waha.buildWebhook('message', { ...overrides, session: 'nobody_knows_this' })), 404);
    assert.deepEqual(await ingestCounts(t, a.tenantId), before);
  });

  test('a customer who hides their number (@lid) is stored by WhatsApp id, once, and can be answered', async () => {
    const hidden = `${Date.now()}${Math.floor(Math.random() * 1000)}@lid`;
    const messageId = `false_${hidden}_${randomBytes(8).toString('hex')}`;
    const delivery = {
      payload: { id: messageId, from: hidden, fromMe: false, to: '15550001111@c.us', body: 'no number here', _data: { notifyName: 'Hidden Hannah' } },
    };
    assert.equal((await post(sessionA.externalSessionId, 'message', delivery)).status, 200);
    assert.equal((await post(sessionA.externalSessionId, 'message', delivery)).status, 200, 'a repeat is accepted...');
    const contacts = await tenantQuery(t, a.tenantId, 'SELECT name, phone, whatsapp_id FROM contacts WHERE whatsapp_id = $1', [hidden]);
    assert.deepEqual(contacts, [{ name: 'Hidden Hannah', phone: null, whatsapp_id: hidden }]);
    const messages = await tenantQuery<{ conversation_id: string }>(t, a.tenantId, 'SELECT conversation_id FROM messages WHERE provider_message_id = $1', [messageId]);
    assert.equal(messages.length, 1, '...and stores one message');

    const listed = await t.client.data('{ contacts(first: 50) { edges { node { name phone whatsappId } } } }', {}, a.token);
    assert.ok(listed.contacts.edges.some((edge: any) => edge.node.whatsappId === hidden && edge.node.phone === null));

    const reply = (await t.client.data(SEND, { input: { conversationId: messages[0].conversation_id, body: 'We can still answer' } }, a.token)).sendMessage;
    assert.equal(reply.toAddress, hidden);
    const sent = await eventually(
      async () => waha.requestsTo('POST', '/api/sendText').find((request) => (request.json as any).text === 'We can still answer'),
      'the answer reaches WAHA',
    );
    assert.equal((sent.json as any).chatId, hidden);
  });

  test('reactions: the newest wins whatever the order, a removal sticks, repeats and unknown messages change nothing', async () => {
    const phone = randomPhone();
    const messageId = `false_${phone}@c.us_${randomBytes(8).toString('hex')}`;
    assert.equal((await inbound(sessionA.externalSessionId, phone, 'react to me', { payload: { id: messageId } })).status, 200);
    const [stored] = await tenantQuery<{ id: string; conversation_id: string }>(
      t,
      a.tenantId,
      'SELECT id, conversation_id FROM messages WHERE provider_message_id = $1',
      [messageId],
    );
    const now = Date.now() / 1000;
    const react = (emoji: string, secondsAgo: number, target = messageId) =>
      post(sessionA.externalSessionId, 'message.reaction', {
        id: `evt_${randomBytes(6).toString('hex')}`,
        payload: {
          id: `false_${phone}@c.us_${randomBytes(8).toString('hex')}`,
          from: `${phone}@c.us`,
          participant: `${phone}@c.us`,
          to: '15550001111@c.us',
          timestamp: now - secondsAgo,
          reaction: { text: emoji, messageId: target },
        },
      });
    const reactions = async () => {
      const query = `query ($id: ID!) { messages(conversationId: $id, first: 5) { edges { node { id reactions { emoji reactor direction } } } } }`;
      const { edges } = (await t.client.data(query, { id: stored.conversation_id }, a.token)).messages;
      return edges.find((edge: { node: { id: string } }) => edge.node.id === stored.id).node.reactions;
    };

    const recorder = recordEvents(t, a.tenantId);
    try {
      assert.equal((await react('👍', 30)).status, 200);
      assert.deepEqual(await reactions(), [{ emoji: '👍', reactor: `${phone}@c.us`, direction: 'INBOUND' }]);
      assert.equal(recorder.events.filter((event) => event.type === 'messageUpdated' && event.payload.id === stored.id).length, 1);
      assert.equal((await react('❤️', 10)).status, 200);
      assert.equal((await react('😮', 20)).status, 200, 'an older reaction that arrives late is accepted...');
      assert.deepEqual(await reactions(), [{ emoji: '❤️', reactor: `${phone}@c.us`, direction: 'INBOUND' }], '...and changes nothing');
      assert.equal((await react('', 5)).status, 200);
      assert.deepEqual(await reactions(), [], 'removed');
      assert.equal((await react('❤️', 10)).status, 200);
      assert.deepEqual(await reactions(), [], 'a late copy of the removed reaction does not bring it back');
      assert.equal(recorder.events.filter((event) => event.type === 'messageUpdated' && event.payload.id === stored.id).length, 3);
      const before = await ingestCounts(t, a.tenantId);
      assert.equal((await react('👍', 1, `false_${phone}@c.us_${randomBytes(8).toString('hex')}`)).status, 200, 'a reaction to a message we do not have');
      assert.deepEqual(await ingestCounts(t, a.tenantId), before);
    } finally {
      recorder.stop();
    }
  });

  test("media is copied at ingest: served after WAHA deleted it, to the tenant's users only", async () => {
    const bytes = randomBytes(2048);
    const file = `true_${randomBytes(6).toString('hex')}.jpg`;
    const url = waha.hostFile(file, bytes, 'image/jpeg');
    const phone = randomPhone();
    const response = await post(sessionA.externalSessionId, 'message.media-image', {
      payload: { ...FakeWahaServer.inboundText(phone, 'a photo'), hasMedia: true, media: { url, mimetype: 'image/jpeg', filename: null } },
    });
    assert.equal(response.status, 200);
    waha.deleteFile(file);
    assert.equal((await fetch(url, { headers: { 'x-api-key': 'waha-api-key' } })).status, 404, 'WAHA no longer has it');
    const [message] = await tenantQuery(
      t,
      a.tenantId,
      'SELECT m.type, m.body, m.document_id FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id WHERE ct.phone = $1',
      [phone],
    );
    assert.equal(message.type, 'IMAGE');
    assert.equal(message.body, 'a photo');
    assert.ok(message.document_id);
    const content = `${t.url}/documents/${message.document_id}/content`;
    const mine = await fetch(content, { headers: { authorization: `Bearer ${a.token}` } });
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await mine.arrayBuffer()), bytes);
    assert.equal((await fetch(content, { headers: { authorization: `Bearer ${b.token}` } })).status, 404);
    assert.equal((await fetch(content)).status, 401);
    assert.deepEqual(waha.unexpectedRequests.filter((request) => !request.path.startsWith('/api/files/')), []);
  });
});
