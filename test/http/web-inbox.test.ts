import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app';

/** The built web inbox (`npm test` builds it first through scripts/ensure-built.js). */
const WEB_DIST = path.resolve(__dirname, '..', '..', '..', 'web', 'dist');

/** The assets index.html loads: module scripts and stylesheets. */
function assetPaths(html: string): string[] {
  return [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*\bhref)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
}

describe('the web inbox is served at / from web/dist', () => {
  let t: TestApp;
  before(async () => {
    assert.ok(fs.existsSync(path.join(WEB_DIST, 'index.html')), `${WEB_DIST}/index.html is missing: the web build did not run`);
    t = await startTestApp();
  });
  after(() => t.stop());

  test('/ answers the built index.html as HTML', async () => {
    const response = await fetch(`${t.url}/`);
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /^text\/html/);
    const html = await response.text();
    assert.equal(html, fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8'));
    assert.match(html, /<div id="root"><\/div>/);
  });

  test('every script and stylesheet of index.html is served with its content type and bytes', async () => {
    const html = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
    const assets = assetPaths(html);
    assert.ok(assets.some((asset) => asset.endsWith('.js')), `no script in ${html}`);
    assert.ok(assets.some((asset) => asset.endsWith('.css')), `no stylesheet in ${html}`);
    for (const asset of assets) {
      const response = await fetch(`${t.url}${asset}`);
      assert.equal(response.status, 200, asset);
      const expected = asset.endsWith('.js') ? /^(application|text)\/javascript/ : /^text\/css/;
      assert.match(String(response.headers.get('content-type')), expected, asset);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), fs.readFileSync(path.join(WEB_DIST, asset)), asset);
    }
  });

  test('the scripts are compressed for a browser that accepts gzip', async () => {
    const script = assetPaths(fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8')).find((asset) => asset.endsWith('.js'))!;
    const response = await fetch(`${t.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-encoding'), 'gzip');
  });

  test('a client-side path gets the page (200), an unknown API path JSON 404, files outside web/dist nothing', async () => {
    const page = await fetch(`${t.url}/conversations/123`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);

    const api = await fetch(`${t.url}/no-such-thing`, { headers: { accept: 'application/json' } });
    assert.equal(api.status, 404);
    assert.deepEqual(await api.json(), { error: 'not found' });

    const missingAsset = await fetch(`${t.url}/assets/no-such-file.js`);
    assert.equal(missingAsset.status, 404);

    for (const escape of ['/..%2fpackage.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const response = await fetch(`${t.url}${escape}`);
      const text = await response.text();
      assert.doesNotMatch(text, /"name": "whatsapp-crm"/, escape);
    }
  });

  test('the API stays where it was: POST /graphql is GraphQL, not the page', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { data: { __typename: string } }).data.__typename, 'Query');
  });
});
