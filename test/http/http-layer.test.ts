import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ConfigError, DEV_WEB_ORIGIN, loadConfig } from '../../src/config';
import { createLogger } from '../../src/platform/logger';
import { createHttpServer } from '../../src/platform/http/http-server';
import { startTestApp, type TestApp } from '../support/test-app';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One request over node:http, exactly as given: no Origin, Accept or encoding added. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const decoded = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(body) : body;
        resolve({ status: res.statusCode!, headers: res.headers, body: decoded, text: decoded.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (response: RawResponse) => JSON.parse(response.text);

const PREFLIGHT = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' };
const QUERY = JSON.stringify({ query: '{ __typename }' });

describe('HTTP layer (Fastify): CORS, explorer, status and error bodies', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.stop());

  test('CORS: the dev web origin gets a 204 preflight and headers on the actual request; another origin gets none', async () => {
    const preflight = await send(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: DEV_WEB_ORIGIN, ...PREFLIGHT } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], DEV_WEB_ORIGIN);
    assert.match(String(preflight.headers['access-control-allow-methods']), /\bPOST\b/);
    const allowedHeaders = String(preflight.headers['access-control-allow-headers']).split(/,\s*/);
    assert.ok(allowedHeaders.includes('authorization') && allowedHeaders.includes('content-type'), `allowed: ${allowedHeaders}`);
    assert.equal(preflight.headers['access-control-max-age'], '600');

    const actual = await send(`${t.url}/graphql`, {
      method: 'POST',
      headers: { origin: DEV_WEB_ORIGIN, 'content-type': 'application/json' },
      body: QUERY,
    });
    assert.equal(actual.status, 200);
    assert.deepEqual(json(actual), { data: { __typename: 'Query' }, extensions: { sqlStatements: 0 } });
    assert.equal(actual.headers['access-control-allow-origin'], DEV_WEB_ORIGIN);
    assert.match(String(actual.headers.vary), /origin/i);

    const refusedPreflight = await send(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', ...PREFLIGHT } });
    assert.equal(refusedPreflight.headers['access-control-allow-origin'], undefined);
    const refused = await send(`${t.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: QUERY,
    });
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
  });

  test('GraphiQL at /graphiql works offline: no external URL in the page, every script and style served from here', async () => {
    const page = await send(`${t.url}/graphiql`);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.doesNotMatch(page.text, /(https?:)?\/\/[a-z0-9]/i, 'the page names no other host (no CDN)');
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    assert.deepEqual(assets.filter((asset) => !asset.startsWith('/graphiql/assets/')), []);
    assert.equal(assets.length, 5);
    for (const asset of assets) {
      const served = await send(`${t.url}${asset}`);
      assert.equal(served.status, 200, asset);
      assert.match(String(served.headers['content-type']), asset.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/, asset);
      assert.ok(served.body.length > 100, `${asset} has content`);
    }
    const boot = await send(`${t.url}/graphiql/assets/graphiql-boot.js`);
    assert.match(boot.text, /subscriptionUrl/, 'subscriptions go over graphql-ws');
    assert.match(boot.text, /crm\.token/, 'the web inbox token is used for the authorization header');
    // Only the listed files: nothing else of node_modules is reachable.
    assert.equal((await send(`${t.url}/graphiql/assets/package.json`)).status, 404);
    assert.equal((await send(`${t.url}/graphiql/assets/..%2Fpackage.json`)).status, 404);
    // The 1 MB bundle is compressed for clients that accept it.
    const compressed = await send(`${t.url}/graphiql/assets/graphiql.min.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(compressed.headers['content-encoding'], 'gzip');
  });

  test('a browser opening /graphql is sent to GraphiQL (no Apollo Sandbox from a CDN); queries by GET still run', async () => {
    const landing = await send(`${t.url}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(landing.status, 302);
    assert.equal(landing.headers.location, '/graphiql');
    // Apollo's CSRF prevention wants a header that a plain link or form cannot send.
    const get = await send(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    assert.equal(get.status, 200, get.text);
    assert.equal(json(get).data.__typename, 'Query');
  });

  test('graphql-ws shares the port; the token as GraphiQL sends it (connectionParams.Authorization) is accepted', async () => {
    const user = await t.client.signUp();
    const connect = (connectionParams: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const client = createClient({
          url: `${t.url.replace(/^http/, 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          connectionParams,
          lazy: false,
          retryAttempts: 0,
          on: {
            connected: () => {
              resolve('connected');
              void client.dispose();
            },
            closed: (event) => resolve(`closed ${(event as { code: number }).code}`),
          },
        });
      });
    assert.equal(await connect({ Authorization: `Bearer ${user.token}` }), 'connected');
    assert.equal(await connect({ authorization: `Bearer ${user.token}` }), 'connected');
    assert.equal(await connect({}), 'closed 4401');
  });

  test('statuses and error bodies are those of the hand-written router', async () => {
    assert.deepEqual(json(await send(`${t.url}/healthz`)), { status: 'ok' });
    const readyz = await send(`${t.url}/readyz`);
    assert.equal(readyz.status, 200);
    assert.deepEqual(json(readyz), { status: 'ready' });

    const unknown = await send(`${t.url}/no-such-path`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(json(unknown), { error: 'not found' });
    const wrongMethod = await send(`${t.url}/webhooks/waha`);
    assert.equal(wrongMethod.status, 405);
    assert.deepEqual(json(wrongMethod), { error: 'method not allowed' });
    const put = await send(`${t.url}/graphql`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: QUERY });
    assert.equal(put.status, 405);
    assert.deepEqual(json(put), { error: 'method not allowed' });

    const badJson = await send(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    assert.equal(badJson.status, 400);
    assert.deepEqual(json(badJson), { errors: [{ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    const badToken = await send(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
      body: QUERY,
    });
    assert.equal(badToken.status, 401);
    assert.equal(json(badToken).errors[0].extensions.code, 'UNAUTHENTICATED');
    // A subscription over HTTP (GraphiQL sends one so before it has parsed the editor) is refused plainly.
    const owner = await t.client.signUp();
    const overHttp = await send(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({ query: 'subscription { messageReceived { id } }' }),
    });
    assert.equal(overHttp.status, 400);
    assert.equal(json(overHttp).errors[0].extensions.code, 'BAD_REQUEST');
    assert.match(json(overHttp).errors[0].message, /WebSocket/);

    // A webhook's body limit (2 MB) is enforced before its handler runs, whatever the content type.
    const tooLarge = await send(`${t.url}/webhooks/waha`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: Buffer.alloc(2 * 1024 * 1024 + 1, 'a') });
    assert.equal(tooLarge.status, 413);
    assert.deepEqual(json(tooLarge), { error: 'payload too large' });
    // Without WAHA configured the route answers as before, whatever the body's content type.
    const waha = await send(`${t.url}/webhooks/waha`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: '{}' });
    assert.equal(waha.status, 404);
    assert.deepEqual(json(waha), { error: 'WAHA is not configured' });
    const noType = await send(`${t.url}/webhooks/whatsapp-cloud`, { method: 'POST', body: '{"object":"whatsapp_business_account","entry":[]}' });
    assert.equal(noType.status, 200);
    assert.deepEqual(json(noType), { ok: true, ignored: 0 });

    const document = await send(`${t.url}/documents/00000000-0000-0000-0000-000000000000/content`);
    assert.equal(document.status, 401);
    assert.equal(document.headers['www-authenticate'], 'Bearer');
    assert.deepEqual(json(document), { error: 'Sign in first', code: 'UNAUTHENTICATED' });
  });
});

