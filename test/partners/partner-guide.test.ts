import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import ts from 'typescript';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { freePort } from '../support/free-port';
import { eventually } from '../whatsapp/whatsapp-test-kit';

/**
 * Runs every ```ts test=<name> sample of docs/partners.md against a real server: each sample is an
 * async function body (transpiled with TypeScript, imports turned into a whitelisted require) given
 * the names the guide says it provides, with `console` captured so the test can check its output.
 */
const ROOT = [process.cwd(), path.resolve(__dirname, '../../..')].find((dir) => fs.existsSync(path.join(dir, 'docs/partners.md')))!;
const GUIDE = fs.readFileSync(path.join(ROOT, 'docs/partners.md'), 'utf8');

function samples(): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of GUIDE.matchAll(/^```ts test=([\w-]+)\n([\s\S]*?)^```$/gm)) found.set(match[1], match[2]);
  return found;
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
const servers: http.Server[] = [];
const modules: Record<string, unknown> = {
  standardwebhooks: require('standardwebhooks'),
  'node:http': {
    ...http,
    createServer: (...args: Parameters<typeof http.createServer>) => {
      const server = http.createServer(...args);
      servers.push(server);
      return server;
    },
  },
  ws: require('ws'),
  './clients/typescript/src': require('../../clients/typescript/src'),
};

async function run(name: string, context: Record<string, unknown>): Promise<unknown[][]> {
  const source = samples().get(name);
  assert.ok(source, `docs/partners.md has a sample \`ts test=${name}\``);
  const output = ts.transpileModule(source, {
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  assert.deepEqual(output.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')) ?? [], [], `sample ${name} parses`);
  const logs: unknown[][] = [];
  const capture = { log: (...args: unknown[]) => logs.push(args), error: (...args: unknown[]) => logs.push(['error', ...args]) };
  const requireSample = (id: string) => {
    if (!(id in modules)) throw new Error(`sample ${name} imports ${id}, which the guide's test does not provide`);
    return modules[id];
  };
  const names = ['require', 'exports', 'console', ...Object.keys(context)];
  const fn = new AsyncFunction(...names, output.outputText);
  await fn(requireSample, {}, capture, ...Object.values(context));
  return logs;
}

describe('docs/partners.md: every sample runs', () => {
  let t: TestApp;
  let owner: SignedUp;
  let url: string;
  let apiKey: string;
  let endpointId: string;
  let webhookSecret: string;
  let port: number;
  const received: Array<{ id: string; type: string; data: any }> = [];

  before(async () => {
    t = await startTestApp({ JOBS_POLLING_INTERVAL_SECONDS: '0.5', WEBHOOK_RETRY_DELAYS_SECONDS: '0.3,0.3' });
    owner = await t.client.signUp();
    url = `${t.url}/graphql`;
  });
  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await t?.stop();
  });

  test('the guide has the samples this test runs, and no other', () => {
    assert.deepEqual([...samples().keys()].sort(), ['create-endpoint', 'create-key', 'deliveries', 'events-feed', 'receiver', 'typed-client', 'viewer']);
  });

  test('create-key: a scoped, expiring key from a member token', async () => {
    const logs = await run('create-key', { url, token: owner.token });
    const [id, secret] = logs[0] as [string, string];
    assert.match(secret, /^crm_/);
    apiKey = secret;
    const { apiKeys } = await t.client.data(`{ apiKeys { id name role scopes expiresAt } }`, {}, owner.token);
    const key = apiKeys.find((k: any) => k.id === id);
    assert.deepEqual({ ...key, expiresAt: undefined }, { id, name: 'ERP sync', role: 'TENANT_ADMIN', scopes: ['INBOX', 'CONTACTS', 'WEBHOOKS'], expiresAt: undefined });
    assert.ok(new Date(key.expiresAt).getTime() > Date.now() + 89 * 24 * 3600_000);
  });

  test('viewer: a plain fetch helper with the key', async () => {
    const logs = await run('viewer', { url, apiKey });
    assert.deepEqual(logs[0], ['API_KEY', 'ERP sync', ['INBOX', 'CONTACTS', 'WEBHOOKS']]);
    assert.equal(typeof logs[1][0], 'number');
    // Its error path carries the stable code: a wrong key is UNAUTHENTICATED.
    await assert.rejects(run('viewer', { url, apiKey: 'crm_wrong' }), (error: any) => error.code === 'UNAUTHENTICATED');
  });

  test('typed-client: createCrmClient with the key', async () => {
    const logs = await run('typed-client', { url, apiKey });
    assert.deepEqual(logs[0], [0, []]);
  });

  test('create-endpoint + receiver: a contact created is delivered, signed, and verifies with standardwebhooks', async () => {
    port = await freePort();
    const logs = await run('create-endpoint', { url, apiKey, receiverUrl: `http://127.0.0.1:${port}/crm` });
    [endpointId, webhookSecret] = logs[0] as [string, string];
    assert.match(webhookSecret, /^whsec_/);
    await run('receiver', { webhookSecret, port, handle: async (event: any) => received.push(event) });
    await eventually(async () => servers.at(-1)?.listening, 'the receiver listening');

    // A forged request is refused by the sample.
    const forged = await fetch(`http://127.0.0.1:${port}/crm`, {
      method: 'POST',
      headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body: JSON.stringify({ type: 'contact.created', timestamp: new Date().toISOString(), data: {} }),
    });
    assert.equal(forged.status, 401);
    assert.equal(received.length, 0);

    const { createContact } = await t.client.data(`mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }`, { input: { name: 'Ada', phone: "+44 7911 123456" } }, owner.token);
    const event = await eventually(async () => received.find((e) => e.type === 'contact.created'), 'the verified delivery', 20_000);
    assert.equal(event.data.contact.id, createContact.id);
    assert.ok(event.id);
  });

  test('deliveries: lists the endpoint’s deliveries with their attempts', async () => {
    // The receiver has the event before the server records its 204: wait for the record.
    const logs = await eventually(async () => {
      const got = await run('deliveries', { url, apiKey, endpointId });
      return got[0]?.[1] === 'PENDING' ? null : got;
    }, 'the delivery recorded', 20_000);
    assert.deepEqual(logs[0], ['contact.created', 'SUCCEEDED', [204]]);
  });

  test('events-feed: the same event from the feed; the stored cursor moves on', async () => {
    const store = new Map<string, string>();
    const handled: any[] = [];
    await run('events-feed', { url, apiKey, store, handle: async (event: any) => handled.push(event) });
    const delivered = received.find((e) => e.type === 'contact.created')!;
    const fromFeed = handled.find((e) => e.id === delivered.id);
    assert.ok(fromFeed, 'the webhook’s event is in the feed');
    assert.deepEqual(fromFeed.data, delivered.data);
    assert.equal(store.get('crm-events-cursor'), handled.at(-1).seq);
    const again: any[] = [];
    await run('events-feed', { url, apiKey, store, handle: async (event: any) => again.push(event) });
    assert.deepEqual(again, []);
    assert.equal(store.get('crm-events-cursor'), handled.at(-1).seq);
  });
});
