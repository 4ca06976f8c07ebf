import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { setPlanLimits } from '../support/crm-fixtures';
import { CONNECT, SIMULATE, eventually, randomPhone, tenantQuery } from './whatsapp-test-kit';

describe('auto-replies', () => {
  let t: TestApp;

  before(async () => {
    // No rule cache: each test changes rules directly in the database.
    t = await startTestApp({ AUTO_REPLY_CACHE_TTL_MS: '0', SANDBOX_ACK_DELAYS_MS: '20,40,60', JOBS_POLLING_INTERVAL_SECONDS: '0.5' });
  });
  after(() => t?.stop());

  async function sandboxTenant(): Promise<{ owner: SignedUp; sessionId: string }> {
    const owner = await t.client.signUp();
    const session = (await t.client.data(CONNECT, { input: { provider: 'SANDBOX', name: 'Auto' } }, owner.token)).connectWhatsApp;
    return { owner, sessionId: session.id };
  }
  const customerSays = async (owner: SignedUp, sessionId: string, from: string, body: string) =>
    (await t.client.data(SIMULATE, { input: { sessionId, from, body } }, owner.token)).simulateInboundMessage;
  const replies = (owner: SignedUp, conversationId: string) =>
    tenantQuery(t, owner.tenantId, "SELECT id, body, status FROM messages WHERE conversation_id = $1 AND direction = 'OUTBOUND' ORDER BY created_at", [conversationId]);

  test('a keyword rule replies once per conversation within its window, through the send queue', async () => {
    const { owner, sessionId } = await sandboxTenant();
    await tenantQuery(t, owner.tenantId, `INSERT INTO auto_reply_rules (name, trigger, pattern, reply_body, cooldown_minutes, priority)
      VALUES ('prices', 'KEYWORD', 'price', 'Our prices are on example.com/prices', 60, 10),
             ('fallback', 'REGEX', '.', 'Thanks, we will answer soon', 60, 0)`);
    const phone = randomPhone();
    const first = await customerSays(owner, sessionId, phone, "What's the PRICE of the blue one?");
    const sent = await eventually(async () => {
      const rows = await replies(owner, first.conversationId);
      return rows.length === 1 && rows[0].status !== 'QUEUED' ? rows : null;
    }, 'the auto-reply to be sent');
    assert.equal(sent[0].body, 'Our prices are on example.com/prices');
    await customerSays(owner, sessionId, phone, 'and the price of the red one?');
    assert.equal((await replies(owner, first.conversationId)).length, 1, 'the best rule is cooling down: no second answer');
    // Each rule has its own window: the fallback answers once too.
    await customerSays(owner, sessionId, phone, 'hello?');
    await customerSays(owner, sessionId, phone, 'hello again?');
    const both = await replies(owner, first.conversationId);
    assert.deepEqual(both.map((row) => row.body), ['Our prices are on example.com/prices', 'Thanks, we will answer soon']);

    const other = await customerSays(owner, sessionId, randomPhone(), 'price list please');
    assert.equal((await replies(owner, other.conversationId)).length, 1, 'another conversation gets its own reply');

    // Once the window has passed, the rule may fire again.
    await tenantQuery(t, owner.tenantId, "UPDATE auto_reply_firings SET fired_at = fired_at - interval '61 minutes' WHERE conversation_id = $1", [first.conversationId]);
    await customerSays(owner, sessionId, phone, 'price?');
    const latest = await replies(owner, first.conversationId);
    assert.equal(latest.length, 3);
    const [conversation] = await tenantQuery(t, owner.tenantId, 'SELECT last_message_id FROM conversations WHERE id = $1', [first.conversationId]);
    assert.equal(conversation.last_message_id, latest[2].id, "the reply is the conversation's last message");
  });

  test('concurrent messages of one conversation fire a rule once', async () => {
    const { owner, sessionId } = await sandboxTenant();
    await tenantQuery(t, owner.tenantId, `INSERT INTO auto_reply_rules (name, trigger, pattern, reply_body, cooldown_minutes)
      VALUES ('hello', 'REGEX', '^(hi|hello)\\b', 'Hello! How can we help?', 30)`);
    const phone = randomPhone();
    const messages = await Promise.all(Array.from({ length: 5 }, (_, i) => customerSays(owner, sessionId, phone, `hello ${i}`)));
    const firings = await tenantQuery(t, owner.tenantId, 'SELECT count(*)::int AS n FROM auto_reply_firings WHERE conversation_id = $1', [messages[0].conversationId]);
    assert.equal(firings[0].n, 1);
    assert.equal((await replies(owner, messages[0].conversationId)).length, 1);
  });

  test("over the plan's messages a month, the customer's message is stored and left unanswered", async () => {
    const { owner, sessionId } = await sandboxTenant();
    await setPlanLimits(t, owner.tenantId, { maxMessagesPerMonth: 1 });
    await tenantQuery(t, owner.tenantId, `INSERT INTO auto_reply_rules (name, trigger, pattern, reply_body, cooldown_minutes)
      VALUES ('any', 'REGEX', '.', 'We got your message', 60)`);
    const answered = await customerSays(owner, sessionId, randomPhone(), 'first customer');
    assert.equal((await replies(owner, answered.conversationId)).length, 1);
    const unanswered = await customerSays(owner, sessionId, randomPhone(), 'second customer');
    assert.equal((await replies(owner, unanswered.conversationId)).length, 0, 'the month is used up');
    const [stored] = await tenantQuery(t, owner.tenantId, 'SELECT body FROM messages WHERE id = $1', [unanswered.id]);
    assert.equal(stored.body, 'second customer');
  });

  test('outside business hours (from whatsapp_settings and master_config) replies only when closed', async () => {
    const { owner, sessionId } = await sandboxTenant();
    await tenantQuery(t, owner.tenantId, `INSERT INTO auto_reply_rules (name, trigger, reply_body, cooldown_minutes)
      VALUES ('closed', 'OUTSIDE_BUSINESS_HOURS', 'We are closed, back tomorrow', 0)`);
    const allDay = [{ open: '00:00', close: '24:00' }];
    const open = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, allDay]));
    await tenantQuery(t, owner.tenantId, 'INSERT INTO whatsapp_settings (session_id, timezone, business_hours) VALUES ($1, $2, $3)', [
      sessionId,
      'UTC',
      JSON.stringify(open),
    ]);
    await tenantQuery(t, owner.tenantId, "UPDATE master_config SET timezone = 'Pacific/Kiritimati'");
    const phone = randomPhone();
    const during = await customerSays(owner, sessionId, phone, 'anyone there?');
    assert.equal((await replies(owner, during.conversationId)).length, 0, 'open all week: no reply');

    await tenantQuery(t, owner.tenantId, "UPDATE whatsapp_settings SET business_hours = '{}'");
    await customerSays(owner, sessionId, phone, 'hello?');
    const closed = await replies(owner, during.conversationId);
    assert.equal(closed.length, 1);
    assert.equal(closed[0].body, 'We are closed, back tomorrow');
  });
});