describe('HTTP layer in production', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), SECRETS_KEY: 'y'.repeat(40) });
  });
  after(() => t.stop());

  test('no origin is allowed by default, the dev web origin neither', async () => {
    const preflight = await send(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: DEV_WEB_ORIGIN, ...PREFLIGHT } });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    const actual = await send(`${t.url}/graphql`, { method: 'POST', headers: { origin: DEV_WEB_ORIGIN, 'content-type': 'application/json' }, body: QUERY });
    assert.equal(actual.status, 200);
    assert.equal(actual.headers['access-control-allow-origin'], undefined);
  });

  test('the explorer is off: /graphiql and its assets are 404, /graphql sends browsers nowhere', async () => {
    const page = await send(`${t.url}/graphiql`);
    assert.equal(page.status, 404);
    assert.deepEqual(json(page), { error: 'not found' });
    assert.equal((await send(`${t.url}/graphiql/assets/graphiql.min.js`)).status, 404);
    const landing = await send(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    assert.equal(landing.headers.location, undefined);
    assert.doesNotMatch(landing.text, /embeddable-sandbox|apollographql\.com/);
  });
});

describe('CORS_ORIGINS and GRAPHQL_EXPLORER configuration', () => {
  const base = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), SECRETS_KEY: 'y'.repeat(40) } as const;

  test('defaults: the Vite dev origin and the explorer outside production; nothing in production', () => {
    assert.deepEqual(loadConfig({ NODE_ENV: 'development' }).CORS_ORIGINS, ['http://localhost:5173']);
    assert.equal(loadConfig({ NODE_ENV: 'development' }).GRAPHQL_EXPLORER, true);
    assert.deepEqual(loadConfig(base).CORS_ORIGINS, []);
    assert.equal(loadConfig(base).GRAPHQL_EXPLORER, false);
    assert.equal(loadConfig({ ...base, GRAPHQL_EXPLORER: 'true' }).GRAPHQL_EXPLORER, true);
  });

  test('CORS_ORIGINS is a comma-separated list of origins that replaces the default', () => {
    const config = loadConfig({ ...base, CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' });
    assert.deepEqual(config.CORS_ORIGINS, ['https://app.example.com', 'http://localhost:3000']);
    assert.deepEqual(loadConfig({ NODE_ENV: 'development', CORS_ORIGINS: 'https://app.example.com' }).CORS_ORIGINS, ['https://app.example.com']);
    for (const bad of ['https://app.example.com/path', 'app.example.com', 'ftp://files.example.com']) {
      assert.throws(
        () => loadConfig({ ...base, CORS_ORIGINS: bad }),
        (error: unknown) => error instanceof ConfigError && error.problems.some((problem) => problem.startsWith('CORS_ORIGINS')),
        bad,
      );
    }
  });
});

