import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { wsRequest } from '../support/ws-request';

// Default limits (depth 10, cost 5,000). Message.conversation and Conversation.lastMessage make a
// cycle, so a query can nest as deep as it likes.
const DEEP = `{ conversations { edges { node { ${'lastMessage { conversation { '.repeat(5)}id${' } }'.repeat(5)} } } } }`;
// A connection costs its children times `first`: recipients(first: 100) inside campaigns(first: 100).
const COSTLY = '{ campaigns(first: 100) { edges { node { id recipients(first: 100) { edges { node { id status } } } } } } }';
const FINE = '{ campaigns(first: 10) { edges { node { id recipients(first: 10) { edges { node { id status } } } } } } }';

describe('abusive queries', () => {
  let t: TestApp;
  let user: SignedUp;
  before(async () => {
    t = await startTestApp({ MAX_UPLOAD_BYTES: '1024' });
    user = await t.client.signUp();
  });
  after(() => t.stop());

  test('depth and cost over the limit are QUERY_TOO_COMPLEX over HTTP, before anything runs', async () => {
    const deep = await t.client.request(DEEP, {}, user.token);
    assert.equal(deep.status, 400);
    assert.equal(deep.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
    assert.equal(deep.data, undefined);
    const costly = await t.client.request(COSTLY, {}, user.token);
    assert.equal(costly.status, 400);
    assert.equal(costly.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
    assert.match(costly.errors![0].message, /cost \d+ exceeds the limit of 5000/);
    // The cost follows the variables too.
    const viaVariable = await t.client.request(
      'query ($n: Int) { campaigns(first: $n) { edges { node { id recipients(first: $n) { edges { node { id } } } } } } }',
      { n: 100 },
      user.token,
    );
    assert.equal(viaVariable.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
    // Within the limits the same shape runs.
    const fine = await t.client.data(FINE, {}, user.token);
    assert.deepEqual(fine.campaigns.edges, []);
  });

  test('the same limits apply over graphql-ws', async () => {
    const client = t.client.ws(user.token);
    try {
      for (const query of [DEEP, COSTLY]) {
        const outcome = await wsRequest(client, query);
        assert.equal(outcome.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX', query);
        assert.equal(outcome.data, undefined);
      }
      const fine = await wsRequest(client, FINE);
      assert.deepEqual(fine.data.campaigns.edges, []);
    } finally {
      await client.dispose();
    }
  });

  test('documents with too many tokens are refused', async () => {
    const aliases = Array.from({ length: 3_000 }, (_, i) => `a${i}: __typename`).join(' ');
    const result = await t.client.request(`{ ${aliases} }`, {}, user.token);
    assert.equal(result.status, 400);
    assert.equal(result.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(result.errors![0].message, /tokens/);
  });

  test('a body over the limit gets 413, with or without content-length', async () => {
    const padding = 'x'.repeat(200 * 1024);
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: '{ __typename }', variables: { padding } }),
    });
    assert.equal(response.status, 413);

    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write('{"query":"{ __typename }","variables":{"padding":"');
      for (let i = 0; i < 20; i++) req.write('y'.repeat(16 * 1024));
      req.end('"}}');
    });
    assert.equal(status, 413);
  });

  test('batched array bodies are refused', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify([{ query: '{ me { role } }' }, { query: '{ me { role } }' }]),
    });
    assert.equal(response.status, 400);
    const text = await response.text();
    assert.doesNotMatch(text, /TENANT_ADMIN/);
  });
});
