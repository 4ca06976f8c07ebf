import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../support/test-app';
import { assertFieldError, startCrmApp, assertPaginationRoundTrip, seedSession, setUpTenant, type CrmTenant } from './crm-support';

const FIELDS = 'id name trigger pattern replyBody isActive cooldownMinutes priority sessionId';
const CREATE = `mutation ($input: CreateAutoReplyRuleInput!) { createAutoReplyRule(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateAutoReplyRuleInput!) { updateAutoReplyRule(id: $id, input: $input) { ${FIELDS} } }`;
const LIST = `query ($first: Int, $after: String, $filter: AutoReplyRuleFilter) {
  autoReplyRules(first: $first, after: $after, filter: $filter) { totalCount edges { cursor node { ${FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;

const rule = (overrides: Record<string, unknown> = {}) => ({ name: 'Rule', trigger: 'KEYWORD', pattern: 'price', replyBody: 'Our prices: ...', ...overrides });

describe('auto-reply rules', () => {
  let t: TestApp;
  let a: CrmTenant;
  let b: CrmTenant;
  let sessionA: string;
  before(async () => {
    ({ t, a, b } = await startCrmApp());
    sessionA = await seedSession(t, a.tenantId);
  });
  after(() => t.stop());

  test('the three triggers, with defaults, filters, update and delete', async () => {
    const keyword = (await t.client.data(CREATE, { input: rule({ pattern: '  price list ' }) }, a.tokens.MANAGER)).createAutoReplyRule;
    assert.equal(keyword.pattern, 'price list', 'keyword trimmed');
    assert.equal(keyword.cooldownMinutes, 60);
    assert.equal(keyword.isActive, true);
    assert.equal(keyword.sessionId, null);

    const regex = (await t.client.data(CREATE, { input: rule({ trigger: 'REGEX', pattern: '^(hi|hello)\\b', sessionId: sessionA, priority: 5, cooldownMinutes: 0 }) }, a.tokens.MANAGER))
      .createAutoReplyRule;
    assert.equal(regex.sessionId, sessionA);
    assert.equal(regex.cooldownMinutes, 0);

    const hours = (await t.client.data(CREATE, { input: rule({ trigger: 'OUTSIDE_BUSINESS_HOURS', pattern: 'ignored', isActive: false }) }, a.tokens.MANAGER))
      .createAutoReplyRule;
    assert.equal(hours.pattern, null, 'OUTSIDE_BUSINESS_HOURS has no pattern');

    const regexOnly = await t.client.data(LIST, { filter: { trigger: 'REGEX' } }, a.tokens.AGENT);
    assert.deepEqual(regexOnly.autoReplyRules.edges.map((e: any) => e.node.id), [regex.id]);
    const inactive = await t.client.data(LIST, { filter: { isActive: false } }, a.tokens.AUDITOR);
    assert.deepEqual(inactive.autoReplyRules.edges.map((e: any) => e.node.id), [hours.id]);
    const bySession = await t.client.data(LIST, { filter: { sessionId: sessionA } }, a.tokens.AUDITOR);
    assert.deepEqual(bySession.autoReplyRules.edges.map((e: any) => e.node.id), [regex.id]);

    const updated = (await t.client.data(UPDATE, { id: regex.id, input: { sessionId: null, replyBody: 'Hello!' } }, a.tokens.MANAGER)).updateAutoReplyRule;
    assert.equal(updated.sessionId, null, 'null clears the channel');
    assert.equal(updated.pattern, '^(hi|hello)\\b', 'fields not given stay');
    assert.equal(updated.replyBody, 'Hello!');

    const switched = (await t.client.data(UPDATE, { id: keyword.id, input: { trigger: 'OUTSIDE_BUSINESS_HOURS' } }, a.tokens.MANAGER)).updateAutoReplyRule;
    assert.equal(switched.pattern, null);
    // Switching back to KEYWORD needs a keyword again.
    const missing = await t.client.expectError('VALIDATION_FAILED', UPDATE, { id: keyword.id, input: { trigger: 'KEYWORD' } }, a.tokens.MANAGER);
    assertFieldError(missing, 'pattern');

    assert.equal((await t.client.data('mutation ($id: ID!) { deleteAutoReplyRule(id: $id) }', { id: hours.id }, a.tokens.MANAGER)).deleteAutoReplyRule, true);
    assert.equal((await t.client.data(`query ($id: ID!) { autoReplyRule(id: $id) { id } }`, { id: hours.id }, a.tokens.AGENT)).autoReplyRule, null);
  });

  test('regular expressions must compile and stay bounded', async () => {
    const refused: Array<[string, RegExp]> = [
      ['(unclosed', /not a valid regular expression/],
      ['(a+)+$', /nested quantifier/],
      ['^(\\w+\\s?)*$', /nested quantifier/],
      ['(a|aa)*b', /nested quantifier/],
      ['(?:x+){5}', /nested quantifier/],
      ['(a)\\1', /backreferences/],
      ['(?<w>a)\\k<w>', /backreferences/],
      ['a*b*c*d*', /unbounded quantifiers/],
      ['x'.repeat(301), /at most 300 characters/],
    ];
    for (const [pattern, message] of refused) {
      const error = await t.client.expectError('VALIDATION_FAILED', CREATE, { input: rule({ trigger: 'REGEX', pattern }) }, a.tokens.MANAGER);
      assertFieldError(error, 'pattern');
      assert.match(error.message, message, pattern);
    }
    for (const pattern of ['\\border(ed)?\\b', '^\\d{1,3}(\\.\\d{1,3}){3}$', '[(+*)]+ and \\(a+\\)+', '^(?:hi|hello) there', 'refund.*now']) {
      await t.client.data(CREATE, { input: rule({ trigger: 'REGEX', pattern }) }, a.tokens.MANAGER);
    }
  });

  test('keyword, cooldown and session are validated', async () => {
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: rule({ pattern: '   ' }) }, a.tokens.MANAGER), 'pattern');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: rule({ pattern: null }) }, a.tokens.MANAGER), 'pattern');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: rule({ cooldownMinutes: -1 }) }, a.tokens.MANAGER), 'cooldownMinutes');
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: rule({ name: '' }) }, a.tokens.MANAGER), 'name');
    const unknownSession = await t.client.expectError(
      'VALIDATION_FAILED',
      CREATE,
      { input: rule({ sessionId: '00000000-0000-4000-8000-000000000000' }) },
      a.tokens.MANAGER,
    );
    assertFieldError(unknownSession, 'sessionId');
    // Tenant A's channel does not exist for tenant B.
    assertFieldError(await t.client.expectError('VALIDATION_FAILED', CREATE, { input: rule({ sessionId: sessionA }) }, b.tokens.MANAGER), 'sessionId');
  });

  test('roles and other tenants', async () => {
    await t.client.expectError('FORBIDDEN', CREATE, { input: rule() }, a.tokens.AGENT);
    await t.client.expectError('FORBIDDEN', CREATE, { input: rule() }, a.tokens.AUDITOR);
    const created = (await t.client.data(CREATE, { input: rule() }, a.tokens.TENANT_ADMIN)).createAutoReplyRule;
    await t.client.expectError('FORBIDDEN', UPDATE, { id: created.id, input: { isActive: false } }, a.tokens.AGENT);
    await t.client.expectError('FORBIDDEN', 'mutation ($id: ID!) { deleteAutoReplyRule(id: $id) }', { id: created.id }, a.tokens.AUDITOR);

    assert.equal((await t.client.data(`query ($id: ID!) { autoReplyRule(id: $id) { id } }`, { id: created.id }, b.tokens.TENANT_ADMIN)).autoReplyRule, null);
    await t.client.expectError('NOT_FOUND', UPDATE, { id: created.id, input: { isActive: false } }, b.tokens.MANAGER);
    await t.client.expectError('NOT_FOUND', 'mutation ($id: ID!) { deleteAutoReplyRule(id: $id) }', { id: created.id }, b.tokens.MANAGER);
  });

  test('pagination: first=5 across pages with inserts between pages', async () => {
    const tenant = await setUpTenant(t);
    await assertPaginationRoundTrip({
      create: async (i) => (await t.client.data(CREATE, { input: rule({ name: `Rule ${i}` }) }, tenant.tokens.MANAGER)).createAutoReplyRule.id,
      page: async (cursor) => (await t.client.data(LIST, { first: 5, after: cursor }, tenant.tokens.AUDITOR)).autoReplyRules,
    });
  });
});