describe('the web app\'s static files', () => {
  const options = { log: createLogger('silent'), corsOrigins: [], explorer: false };

  test('a built web app is served at /, its page for client-side routes; API paths keep their JSON 404', async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-web-dist-'));
    try {
      fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>inbox</title>');
      fs.mkdirSync(path.join(dist, 'assets'));
      fs.writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
      const app = await createHttpServer({ ...options, staticRoot: dist });
      const root = await app.inject({ url: '/' });
      assert.equal(root.statusCode, 200);
      assert.match(root.body, /<title>inbox<\/title>/);
      const script = await app.inject({ url: '/assets/app.js' });
      assert.equal(script.statusCode, 200);
      assert.match(String(script.headers['content-type']), /javascript/);
      const clientRoute = await app.inject({ url: '/conversations/42', headers: { accept: 'text/html' } });
      assert.equal(clientRoute.statusCode, 200);
      assert.match(clientRoute.body, /<title>inbox<\/title>/);
      const missing = await app.inject({ url: '/assets/missing.js', headers: { accept: '*/*' } });
      assert.equal(missing.statusCode, 404);
      assert.deepEqual(missing.json(), { error: 'not found' });
      await app.close();
    } finally {
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });

  test('without a build the server starts and / is a JSON 404', async () => {
    const app = await createHttpServer({ ...options, staticRoot: path.join(os.tmpdir(), 'crm-no-such-web-dist') });
    const root = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    assert.equal(root.statusCode, 404);
    assert.deepEqual(root.json(), { error: 'not found' });
    await app.close();
  });
});
