import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { memberWithRole, seedInbox, setPlanLimits, uniquePhone } from '../support/crm-fixtures';

const CREATE_CONTACT = `mutation ($p: String!, $n: String!) { createContact(input: { name: $n, phone: $p }) { id } }`;
const GROUPS = `query ($first: Int, $after: String) { contactGroups(first: $first, after: $after) { edges { node { id name description memberCount } } pageInfo { hasNextPage endCursor } totalCount } }`;
const LABELS = `query ($first: Int, $after: String) { labels(first: $first, after: $after) { edges { node { id name color } } pageInfo { hasNextPage endCursor } totalCount } }`;
const ADD = `mutation ($g: ID!, $ids: [ID!]!) { addContactsToGroup(groupId: $g, contactIds: $ids) { id memberCount } }`;
const REMOVE = `mutation ($g: ID!, $ids: [ID!]!) { removeContactsFromGroup(groupId: $g, contactIds: $ids) { id memberCount } }`;
const CONTACT = `query ($id: ID!) { contact(id: $id) { groups { name } labels { name } } }`;

describe('contact groups and labels', () => {
  let t: TestApp;
  let owner: SignedUp;
  let other: SignedUp;
  let contactIds: string[];
  before(async () => {
    t = await startTestApp();
    [owner, other] = await Promise.all([t.client.signUp(), t.client.signUp()]);
    await setPlanLimits(t, owner.tenantId);
    contactIds = [];
    for (const name of ['Ann', 'Ben', 'Cat']) {
      contactIds.push((await t.client.data(CREATE_CONTACT, { p: uniquePhone()[0], n: name }, owner.token)).createContact.id);
    }
  });
  after(() => t.stop());

  test('groups: create, list by name, update, members in and out, soft delete frees the name', async () => {
    const create = (name: string, description?: string) =>
      t.client.data(`mutation ($input: CreateContactGroupInput!) { createContactGroup(input: $input) { id name description memberCount } }`, { input: { name, description } }, owner.token);
    const vip = (await create('VIP', 'Best customers')).createContactGroup;
    assert.equal(vip.memberCount, 0);
    const leads = (await create('Leads')).createContactGroup;
    const dup = await t.client.expectError('CONFLICT', `mutation { createContactGroup(input: { name: "VIP" }) { id } }`, {}, owner.token);
    assert.match(dup.message, /already exists/);
    await t.client.expectError('VALIDATION_FAILED', `mutation { createContactGroup(input: { name: "" }) { id } }`, {}, owner.token);

    assert.equal((await t.client.data(ADD, { g: vip.id, ids: [contactIds[0], contactIds[1], contactIds[0]] }, owner.token)).addContactsToGroup.memberCount, 2);
    assert.equal((await t.client.data(ADD, { g: vip.id, ids: [contactIds[1], contactIds[2]] }, owner.token)).addContactsToGroup.memberCount, 3, 'adding twice is fine');
    await t.client.data(ADD, { g: leads.id, ids: [contactIds[0]] }, owner.token);
    const missing = await t.client.expectError('NOT_FOUND', ADD, { g: vip.id, ids: [contactIds[0], '00000000-0000-4000-8000-000000000000'] }, owner.token);
    assert.deepEqual(missing.extensions?.details, { contactIds: ['00000000-0000-4000-8000-000000000000'] });
    await t.client.expectError('VALIDATION_FAILED', ADD, { g: vip.id, ids: [] }, owner.token);
    assert.equal((await t.client.data(REMOVE, { g: vip.id, ids: [contactIds[2]] }, owner.token)).removeContactsFromGroup.memberCount, 2);

    const { contact } = await t.client.data(CONTACT, { id: contactIds[0] }, owner.token);
    assert.deepEqual(contact.groups.map((g: { name: string }) => g.name), ['Leads', 'VIP']);

    const { updateContactGroup } = await t.client.data(`mutation ($id: ID!) { updateContactGroup(id: $id, input: { name: "VIPs", description: null }) { name description } }`, { id: vip.id }, owner.token);
    assert.deepEqual(updateContactGroup, { name: 'VIPs', description: null });

    const page1 = (await t.client.data(GROUPS, { first: 1 }, owner.token)).contactGroups;
    const page2 = (await t.client.data(GROUPS, { first: 1, after: page1.pageInfo.endCursor }, owner.token)).contactGroups;
    assert.deepEqual([...page1.edges, ...page2.edges].map((e: { node: { name: string } }) => e.node.name), ['Leads', 'VIPs']);
    assert.equal(page2.pageInfo.hasNextPage, false);
    assert.equal(page1.totalCount, 2);

    assert.equal((await t.client.data(`mutation ($id: ID!) { deleteContactGroup(id: $id) }`, { id: leads.id }, owner.token)).deleteContactGroup, true);
    assert.equal((await t.client.data(`query ($id: ID!) { contactGroup(id: $id) { id } }`, { id: leads.id }, owner.token)).contactGroup, null);
    assert.deepEqual((await t.client.data(CONTACT, { id: contactIds[0] }, owner.token)).contact.groups, [{ name: 'VIPs' }]);
    const filtered = await t.client.data(`query ($g: ID!) { contacts(filter: { groupId: $g }) { totalCount } }`, { g: leads.id }, owner.token);
    assert.equal(filtered.contacts.totalCount, 0, 'a deleted group has no listed members');
    await create('Leads');
  });

  test('labels: create, list, update, label contacts and conversations, delete takes them off', async () => {
    const create = (name: string, color?: string) =>
      t.client.data(`mutation ($input: CreateLabelInput!) { createLabel(input: $input) { id name color } }`, { input: { name, color } }, owner.token);
    const urgent = (await create('Urgent', '#FF0000')).createLabel;
    assert.equal(urgent.color, '#ff0000');
    const later = (await create('Later')).createLabel;
    assert.equal(later.color, '#9e9e9e', 'default colour');
    await t.client.expectError('CONFLICT', `mutation { createLabel(input: { name: "Urgent" }) { id } }`, {}, owner.token);
    await t.client.expectError('VALIDATION_FAILED', `mutation { createLabel(input: { name: "Red", color: "red" }) { id } }`, {}, owner.token);
    await t.client.expectError('CONFLICT', `mutation ($id: ID!) { updateLabel(id: $id, input: { name: "Urgent" }) { id } }`, { id: later.id }, owner.token);
    assert.equal((await t.client.data(`mutation ($id: ID!) { updateLabel(id: $id, input: { color: "#00ff00" }) { color } }`, { id: later.id }, owner.token)).updateLabel.color, '#00ff00');

    const labelContact = `mutation ($c: ID!, $l: ID!) { labelContact(contactId: $c, labelId: $l) { id labels { name } } }`;
    await t.client.data(labelContact, { c: contactIds[1], l: urgent.id }, owner.token);
    const twice = await t.client.data(labelContact, { c: contactIds[1], l: later.id }, owner.token);
    assert.deepEqual(twice.labelContact.labels.map((l: { name: string }) => l.name), ['Later', 'Urgent']);
    const unlabelled = await t.client.data(`mutation ($c: ID!, $l: ID!) { unlabelContact(contactId: $c, labelId: $l) { labels { name } } }`, { c: contactIds[1], l: later.id }, owner.token);
    assert.deepEqual(unlabelled.unlabelContact.labels, [{ name: 'Urgent' }]);
    await t.client.expectError('NOT_FOUND', labelContact, { c: contactIds[1], l: '00000000-0000-4000-8000-000000000000' }, owner.token);

    const { conversationIds } = await seedInbox(t, owner.tenantId, { conversations: 2, phoneBase: 491760000000 });
    const labelConversation = `mutation ($c: ID!, $l: ID!) { labelConversation(conversationId: $c, labelId: $l) { id labels { name } } }`;
    const labelled = await t.client.data(labelConversation, { c: conversationIds[0], l: urgent.id }, owner.token);
    assert.deepEqual(labelled.labelConversation.labels, [{ name: 'Urgent' }]);
    const inbox = await t.client.data(`query ($l: ID!) { conversations(filter: { labelId: $l }) { edges { node { id } } } }`, { l: urgent.id }, owner.token);
    assert.deepEqual(inbox.conversations.edges.map((e: { node: { id: string } }) => e.node.id), [conversationIds[0]]);

    const { labels } = await t.client.data(LABELS, { first: 10 }, owner.token);
    assert.deepEqual(labels.edges.map((e: { node: { name: string } }) => e.node.name), ['Later', 'Urgent']);
    assert.equal(labels.totalCount, 2);

    await t.client.data(`mutation ($id: ID!) { deleteLabel(id: $id) }`, { id: urgent.id }, owner.token);
    assert.deepEqual((await t.client.data(CONTACT, { id: contactIds[1] }, owner.token)).contact.labels, []);
    const conversation = await t.client.data(`query ($id: ID!) { conversation(id: $id) { labels { name } } }`, { id: conversationIds[0] }, owner.token);
    assert.deepEqual(conversation.conversation.labels, []);
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { deleteLabel(id: $id) }`, { id: urgent.id }, owner.token);
  });

  test('roles: AGENT labels conversations but not contacts; AUDITOR neither; neither manages groups or labels', async () => {
    const [agent, auditor] = await Promise.all([memberWithRole(t, owner, 'AGENT'), memberWithRole(t, owner, 'AUDITOR')]);
    const label = (await t.client.data(`mutation { createLabel(input: { name: "Roles" }) { id } }`, {}, owner.token)).createLabel;
    const group = (await t.client.data(`mutation { createContactGroup(input: { name: "Roles" }) { id } }`, {}, owner.token)).createContactGroup;
    const { conversationIds } = await seedInbox(t, owner.tenantId, { conversations: 1, phoneBase: 491770000000 });
    for (const member of [agent, auditor]) {
      await t.client.expectError('FORBIDDEN', `mutation { createLabel(input: { name: "No" }) { id } }`, {}, member.token);
      await t.client.expectError('FORBIDDEN', `mutation ($id: ID!) { deleteLabel(id: $id) }`, { id: label.id }, member.token);
      await t.client.expectError('FORBIDDEN', `mutation { createContactGroup(input: { name: "No" }) { id } }`, {}, member.token);
      await t.client.expectError('FORBIDDEN', ADD, { g: group.id, ids: [contactIds[0]] }, member.token);
      await t.client.expectError('FORBIDDEN', `mutation ($c: ID!, $l: ID!) { labelContact(contactId: $c, labelId: $l) { id } }`, { c: contactIds[0], l: label.id }, member.token);
      assert.ok((await t.client.data(LABELS, {}, member.token)).labels.totalCount >= 1, 'both read labels');
      assert.ok((await t.client.data(GROUPS, {}, member.token)).contactGroups.totalCount >= 1, 'both read groups');
    }
    const labelConversation = `mutation ($c: ID!, $l: ID!) { labelConversation(conversationId: $c, labelId: $l) { labels { name } } }`;
    assert.deepEqual((await t.client.data(labelConversation, { c: conversationIds[0], l: label.id }, agent.token)).labelConversation.labels, [{ name: 'Roles' }]);
    await t.client.expectError('FORBIDDEN', labelConversation, { c: conversationIds[0], l: label.id }, auditor.token);
  });

  test('cross-tenant: another tenant sees none of these by id', async () => {
    const label = (await t.client.data(`mutation { createLabel(input: { name: "Private" }) { id } }`, {}, owner.token)).createLabel;
    const group = (await t.client.data(`mutation { createContactGroup(input: { name: "Private" }) { id } }`, {}, owner.token)).createContactGroup;
    assert.equal((await t.client.data(`query ($id: ID!) { label(id: $id) { id } }`, { id: label.id }, other.token)).label, null);
    assert.equal((await t.client.data(`query ($id: ID!) { contactGroup(id: $id) { id } }`, { id: group.id }, other.token)).contactGroup, null);
    await t.client.expectError('NOT_FOUND', ADD, { g: group.id, ids: [contactIds[0]] }, other.token);
    await t.client.expectError('NOT_FOUND', `mutation ($id: ID!) { deleteLabel(id: $id) }`, { id: label.id }, other.token);
    assert.equal((await t.client.data(LABELS, {}, other.token)).labels.totalCount, 0);
    assert.equal((await t.client.data(`query ($id: ID!) { label(id: $id) { id } }`, { id: label.id }, owner.token)).label.id, label.id);
  });
});
