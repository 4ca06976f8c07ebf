import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { FakeWahaServer } from '../fakes/fake-waha-server';
import { CONNECT, SEND, eventually, memberToken, tenantQuery } from '../whatsapp/whatsapp-test-kit';
import { phonePrefix, seedContacts, tenantOf } from './campaign-kit';

const AUDIENCE = `query ($input: SetCampaignRecipientsInput!) { campaignAudience(input: $input) { chosen eligible excluded { reason count } } }`;
const OPT_OUT = `mutation ($id: ID!) { optOutContact(contactId: $id) { id optedOut } }`;
const OPT_IN = `mutation ($id: ID!) { optInContact(contactId: $id) { id optedOut } }`;

describe('opt-outs: keywords, one confirmation, by hand, and what the audience leaves out', () => {
  let t: TestApp;
  let waha: FakeWahaServer;
  let owner: SignedUp;
  let other: SignedUp;
  let session: { id: string; externalSessionId: string };
  const gql = (query: string, variables?: Record<string, unknown>) => t.client.data(query, variables, owner.token);
  const optedOut = async (contactId: string) =>
    (await tenantQuery<{ opted_out: boolean }>(t, owner.tenantId, 'SELECT opted_out FROM contacts WHERE id = $1', [contactId]))[0].opted_out;
  const write = (phone: string, body: string) =>
    waha.postWebhook(`${t.url}/webhooks/waha`, 'message', {
      id: `evt_${randomBytes(4).toString('hex')}`,
      session: session.externalSessionId,
      payload: FakeWahaServer.inboundText(phone, body),
    });
  const sentTo = (phone: string) => waha.sent.filter((message) => message.chatId === `${phone}@c.us`);

  before(async () => {
    waha = await FakeWahaServer.start({ startStatus: 'WORKING' });
    t = await startTestApp({ ...waha.appEnv(), JOBS_POLLING_INTERVAL_SECONDS: '0.5' });
    owner = await t.client.signUp();
    other = await t.client.signUp();
    session = (await gql(CONNECT, { input: { provider: 'WAHA', name: 'Opt-out line' } })).connectWhatsApp;
  });

  after(async () => {
    await t?.stop();
    await waha?.close();
  });

  test('a customer who writes STOP is opted out and confirmed once; tenant keywords in other languages work too', async () => {
    const [ann, bea, cid] = await seedContacts(tenantOf(t, owner.tenantId), 3, phonePrefix());
    assert.equal((await write(ann.phone, ' stop! ')).status, 200);
    await eventually(async () => optedOut(ann.id), 'Ann to be opted out');
    await eventually(async () => sentTo(ann.phone).length === 1, 'the confirmation');
    assert.equal(sentTo(ann.phone)[0].body, 'You will not receive our campaigns any more.');
    await write(ann.phone, 'STOP');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(sentTo(ann.phone).length, 1, 'confirmed once only');

    // Not a keyword alone: no opt-out.
    await write(bea.phone, 'please do not stop the deliveries');
    await gql('mutation ($v: JSON) { setTenantConfig(key: "campaigns.optOutKeywords", value: $v) { key } }', { v: ['STOP', 'Baja'] });
    await gql('mutation ($v: JSON) { setTenantConfig(key: "campaigns.optOutConfirmation", value: $v) { key } }', { v: 'Listo, no más campañas.' });
    await write(cid.phone, 'BAJA');
    await eventually(async () => optedOut(cid.id), 'Cid to be opted out by the Spanish keyword');
    await eventually(async () => sentTo(cid.phone).some((message) => message.body === 'Listo, no más campañas.'), 'the tenant confirmation');
    assert.equal(await optedOut(bea.id), false);

    // What the business writes never opts anyone out.
    await gql(SEND, { input: { phone: bea.phone, body: 'STOP' } });
    await eventually(async () => sentTo(bea.phone).length === 1, 'the business message');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await optedOut(bea.id), false);
    const events = await tenantQuery(t, owner.tenantId, `SELECT subject_id, actor_id FROM domain_events WHERE type = 'contact.opted_out' ORDER BY seq`);
    assert.deepEqual(events.map((event) => event.subject_id), [ann.id, cid.id]);
    assert.deepEqual(waha.unexpectedRequests, []);
  });

  test('by hand, with roles and tenants kept apart; the audience shows who is left out and why', async () => {
    const contacts = await seedContacts(tenantOf(t, owner.tenantId), 5, phonePrefix());
    const agent = await memberToken(t.client, owner.token, owner.tenantId, 'AGENT');
    const auditor = await memberToken(t.client, owner.token, owner.tenantId, 'AUDITOR');
    assert.equal((await t.client.data(OPT_OUT, { id: contacts[0].id }, agent)).optOutContact.optedOut, true);
    await t.client.expectError('FORBIDDEN', OPT_OUT, { id: contacts[1].id }, auditor);
    await t.client.expectError('FORBIDDEN', OPT_IN, { id: contacts[0].id }, agent);
    await t.client.expectError('NOT_FOUND', OPT_OUT, { id: contacts[1].id }, other.token);
    assert.equal(await optedOut(contacts[1].id), false);
    await gql(OPT_OUT, { id: contacts[1].id });
    await tenantQuery(t, owner.tenantId, 'UPDATE contacts SET deleted_at = now() WHERE id = $1', [contacts[2].id]);

    const audience = (await gql(AUDIENCE, { input: { contactIds: contacts.map((contact) => contact.id) } })).campaignAudience;
    assert.deepEqual(audience, { chosen: 5, eligible: 2, excluded: [{ reason: 'OPTED_OUT', count: 2 }, { reason: 'DELETED', count: 1 }] });
    assert.equal((await gql(OPT_IN, { id: contacts[1].id })).optInContact.optedOut, false);
    assert.equal((await gql(AUDIENCE, { input: { contactIds: contacts.map((contact) => contact.id) } })).campaignAudience.eligible, 3);
  });
});
