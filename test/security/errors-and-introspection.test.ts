import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { openSocket } from './security-support';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPO = '{ contactz(first: 1) { totalCount } }';
const TYPO_VARIABLE = `mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }`;

/** JSON text of a value nested `depth` levels deep (JSON.stringify itself overflows on it). */
const nestedJson = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('finding 6: introspection and suggestions', () => {
  let hidden: TestApp;
  let open: TestApp;
  let user: SignedUp;

  before(async () => {
    hidden = await startTestApp({ GRAPHQL_INTROSPECTION: 'false' });
    open = await startTestApp({ GRAPHQL_INTROSPECTION: 'true' }, { join: hidden });
    user = await hidden.client.signUp();
  });
  after(async () => {
    await open?.stop();
    await hidden?.stop();
  });

  test('introspection refused over HTTP is refused over WebSocket too', async () => {
    const overHttp = await hidden.client.request(INTROSPECTION, {}, user.token);
    assert.equal(overHttp.data, undefined);
    assert.equal(overHttp.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    const socket = await openSocket(hidden.url, `Bearer ${user.token}`);
    const overWs = await socket.request(INTROSPECTION);
    assert.equal(overWs.data, undefined);
    assert.equal(overWs.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(overWs.errors![0].message, /introspection/i);
    socket.close();
    // Where introspection is on, it works on both.
    assert.equal((await open.client.request(INTROSPECTION, {}, user.token)).data?.__schema.queryType.name, 'Query');
    const openSocketToo = await openSocket(open.url, `Bearer ${user.token}`);
    assert.equal((await openSocketToo.request(INTROSPECTION)).data?.__schema.queryType.name, 'Query');
    openSocketToo.close();
  });

  test('"Did you mean" suggestions are left out of errors when introspection is off, on both transports', async () => {
    const socket = await openSocket(hidden.url, `Bearer ${user.token}`);
    const answers = [
      await hidden.client.request(TYPO, {}, user.token),
      await socket.request(TYPO),
      await hidden.client.request(TYPO_VARIABLE, { input: { nam: 'x', phone: '+447911123456' } }, user.token),
      await socket.request(TYPO_VARIABLE, { input: { nam: 'x', phone: '+447911123456' } }),
    ];
    socket.close();
    for (const answer of answers) {
      assert.ok(answer.errors?.length, JSON.stringify(answer));
      for (const error of answer.errors!) assert.doesNotMatch(error.message, /Did you mean|contacts|"name"/, error.message);
    }
    const shown = await open.client.request(TYPO, {}, user.token);
    assert.match(shown.errors![0].message, /Did you mean/, 'kept where the schema is public anyway');
  });
});

describe('finding 9: any input gives a stable code', () => {
  let t: TestApp;
  let user: SignedUp;

  before(async () => {
    t = await startTestApp();
    user = await t.client.signUp();
  });
  after(() => t?.stop());

  test('setTenantConfig with an inline object value does not crash the error formatter', async () => {
    const result = await t.client.request(`mutation { setTenantConfig(key: "ui.theme", value: {a: 1, b: [true, "x"]}) { key value } }`, {}, user.token);
    assert.notEqual(result.errors?.[0]?.extensions?.code, 'INTERNAL_SERVER_ERROR', JSON.stringify(result));
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data.setTenantConfig.value, { a: 1, b: [true, 'x'] });
  });

  test('an unused variable nested 20,000 levels deep is a 400-class error, and does not close the socket', async () => {
    const query = '{ __typename }';
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: `{"query":${JSON.stringify(query)},"variables":{"unused":${nestedJson(20_000)}}}`,
    });
    assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    assert.equal(body.errors[0].extensions.code, 'VALIDATION_FAILED');

    const socket = await openSocket(t.url, `Bearer ${user.token}`);
    const overWs = await socket.requestWithJsonVariables(query, `{"unused":${nestedJson(20_000)}}`);
    assert.equal(overWs.closeCode, undefined, 'the socket stays open');
    assert.equal(overWs.errors?.[0]?.extensions?.code, 'VALIDATION_FAILED');
    assert.equal((await socket.request('{ __typename }')).data?.__typename, 'Query');
    socket.close();
  });

  test('whitespace-only names fail with VALIDATION_FAILED instead of being stored empty', async () => {
    const blanks: Array<[string, Record<string, unknown>]> = [
      [`mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }`, { input: { name: '   ', phone: '+447911123456' } }],
      [`mutation ($input: CreateLabelInput!) { createLabel(input: $input) { id } }`, { input: { name: ' \t ' } }],
      [`mutation ($input: CreateContactGroupInput!) { createContactGroup(input: $input) { id } }`, { input: { name: '\n' } }],
      [`mutation ($input: CreateQuickReplyInput!) { createQuickReply(input: $input) { id } }`, { input: { shortcut: 'hello', title: '   ', body: 'Hello' } }],
    ];
    for (const [query, variables] of blanks) {
      const result = await t.client.request(query, variables, user.token);
      assert.equal(result.errors?.[0]?.extensions?.code, 'VALIDATION_FAILED', `${query}: ${JSON.stringify(result)}`);
    }
    const signUp = await t.client.request(`mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`, {
      input: { organizationName: '    ', email: `blank.${Date.now()}@example.com`, password: 'correct horse battery', name: 'Me' },
    });
    assert.equal(signUp.errors?.[0]?.extensions?.code, 'VALIDATION_FAILED', JSON.stringify(signUp));
    // Names with text around spaces are fine.
    const ok = await t.client.request(`mutation ($input: CreateLabelInput!) { createLabel(input: $input) { name } }`, { input: { name: ' VIP ' } }, user.token);
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
  });
});
