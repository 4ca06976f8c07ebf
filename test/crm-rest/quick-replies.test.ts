import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../support/test-app';
import { assertFieldError, startCrmApp, assertPaginationRoundTrip, setUpTenant, type CrmTenant } from './crm-support';

const FIELDS = 'id shortcut title body createdAt updatedAt';
const CREATE = `mutation ($input: CreateQuickReplyInput!) { createQuickReply(input: $input) { ${FIELDS} } }`;
const LIST = `query ($first: Int, $after: String, $filter: QuickReplyFilter) {
  quickReplies(first: $first, after: $after, filter: $filter) { totalCount edges { cursor node { ${FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;

describe('quick replies', () => {
  let t: TestApp;
  let a: CrmTenant;
  let b: CrmTenant;
  before(async () => ({ t, a, b } = await startCrmApp()));
  after(() => t.stop());

  test('create, read, update, search and delete', async () => {
    const { createQuickReply: created } = await t.client.data(
      CREATE,
      { input: { shortcut: 'Hours', title: 'Opening hours', body: 'We open 9-17.' } },
      a.tokens.MANAGER,
    );
    assert.equal(created.shortcut, '/hours', 'shortcut normalised to lower case with a slash');

    const { quickReply } = await t.client.data(`query ($id: ID!) { quickReply(id: $id) { ${FIELDS} } }`, { id: created.id }, a.tokens.AGENT);
    assert.deepEqual(quickReply, created);

    const { updateQuickReply: updated } = await t.client.data(
      `mutation ($id: ID!, $input: UpdateQuickReplyInput!) { updateQuickReply(id: $id, input: $input) { ${FIELDS} } }`,
      { id: created.id, input: { body: 'We open 8-18.' } },
      a.tokens.MANAGER,
    );
    assert.equal(updated.body, 'We open 8-18.');
    assert.equal(updated.title, 'Opening hours');
    assert.ok(new Date(updated.updatedAt) >= new Date(created.updatedAt));

    await t.client.data(CREATE, { input: { shortcut: '/prices', title: 'Price list', body: '...' } }, a.tokens.MANAGER);
    const byShortcut = await t.client.data(LIST, { filter: { search: 'HOU' } }, a.tokens.AUDITOR);
    assert.deepEqual(byShortcut.quickReplies.edges.map((e: any) => e.node.shortcut), ['/hours']);
    const byTitle = await t.client.data(LIST, { filter: { search: 'price' } }, a.tokens.AUDITOR);
    assert.deepEqual(byTitle.quickReplies.edges.map((e: any) => e.node.shortcut), ['/prices']);
    const literal = await t.client.data(LIST, { filter: { search: '%' } }, a.tokens.AUDITOR);
    assert.equal(literal.quickReplies.totalCount, 0, '% is searched literally');

    assert.equal((await t.client.data('mutation ($id: ID!) { deleteQuickReply(id: $id) }', { id: created.id }, a.tokens.MANAGER)).deleteQuickReply, true);
    assert.equal((await t.client.data(`query ($id: ID!) { quickReply(id: $id) { id } }`, { id: created.id }, a.tokens.MANAGER)).quickReply, null);
    await t.client.expectError('NOT_FOUND', 'mutation ($id: ID!) { deleteQuickReply(id: $id) }', { id: created.id }, a.tokens.MANAGER);
  });

  test('validation and conflicts', async () => {
    const bad = await t.client.expectError('VALIDATION_FAILED', CREATE, { input: { shortcut: 'no spaces!', title: '', body: 'x' } }, a.tokens.MANAGER);
    assertFieldError(bad, 'shortcut');
    assertFieldError(bad, 'title');
    await t.client.data(CREATE, { input: { shortcut: '/dup', title: 'One', body: 'x' } }, a.tokens.MANAGER);
    const conflict = await t.client.expectError('CONFLICT', CREATE, { input: { shortcut: 'DUP', title: 'Two', body: 'y' } }, a.tokens.MANAGER);
    assert.match(conflict.message, /shortcut/);
    // The same shortcut in another tenant is fine.
    await t.client.data(CREATE, { input: { shortcut: '/dup', title: 'Other tenant', body: 'z' } }, b.tokens.MANAGER);
    await t.client.expectError('VALIDATION_FAILED', CREATE, { input: null }, a.tokens.MANAGER);
    await t.client.expectError('VALIDATION_FAILED', LIST, { first: 101 }, a.tokens.AGENT);
    await t.client.expectError('VALIDATION_FAILED', LIST, { first: 5, after: 'not-a-cursor' }, a.tokens.AGENT);
  });

  test('roles: agents and auditors read, managers and admins write', async () => {
    const input = { shortcut: '/roles', title: 'Roles', body: 'x' };
    await t.client.expectError('FORBIDDEN', CREATE, { input }, a.tokens.AGENT);
    await t.client.expectError('FORBIDDEN', CREATE, { input }, a.tokens.AUDITOR);
    await t.client.expectError('UNAUTHENTICATED', LIST, {});
    const { createQuickReply } = await t.client.data(CREATE, { input }, a.tokens.TENANT_ADMIN);
    await t.client.expectError('FORBIDDEN', 'mutation ($id: ID!) { deleteQuickReply(id: $id) }', { id: createQuickReply.id }, a.tokens.AGENT);
    await t.client.data(LIST, {}, a.tokens.AUDITOR);
  });

  test('another tenant cannot read or change them by id', async () => {
    const { createQuickReply } = await t.client.data(CREATE, { input: { shortcut: '/secret', title: 'A only', body: 'x' } }, a.tokens.MANAGER);
    const seen = await t.client.data(`query ($id: ID!) { quickReply(id: $id) { id } }`, { id: createQuickReply.id }, b.tokens.TENANT_ADMIN);
    assert.equal(seen.quickReply, null);
    await t.client.expectError(
      'NOT_FOUND',
      'mutation ($id: ID!) { updateQuickReply(id: $id, input: { title: "hijack" }) { id } }',
      { id: createQuickReply.id },
      b.tokens.TENANT_ADMIN,
    );
    await t.client.expectError('NOT_FOUND', 'mutation ($id: ID!) { deleteQuickReply(id: $id) }', { id: createQuickReply.id }, b.tokens.TENANT_ADMIN);
    const list = await t.client.data(LIST, { filter: { search: 'secret' } }, b.tokens.TENANT_ADMIN);
    assert.equal(list.quickReplies.totalCount, 0);
  });

  test('pagination: first=5 across pages with inserts between pages', async () => {
    const tenant = await setUpTenant(t);
    await assertPaginationRoundTrip({
      create: async (i) =>
        (await t.client.data(CREATE, { input: { shortcut: `/p${i}`, title: `Page item ${i}`, body: 'x' } }, tenant.tokens.MANAGER)).createQuickReply.id,
      page: async (cursor) => (await t.client.data(LIST, { first: 5, after: cursor }, tenant.tokens.AGENT)).quickReplies,
    });
  });
});
