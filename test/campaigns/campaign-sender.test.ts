import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { LiveSubscription } from '../support/live-subscription';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { CONNECT, eventually, tenantQuery } from '../whatsapp/whatsapp-test-kit';
import { CANCEL, CREATE, GET, PAUSE, PREVIEW, RESUME, SCHEDULE, SET_RECIPIENTS, START, UPDATE, phonePrefix, seedContacts, tenantOf } from './campaign-kit';

describe('campaigns go out: through the durable outbound queue, paced, once per recipient', () => {
  let t: TestApp;
  let waha: FakeWahaServer;
  let owner: SignedUp;
  let other: SignedUp;
  let session: { id: string; externalSessionId: string };

  const gql = (query: string, variables?: Record<string, unknown>) => t.client.data(query, variables, owner.token);
  const sendsTo = (phone: string) => waha.sent.filter((message) => message.chatId === `${phone}@c.us`);
  const campaign = async (id: string) => (await gql(GET, { id })).campaign;
  const newCampaign = async (contacts: Array<{ id: string }>, input: Record<string, unknown>) => {
    const created = (await gql(CREATE, { input: { name: `C ${randomBytes(3).toString('hex')}`, sessionId: session.id, ...input } })).createCampaign;
    await gql(SET_RECIPIENTS, { id: created.id, input: { contactIds: contacts.map((contact) => contact.id) } });
    return created;
  };

  before(async () => {
    waha = await FakeWahaServer.start({ startStatus: 'WORKING' });
    t = await startTestApp({
      ...waha.appEnv(),
      JOBS_POLLING_INTERVAL_SECONDS: '0.5',
      CAMPAIGN_RATE_WAHA_PER_MINUTE: '6000',
      CAMPAIGN_JOB_EXPIRE_SECONDS: '10',
      OUTBOUND_CONCURRENCY: '8',
    });
    owner = await t.client.signUp();
    other = await t.client.signUp();
    session = (await gql(CONNECT, { input: { provider: 'WAHA', name: 'Campaign line' } })).connectWhatsApp;
    await gql('mutation { updateMasterConfig(input: { businessName: "Acme Bikes" }) { businessName } }');
  });

  after(async () => {
    await t?.stop();
    await waha?.close();
  });

  test('startCampaign sends each recipient the personalised sequence once, as inbox messages; stats, events and the live campaign follow', async () => {
    const contacts = await seedContacts(tenantOf(t, owner.tenantId), 24, phonePrefix());
    const created = await newCampaign(contacts, {
      messagesPerMinute: 3000,
      messages: [{ body: 'Hi {{name|there}}, {{business}} here' }, { body: 'Your number: {{phone}}' }],
    });
    // Opted out after the audience was set: skipped, never messaged.
    const optedOut = contacts[1];
    await tenantQuery(t, owner.tenantId, 'UPDATE contacts SET opted_out = true WHERE id = $1', [optedOut.id]);

    const preview = (await gql(PREVIEW, { id: created.id, contactId: contacts[0].id })).previewCampaign;
    assert.deepEqual(preview.map((part: any) => part.body), ['Hi there, Acme Bikes here', `Your number: +${contacts[0].phone}`]);
    assert.equal((await gql(PREVIEW, { id: created.id, contactId: contacts[2].id })).previewCampaign[0].body, 'Hi Customer 2, Acme Bikes here');

    const ws = t.client.ws(owner.token);
    const live = new LiveSubscription(ws, `subscription ($id: ID) { campaignUpdated(id: $id) { id status stats { sent queued skipped } } }`, { id: created.id });
    const theirs = new LiveSubscription(t.client.ws(other.token), 'subscription { campaignUpdated { id } }');
    await new Promise((resolve) => setTimeout(resolve, 300));

    const started = (await gql(START, { id: created.id })).startCampaign;
    assert.equal(started.status, 'SENDING');
    const done = await eventually(async () => {
      const current = await campaign(created.id);
      return current.status === 'COMPLETED' && current.stats.queued === 0 ? current : null;
    }, 'the campaign to complete and its messages to be sent', 60_000);
    assert.ok(done.completedAt);
    assert.equal(done.stats.skipped, 1);
    assert.equal(done.stats.sent, 23);
    assert.equal(done.stats.pending, 0);
    // The later parts of the sequence are held back a little, so they arrive in order.
    await eventually(async () => waha.sent.filter((message) => message.body.startsWith('Your number')).length >= 23, 'the second parts');

    for (const contact of contacts) {
      const got = sendsTo(contact.phone);
      if (contact.id === optedOut.id) {
        assert.equal(got.length, 0, 'the opted-out contact got nothing');
        continue;
      }
      assert.equal(got.length, 2, `${contact.phone} got the sequence once`);
      const name = contact.name === contact.phone ? 'there' : contact.name;
      assert.deepEqual(got.map((message) => message.body), [`Hi ${name}, Acme Bikes here`, `Your number: +${contact.phone}`]);
    }
    // Ordinary outbound messages: in conversations of the channel, counted in the plan's month.
    const stored = await eventually(async () => {
      const [row] = await tenantQuery(
      t,
      owner.tenantId,
      `SELECT count(*)::int AS messages, count(DISTINCT m.conversation_id)::int AS conversations, bool_and(c.session_id = $1) AS on_channel
         FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.direction = 'OUTBOUND' AND m.status = 'SENT'`,
      [session.id],
      );
      return row.messages === 46 ? row : null;
    }, 'every message to be recorded SENT');
    assert.deepEqual(stored, { messages: 46, conversations: 23, on_channel: true });
    const [usage] = await tenantQuery(t, owner.tenantId, `SELECT used FROM usage_counters WHERE metric = 'OUTBOUND_MESSAGES'`);
    assert.equal(Number(usage.used), 46);
    const [skipped] = await tenantQuery(t, owner.tenantId, 'SELECT status, error FROM campaign_recipients WHERE campaign_id = $1 AND contact_id = $2', [created.id, optedOut.id]);
    assert.deepEqual(skipped, { status: 'SKIPPED', error: 'the contact opted out' });

    const events = await tenantQuery<{ type: string; actor_kind: string }>(
      t,
      owner.tenantId,
      `SELECT type, actor_kind FROM domain_events WHERE subject_id = $1 AND type LIKE 'campaign.%' ORDER BY seq`,
      [created.id],
    );
    assert.deepEqual(events.slice(-2).map((event) => event.type), ['campaign.started', 'campaign.completed']);
    await live.waitFor((sub) => sub.data.some((item) => item.campaignUpdated.status === 'COMPLETED'), 'the live campaign to complete', 10_000);
    await live.waitFor((sub) => sub.data.some((item) => item.campaignUpdated.stats.sent === 23), 'live stats to reach 23 sent', 10_000);
    assert.deepEqual(theirs.data, [], 'another tenant hears nothing');
    live.dispose();
    theirs.dispose();

    // Acks and replies keep the stats current.
    const [first] = await tenantQuery<{ provider_message_id: string }>(
      t,
      owner.tenantId,
      'SELECT m.provider_message_id FROM campaign_recipients r JOIN messages m ON m.id = r.message_id WHERE r.contact_id = $1',
      [contacts[2].id],
    );
    await waha.postWebhook(`${t.url}/webhooks/waha`, 'message.ack', {
      id: `evt_${randomBytes(4).toString('hex')}`,
      session: session.externalSessionId,
      payload: { id: first.provider_message_id, from: `${contacts[2].phone}@c.us`, ack: 3, ackName: 'READ' },
    });
    await waha.postWebhook(`${t.url}/webhooks/waha`, 'message', {
      id: `evt_${randomBytes(4).toString('hex')}`,
      session: session.externalSessionId,
      payload: FakeWahaServer.inboundText(contacts[3].phone, 'tell me more'),
    });
    const progressed = await eventually(async () => {
      const current = await campaign(created.id);
      return current.stats.read === 1 && current.stats.replied === 1 ? current : null;
    }, 'the ack and the reply to show in the stats');
    assert.equal(progressed.stats.sent, 21);
    assert.deepEqual(waha.unexpectedRequests, []);
  });

  test('a scheduled campaign starts by itself at scheduledAt', async () => {
    const contacts = await seedContacts(tenantOf(t, owner.tenantId), 3, phonePrefix());
    const created = await newCampaign(contacts, { messages: [{ body: 'On time' }] });
    const at = new Date(Date.now() + 1500).toISOString();
    assert.equal((await gql(SCHEDULE, { id: created.id, at })).scheduleCampaign.status, 'SCHEDULED');
    assert.equal((await campaign(created.id)).status, 'SCHEDULED');
    const done = await eventually(async () => {
      const current = await campaign(created.id);
      return current.status === 'COMPLETED' ? current : null;
    }, 'the scheduled campaign to complete', 40_000);
    assert.ok(new Date(done.startedAt).getTime() >= new Date(at).getTime() - 50, 'not before its time');
    await eventually(async () => contacts.every((contact) => sendsTo(contact.phone).length === 1), 'each to get it once');
    const [started] = await tenantQuery(t, owner.tenantId, `SELECT actor_kind, actor_id FROM domain_events WHERE subject_id = $1 AND type = 'campaign.started'`, [created.id]);
    assert.deepEqual(started, { actor_kind: 'SYSTEM', actor_id: 'campaign-sender' });
  });

  test('pause stops the sender, resume goes on where it stopped, cancel ends it; the pace is kept', async () => {
    const contacts = await seedContacts(tenantOf(t, owner.tenantId), 40, phonePrefix());
    const created = await newCampaign(contacts, { messagesPerMinute: 600, messages: [{ body: 'Slowly' }] });
    const startedAt = Date.now();
    await gql(START, { id: created.id });
    await eventually(async () => contacts.filter((contact) => sendsTo(contact.phone).length > 0).length >= 5, 'a few sends');
    const paused = (await gql(PAUSE, { id: created.id })).pauseCampaign;
    assert.equal(paused.status, 'PAUSED');
    assert.equal(paused.pausedReason, 'Paused by a person');
    await t.client.expectError('CONFLICT', PAUSE, { id: created.id }, owner.token);
    await new Promise((resolve) => setTimeout(resolve, 800)); // what was queued before the pause goes out
    const atPause = contacts.filter((contact) => sendsTo(contact.phone).length > 0).length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(contacts.filter((contact) => sendsTo(contact.phone).length > 0).length, atPause, 'nothing more while paused');
    assert.ok(atPause < contacts.length);
    const elapsed = (Date.now() - startedAt) / 1000;
    assert.ok(atPause <= 10 * elapsed + 3, `paced at 600/min: ${atPause} in ${elapsed.toFixed(1)} s`);

    // The pace may change while paused; the audience may not.
    assert.equal((await gql(UPDATE, { id: created.id, input: { messagesPerMinute: 6000 } })).updateCampaign.messagesPerMinute, 6000);
    await t.client.expectError('CONFLICT', UPDATE, { id: created.id, input: { name: 'renamed' } }, owner.token);
    assert.equal((await gql(RESUME, { id: created.id })).resumeCampaign.status, 'SENDING');
    await eventually(async () => (await campaign(created.id)).status === 'COMPLETED', 'the resumed campaign to complete', 40_000);
    await eventually(async () => contacts.every((contact) => sendsTo(contact.phone).length === 1), 'every recipient once');
    await t.client.expectError('CONFLICT', RESUME, { id: created.id }, owner.token);

    const second = await newCampaign(contacts.slice(0, 10), { messagesPerMinute: 60, messages: [{ body: 'Cancelled soon' }] });
    await gql(START, { id: second.id });
    assert.equal((await gql(CANCEL, { id: second.id })).cancelCampaign.status, 'CANCELLED');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const cancelledSends = waha.sent.filter((message) => message.body === 'Cancelled soon').length;
    assert.ok(cancelledSends <= 2, `at most what was claimed before the cancel went out (${cancelledSends})`);
    assert.equal((await campaign(second.id)).status, 'CANCELLED');
  });

  test('starting needs a channel, messages and recipients; roles and tenants are kept apart', async () => {
    const [contact] = await seedContacts(tenantOf(t, owner.tenantId), 1, phonePrefix());
    const noChannel = (await gql(CREATE, { input: { name: 'No channel', messages: [{ body: 'x' }] } })).createCampaign;
    await gql(SET_RECIPIENTS, { id: noChannel.id, input: { contactIds: [contact.id] } });
    await t.client.expectError('CONFLICT', START, { id: noChannel.id }, owner.token);
    const empty = (await gql(CREATE, { input: { name: 'Empty', sessionId: session.id, messages: [{ body: 'x' }] } })).createCampaign;
    await t.client.expectError('CONFLICT', START, { id: empty.id }, owner.token);
    await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { name: 'Too fast', messagesPerMinute: 0 } }, owner.token);
    await t.client.expectError('NOT_FOUND', START, { id: noChannel.id }, other.token);
    await t.client.expectError('NOT_FOUND', PREVIEW, { id: noChannel.id, contactId: contact.id }, other.token);
    assert.equal((await campaign(noChannel.id)).status, 'DRAFT');
  });
});
