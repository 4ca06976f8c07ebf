import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { TestApp } from '../support/test-app';
import { ContactGroup } from '../../src/modules/contacts/contact-group.entity';
import { ContactGroupMember } from '../../src/modules/contacts/contact-group-member.entity';
import { Label } from '../../src/modules/labels/label.entity';
import { ContactLabel } from '../../src/modules/labels/contact-label.entity';
import { assertFieldError, startCrmApp, assertPaginationRoundTrip, seedContacts, seedSession, setUpTenant, type CrmTenant } from './crm-support';

const FIELDS = 'id name status sessionId scheduledAt recipientsTotal createdByUserId messages { position body documentId document { id filename } } stats { total pending sent delivered read failed }';
const CREATE = `mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateCampaignInput!) { updateCampaign(id: $id, input: $input) { ${FIELDS} } }`;
const SET_RECIPIENTS = `mutation ($id: ID!, $input: SetCampaignRecipientsInput!) { setCampaignRecipients(campaignId: $id, input: $input) { ${FIELDS} } }`;
const SCHEDULE = 'mutation ($id: ID!, $at: DateTimeISO!) { scheduleCampaign(id: $id, scheduledAt: $at) { id status scheduledAt } }';
const CANCEL = 'mutation ($id: ID!) { cancelCampaign(id: $id) { id status } }';
const DELETE = 'mutation ($id: ID!) { deleteCampaign(id: $id) }';
const RECIPIENTS = `query ($id: ID!, $first: Int, $after: String, $filter: CampaignRecipientFilter) { campaign(id: $id) {
  recipients(first: $first, after: $after, filter: $filter) { totalCount edges { cursor node { id contactId status } } pageInfo { hasNextPage endCursor } }
} }`;
const LIST = `query ($first: Int, $after: String, $filter: CampaignFilter) {
  campaigns(first: $first, after: $after, filter: $filter) { totalCount edges { cursor node { id name status } } pageInfo { hasNextPage endCursor } }
}`;

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe('campaigns', () => {
  let t: TestApp;
  let a: CrmTenant;
  let b: CrmTenant;
  before(async () => ({ t, a, b } = await startCrmApp()));
  after(() => t.stop());

  const create = async (input: Record<string, unknown> = {}, tenant = a) =>
    (await t.client.data(CREATE, { input: { name: 'Spring sale', messages: [{ body: 'Hello!' }], ...input } }, tenant.tokens.MANAGER)).createCampaign;
  const setRecipients = async (id: string, input: Record<string, string[]>, tenant = a) =>
    (await t.client.data(SET_RECIPIENTS, { id, input }, tenant.tokens.MANAGER)).setCampaignRecipients;
  const recipientIds = async (id: string, tenant = a) =>
    (await t.client.data(RECIPIENTS, { id, first: 100 }, tenant.tokens.AGENT)).campaign.recipients.edges.map((e: any) => e.node) as Array<{ id: string; contactId: string }>;

  /** Groups and labels are another module's; seeded straight into the tenant database. */
  async function seedAudience(tenantId: string) {
    const contacts = await seedContacts(t, tenantId, [{}, {}, {}, {}, {}, { optedOut: true }, { deleted: true }, {}]);
    const [c1, c2, c3, c4, c5, optedOut, deleted, c8] = contacts;
    return t.app.platform.router.withTenant(tenantId, async (m) => {
      const g1 = (await m.getRepository(ContactGroup).insert({ name: `VIP ${crypto.randomUUID()}` })).identifiers[0].id as string;
      const g2 = (await m.getRepository(ContactGroup).insert({ name: `Newsletter ${crypto.randomUUID()}` })).identifiers[0].id as string;
      const goneGroup = (await m.getRepository(ContactGroup).insert({ name: `Old ${crypto.randomUUID()}`, deletedAt: new Date() })).identifiers[0].id as string;
      const l1 = (await m.getRepository(Label).insert({ name: `Hot lead ${crypto.randomUUID()}` })).identifiers[0].id as string;
      const l2 = (await m.getRepository(Label).insert({ name: `Quiet ${crypto.randomUUID()}` })).identifiers[0].id as string;
      await m.getRepository(ContactGroupMember).insert([c1, c2, c3, deleted].map((contactId) => ({ groupId: g1, contactId })));
      await m.getRepository(ContactGroupMember).insert([c3, c4].map((contactId) => ({ groupId: g2, contactId })));
      await m.getRepository(ContactGroupMember).insert([{ groupId: goneGroup, contactId: c5 }]);
      await m.getRepository(ContactLabel).insert([c4, c5].map((contactId) => ({ labelId: l1, contactId })));
      await m.getRepository(ContactLabel).insert([{ labelId: l2, contactId: optedOut }]);
      return { c1, c2, c3, c4, c5, c8, optedOut, deleted, g1, g2, goneGroup, l1, l2 };
    });
  }

  test('create with an ordered message sequence, edit it, list by status', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(64)]);
    const doc = (
      await t.client.data(
        'mutation ($input: UploadDocumentInput!) { uploadDocument(input: $input) { id } }',
        { input: { filename: 'catalog.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') } },
        a.tokens.MANAGER,
      )
    ).uploadDocument;
    const sessionId = await seedSession(t, a.tenantId);
    const campaign = await create({ sessionId, messages: [{ body: 'Hi {{name}}' }, { body: 'Our catalog', documentId: doc.id }, { body: 'Bye' }] });
    assert.equal(campaign.status, 'DRAFT');
    assert.equal(campaign.sessionId, sessionId);
    assert.ok(campaign.createdByUserId);
    assert.deepEqual(
      campaign.messages.map((m: any) => [m.position, m.body, m.document?.filename ?? null]),
      [[0, 'Hi {{name}}', null], [1, 'Our catalog', 'catalog.pdf'], [2, 'Bye', null]],
    );
    assert.deepEqual(campaign.stats, { total: 0, pending: 0, sent: 0, delivered: 0, read: 0, failed: 0 });

    const edited = (await t.client.data(UPDATE, { id: campaign.id, input: { name: 'Summer sale', messages: [{ documentId: doc.id }, { body: 'First now second' }] } }, a.tokens.MANAGER))
      .updateCampaign;
    assert.equal(edited.name, 'Summer sale');
    assert.deepEqual(edited.messages.map((m: any) => [m.position, m.body, m.documentId]), [[0, null, doc.id], [1, 'First now second', null]]);
    assert.equal(edited.sessionId, sessionId, 'fields not given stay');

    assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { name: 'x', messages: [{ body: '  ' }] } }, a.tokens.MANAGER), 'messages.0');
    assertFieldError(
      await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { name: 'x', messages: [{ body: 'ok' }, { documentId: crypto.randomUUID() }] } }, a.tokens.MANAGER),
      'messages.1.documentId',
    );
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { name: '', messages: [] } }, a.tokens.MANAGER), 'name');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { name: 'x', sessionId: crypto.randomUUID() } }, a.tokens.MANAGER), 'sessionId');

    const drafts = await t.client.data(LIST, { filter: { status: 'DRAFT', search: 'summer' } }, a.tokens.AUDITOR);
    assert.deepEqual(drafts.campaigns.edges.map((e: any) => e.node.id), [campaign.id]);
    assert.equal((await t.client.data(LIST, { filter: { status: 'COMPLETED' } }, a.tokens.AUDITOR)).campaigns.totalCount, 0);
  });

  test('recipients from contacts, groups and labels: distinct, live, not opted out, idempotent', async () => {
    const s = await seedAudience(a.tenantId);
    const campaign = await create();
    const set = await setRecipients(campaign.id, { contactIds: [s.c1, s.c8, s.c8], groupIds: [s.g1, s.g2], labelIds: [s.l1, s.l2] });
    const expected = [s.c1, s.c2, s.c3, s.c4, s.c5, s.c8].sort();
    assert.equal(set.recipientsTotal, 6);
    assert.deepEqual(set.stats, { total: 6, pending: 6, sent: 0, delivered: 0, read: 0, failed: 0 });
    const first = await recipientIds(campaign.id);
    assert.deepEqual(first.map((r) => r.contactId).sort(), expected, 'c3 (two groups) and c4 (group + label) once; opted-out and deleted left out');

    const again = await setRecipients(campaign.id, { contactIds: [s.c8, s.c1], groupIds: [s.g2, s.g1], labelIds: [s.l2, s.l1] });
    assert.equal(again.recipientsTotal, 6);
    assert.deepEqual((await recipientIds(campaign.id)).map((r) => r.id).sort(), first.map((r) => r.id).sort(), 'the same rows: idempotent');

    const shrunk = await setRecipients(campaign.id, { groupIds: [s.g2] });
    assert.equal(shrunk.recipientsTotal, 2);
    const kept = await recipientIds(campaign.id);
    assert.deepEqual(kept.map((r) => r.contactId).sort(), [s.c3, s.c4].sort());
    assert.ok(kept.every((r) => first.some((f) => f.id === r.id)), 'recipients still chosen keep their rows');

    const unknown = await t.client.expectError('VALIDATION_FAILED', SET_RECIPIENTS, { id: campaign.id, input: { groupIds: [s.g1, s.goneGroup] } }, a.tokens.MANAGER);
    assertFieldError(unknown, 'groupIds');
    assert.deepEqual((unknown.extensions as any).details.missing, [s.goneGroup]);
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', SET_RECIPIENTS, { id: campaign.id, input: { labelIds: ['x'] } }, a.tokens.MANAGER), 'labelIds');

    // Another tenant's contacts, groups and labels do not exist there.
    const theirs = await create({}, b);
    for (const input of [{ contactIds: [s.c1] }, { groupIds: [s.g1] }, { labelIds: [s.l1] }]) {
      await t.client.expectError('VALIDATION_FAILED', SET_RECIPIENTS, { id: theirs.id, input }, b.tokens.MANAGER);
    }
  });

  test('stats and the recipients connection by status', async () => {
    const s = await seedAudience(a.tenantId);
    const campaign = await create();
    await setRecipients(campaign.id, { groupIds: [s.g1, s.g2], labelIds: [s.l1] });
    await t.app.platform.router.withTenant(a.tenantId, async (m) => {
      await m.query(`UPDATE campaign_recipients SET status = 'SENT' WHERE campaign_id = $1 AND contact_id = ANY($2::uuid[])`, [campaign.id, [s.c1, s.c2]]);
      await m.query(`UPDATE campaign_recipients SET status = 'FAILED', error = 'blocked' WHERE campaign_id = $1 AND contact_id = $2`, [campaign.id, s.c3]);
      await m.query(`UPDATE campaign_recipients SET status = 'READ' WHERE campaign_id = $1 AND contact_id = $2`, [campaign.id, s.c4]);
    });
    const { campaign: read } = await t.client.data(`query ($id: ID!) { campaign(id: $id) { ${FIELDS} } }`, { id: campaign.id }, a.tokens.AUDITOR);
    assert.deepEqual(read.stats, { total: 5, pending: 1, sent: 2, delivered: 0, read: 1, failed: 1 });
    const sent = (await t.client.data(RECIPIENTS, { id: campaign.id, filter: { status: 'SENT' } }, a.tokens.AGENT)).campaign.recipients;
    assert.equal(sent.totalCount, 2);
    assert.deepEqual(sent.edges.map((e: any) => e.node.contactId).sort(), [s.c1, s.c2].sort());
    assert.ok(sent.edges.every((e: any) => e.node.status === 'SENT'));
  });

  test('schedule, cancel, and no edits once sending or cancelled', async () => {
    const s = await seedAudience(a.tenantId);
    const campaign = await create();
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', SCHEDULE, { id: campaign.id, at: new Date(Date.now() - 60_000).toISOString() }, a.tokens.MANAGER), 'scheduledAt');
    await t.client.expectError('CONFLICT', SCHEDULE, { id: campaign.id, at: inAnHour() }, a.tokens.MANAGER);
    await setRecipients(campaign.id, { contactIds: [s.c1] });
    const at = inAnHour();
    const scheduled = (await t.client.data(SCHEDULE, { id: campaign.id, at }, a.tokens.MANAGER)).scheduleCampaign;
    assert.equal(scheduled.status, 'SCHEDULED');
    assert.equal(new Date(scheduled.scheduledAt).toISOString(), at);
    assert.equal((await t.client.data(UPDATE, { id: campaign.id, input: { name: 'Still editable' } }, a.tokens.MANAGER)).updateCampaign.name, 'Still editable');
    assert.equal((await t.client.data(CANCEL, { id: campaign.id }, a.tokens.MANAGER)).cancelCampaign.status, 'CANCELLED');
    await t.client.expectError('CONFLICT', UPDATE, { id: campaign.id, input: { name: 'Too late' } }, a.tokens.MANAGER);
    await t.client.expectError('CONFLICT', SET_RECIPIENTS, { id: campaign.id, input: { contactIds: [s.c2] } }, a.tokens.MANAGER);
    await t.client.expectError('CONFLICT', CANCEL, { id: campaign.id }, a.tokens.MANAGER);

    const sending = await create();
    await t.app.platform.router.withTenant(a.tenantId, (m) => m.query(`UPDATE campaigns SET status = 'SENDING' WHERE id = $1`, [sending.id]));
    const conflict = await t.client.expectError('CONFLICT', UPDATE, { id: sending.id, input: { messages: [{ body: 'changed' }] } }, a.tokens.MANAGER);
    assert.equal((conflict.extensions as any).details.status, 'SENDING');
    await t.client.expectError('CONFLICT', DELETE, { id: sending.id }, a.tokens.MANAGER);
    assert.equal((await t.client.data(CANCEL, { id: sending.id }, a.tokens.MANAGER)).cancelCampaign.status, 'CANCELLED');
  });

  test('delete is soft; a scheduled campaign is cancelled as it goes', async () => {
    const s = await seedAudience(a.tenantId);
    const campaign = await create({ name: `Doomed ${crypto.randomUUID()}` });
    await setRecipients(campaign.id, { contactIds: [s.c1] });
    await t.client.data(SCHEDULE, { id: campaign.id, at: inAnHour() }, a.tokens.MANAGER);
    assert.equal((await t.client.data(DELETE, { id: campaign.id }, a.tokens.MANAGER)).deleteCampaign, true);
    assert.equal((await t.client.data(`query ($id: ID!) { campaign(id: $id) { id } }`, { id: campaign.id }, a.tokens.MANAGER)).campaign, null);
    assert.equal((await t.client.data(LIST, { filter: { search: 'Doomed' } }, a.tokens.MANAGER)).campaigns.totalCount, 0);
    await t.client.expectError('NOT_FOUND', DELETE, { id: campaign.id }, a.tokens.MANAGER);
    const [row] = await t.app.platform.router.withTenant(a.tenantId, (m) => m.query('SELECT status, deleted_at FROM campaigns WHERE id = $1', [campaign.id]));
    assert.equal(row.status, 'CANCELLED');
    assert.ok(row.deleted_at, 'the row is kept');
  });

  test('roles and other tenants', async () => {
    await t.client.expectError('FORBIDDEN', CREATE, { input: { name: 'x' } }, a.tokens.AGENT);
    await t.client.expectError('FORBIDDEN', CREATE, { input: { name: 'x' } }, a.tokens.AUDITOR);
    const campaign = await create();
    await t.client.expectError('FORBIDDEN', SET_RECIPIENTS, { id: campaign.id, input: {} }, a.tokens.AGENT);
    await t.client.expectError('FORBIDDEN', SCHEDULE, { id: campaign.id, at: inAnHour() }, a.tokens.AUDITOR);
    await t.client.expectError('FORBIDDEN', CANCEL, { id: campaign.id }, a.tokens.AGENT);
    await t.client.expectError('FORBIDDEN', DELETE, { id: campaign.id }, a.tokens.AUDITOR);
    assert.equal((await t.client.data(`query ($id: ID!) { campaign(id: $id) { id } }`, { id: campaign.id }, a.tokens.AGENT)).campaign.id, campaign.id);

    assert.equal((await t.client.data(`query ($id: ID!) { campaign(id: $id) { id } }`, { id: campaign.id }, b.tokens.TENANT_ADMIN)).campaign, null);
    for (const [query, variables] of [
      [UPDATE, { id: campaign.id, input: { name: 'hijack' } }],
      [SET_RECIPIENTS, { id: campaign.id, input: {} }],
      [SCHEDULE, { id: campaign.id, at: inAnHour() }],
      [CANCEL, { id: campaign.id }],
      [DELETE, { id: campaign.id }],
    ] as const) {
      await t.client.expectError('NOT_FOUND', query, variables, b.tokens.TENANT_ADMIN);
    }
  });

  test('relation fields are batched: the statement count does not grow with the page', async () => {
    const tenant = await setUpTenant(t);
    const [contact] = await seedContacts(t, tenant.tenantId, [{}]);
    const query = `query ($first: Int) { campaigns(first: $first) { edges { node { id messages { body } stats { total } recipients(first: 3) { totalCount edges { node { contactId } } } } } } }`;
    for (let i = 0; i < 6; i += 1) {
      const campaign = await create({ name: `Batch ${i}`, messages: [{ body: 'a' }, { body: 'b' }] }, tenant);
      await setRecipients(campaign.id, { contactIds: [contact] }, tenant);
    }
    const two = await t.client.request(query, { first: 2 }, tenant.tokens.AGENT);
    const six = await t.client.request(query, { first: 6 }, tenant.tokens.AGENT);
    assert.equal(six.data.campaigns.edges.length, 6);
    assert.ok(six.data.campaigns.edges.every((e: any) => e.node.messages.length === 2 && e.node.stats.total === 1 && e.node.recipients.totalCount === 1));
    assert.equal(typeof six.extensions?.sqlStatements, 'number');
    assert.equal(six.extensions?.sqlStatements, two.extensions?.sqlStatements);
  });

  test('pagination of campaigns and of recipients: first=5 with inserts between pages', async () => {
    const tenant = await setUpTenant(t);
    await assertPaginationRoundTrip({
      create: async (i) => (await create({ name: `Page ${i}` }, tenant)).id,
      page: async (cursor) => (await t.client.data(LIST, { first: 5, after: cursor }, tenant.tokens.AUDITOR)).campaigns,
    });

    const campaign = await create({}, tenant);
    await assertPaginationRoundTrip({
      // Recipients arrive one by one here (as a sender's retries might add them), straight in the database.
      create: async () => {
        const [contactId] = await seedContacts(t, tenant.tenantId, [{}]);
        const [row] = await t.app.platform.router.withTenant(tenant.tenantId, (m) =>
          m.query('INSERT INTO campaign_recipients (campaign_id, contact_id) VALUES ($1, $2) RETURNING id', [campaign.id, contactId]),
        );
        return row.id;
      },
      page: async (cursor) => (await t.client.data(RECIPIENTS, { id: campaign.id, first: 5, after: cursor }, tenant.tokens.AUDITOR)).campaign.recipients,
    });
  });
});
