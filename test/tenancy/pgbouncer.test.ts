import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { dropDatabasesWithPrefix, startTestApp, testServerUrl, type TestApp } from '../support/test-app';
import { mapWithConcurrency } from '../../src/platform/concurrency';
import { withDatabase } from '../../src/platform/db/connection-url';
import type { SignedUp } from '../support/graphql-client';
import { pgBouncerInstalled, startPgBouncer, type PgBouncer } from '../support/pgbouncer';
import { CONNECT, MARK_READ, SEND, SIMULATE, eventually } from '../whatsapp/whatsapp-test-kit';
import { INBOX_PAGE } from '../support/crm-fixtures';

const CREATE_CONTACT = 'mutation ($input: CreateContactInput!) { createContact(input: $input) { id name } }';
const CONTACT_NAMES = '{ contacts(first: 50) { edges { node { name } } } }';
const CREATE_ORDER = 'mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents items { productName } } }';
const SERVER_CONNECTIONS = 10;

/** An app whose tenant requests go through `bouncer`; the control database and provisioning stay direct. */
async function startPooledApp(bouncer: PgBouncer, prefix: string, env: Record<string, string>): Promise<TestApp> {
  return startTestApp({
    DB_NAME_PREFIX: prefix,
    DATABASE_URL: bouncer.urlFor(`${prefix}_control`),
    DIRECT_DATABASE_URL: withDatabase(testServerUrl(), `${prefix}_control`),
    SIGNUP_RATE_LIMIT: '0',
    TENANT_RATE_LIMIT: '0',
    API_KEY_RATE_LIMIT: '0',
    ...env,
  });
}

const phoneOf = (i: number) => `+44 7911 ${String(100000 + i).padStart(6, '0')}`;

describe('tenant requests through a real PgBouncer (transaction pooling)', { skip: pgBouncerInstalled() ? false : 'pgbouncer is not installed (apt-get install pgbouncer)' }, () => {
  let bouncer: PgBouncer;
  const prefixes: string[] = [];
  const apps: TestApp[] = [];
  const newPrefix = () => {
    const prefix = `t${crypto.randomBytes(5).toString('hex')}`;
    prefixes.push(prefix);
    return prefix;
  };

  before(async () => {
    bouncer = await startPgBouncer(testServerUrl(), { poolSize: SERVER_CONNECTIONS });
  });
  after(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
    await bouncer?.stop();
    for (const prefix of prefixes) await dropDatabasesWithPrefix(prefix);
  });

  test(`schema mode: 400 concurrent requests over 50 tenants through ${SERVER_CONNECTIONS} server connections, never another tenant's rows`, async () => {
    const prefix = newPrefix();
    const t = await startPooledApp(bouncer, prefix, {
      TENANCY_MODE: 'schema',
      // Many client connections to PgBouncer; it multiplexes them over its 10 server connections.
      SCHEMA_POOL_SIZE: '40',
      CONNECTION_BUDGET: '80',
      CONNECTION_WAIT_TIMEOUT_MS: '30000',
    });
    apps.push(t);
    const tenants: Array<SignedUp & { name: string }> = [];
    await mapWithConcurrency(Array.from({ length: 50 }, (_, i) => i), 5, async (i) => {
      const tenant = await t.client.signUp({ organizationName: `Pooled ${i}` });
      const name = `Only of tenant ${i}`;
      await t.client.data(CREATE_CONTACT, { input: { name, phone: phoneOf(i) } }, tenant.token);
      tenants.push({ ...tenant, name });
    });
    const [{ database_name: schemasDatabase }] = await t.app.platform.control.query("SELECT DISTINCT database_name FROM tenant_placements WHERE mode = 'schema'");

    let maxServers = 0;
    let maxClients = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pools = (await bouncer.show('POOLS')).filter((pool) => pool.database === schemasDatabase);
        const servers = pools.reduce((sum, pool) => sum + Number(pool.sv_active) + Number(pool.sv_idle) + Number(pool.sv_used) + Number(pool.sv_tested) + Number(pool.sv_login), 0);
        const clients = (await bouncer.show('CLIENTS')).filter((client) => client.database === schemasDatabase).length;
        maxServers = Math.max(maxServers, servers);
        maxClients = Math.max(maxClients, clients);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    let wrong = 0;
    let errors = 0;
    const requests = Array.from({ length: 400 }, (_, i) => tenants[(i * 7) % tenants.length]);
    await Promise.all(
      requests.map(async (tenant, i) => {
        // Reads and writes interleave: every tenth request writes (a transaction), the rest read (autocommit).
        if (i % 10 === 0) {
          const response = await t.client.request(CREATE_CONTACT, { input: { name: `${tenant.name} #${i}`, phone: phoneOf(1000 + i) } }, tenant.token);
          if (response.errors) errors += 1;
          return;
        }
        const response = await t.client.request(CONTACT_NAMES, {}, tenant.token);
        if (response.errors) {
          errors += 1;
          return;
        }
        const names: string[] = response.data.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name);
        if (!names.includes(tenant.name) || names.some((name) => !name.startsWith(tenant.name))) wrong += 1;
      }),
    );
    sampling = false;
    await sampler;
    assert.equal(errors, 0, 'no request failed');
    assert.equal(wrong, 0, 'no request saw another tenant\'s rows (or missed its own)');
    assert.ok(maxServers <= SERVER_CONNECTIONS, `at most ${SERVER_CONNECTIONS} server connections (saw ${maxServers})`);
    assert.ok(maxClients >= 1, `the app's requests went through PgBouncer (saw ${maxClients} client connections)`);

    // Transaction pooling, not session pooling: 15 leases held at once (15 client connections),
    // each running statements, fit in 10 server connections because none holds one between transactions.
    const { router } = t.app.platform;
    const held = await Promise.all(tenants.slice(0, 15).map((tenant) => router.lease(tenant.tenantId)));
    try {
      for (let round = 0; round < 3; round++) {
        await Promise.all(
          held.map(async (lease, i) => {
            const rows: Array<{ name: string }> = await lease.manager.query('SELECT name FROM contacts');
            assert.ok(rows.length > 0 && rows.every((row) => row.name.startsWith(tenants[i].name)), `lease ${i} read its own tenant's rows`);
          }),
        );
      }
      const clients = (await bouncer.show('CLIENTS')).filter((client) => client.database === schemasDatabase).length;
      const servers = (await bouncer.show('SERVERS')).filter((server) => server.database === schemasDatabase).length;
      assert.ok(clients >= 15, `15 leases hold 15 client connections (saw ${clients})`);
      assert.ok(servers <= SERVER_CONNECTIONS, `served by at most ${SERVER_CONNECTIONS} server connections (saw ${servers})`);
    } finally {
      await Promise.all(held.map((lease) => lease.release()));
    }

    // Each tenant's writes landed in its own schema.
    for (const tenant of tenants) {
      const response = await t.client.data(CONTACT_NAMES, {}, tenant.token);
      const names: string[] = response.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name);
      assert.ok(names.every((name) => name.startsWith(tenant.name)));
    }
    // No search_path leaked onto a pooled server connection: a plain pooled session sees no tenant table.
    const { Client } = await import('pg');
    const plain = new Client({ connectionString: bouncer.urlFor(schemasDatabase) });
    await plain.connect();
    try {
      for (let i = 0; i < SERVER_CONNECTIONS; i++) {
        const { rows } = await plain.query("SELECT current_setting('search_path') AS path, to_regclass('contacts') AS contacts");
        assert.equal(rows[0].contacts, null, `a server connection kept a tenant search_path: ${rows[0].path}`);
      }
    } finally {
      await plain.end();
    }
  });

  test('database mode: the CRM flow of one tenant through the pooler', async () => {
    const prefix = newPrefix();
    const t = await startPooledApp(bouncer, prefix, { TENANCY_MODE: 'database' });
    apps.push(t);
    const tenant = await t.client.signUp();
    const gql = (query: string, variables: Record<string, unknown> = {}) => t.client.data(query, variables, tenant.token);

    const session = (await gql(CONNECT, { input: { provider: 'SANDBOX', name: 'Pooled line' } })).connectWhatsApp;
    const inbound = (await gql(SIMULATE, { input: { sessionId: session.id, from: '447911200001', fromName: 'Eve', body: 'hello through the pooler' } })).simulateInboundMessage;
    assert.equal(inbound.body, 'hello through the pooler');
    const page = (await gql(INBOX_PAGE, { first: 10 })).conversations;
    assert.equal(page.totalCount, 1);
    assert.equal(page.edges[0].node.contact.name, 'Eve');
    assert.equal(page.edges[0].node.unreadCount, 1);
    await gql(MARK_READ, { id: inbound.conversationId });
    const sent = (await gql(SEND, { input: { conversationId: inbound.conversationId, body: 'hi Eve' } })).sendMessage;
    assert.equal(sent.body, 'hi Eve');
    await eventually(async () => {
      const [row] = await t.app.platform.router.withTenant(tenant.tenantId, (manager) => manager.query('SELECT status FROM messages WHERE id = $1', [sent.id]));
      return row?.status === 'DELIVERED' || row?.status === 'READ';
    }, 'the sandbox acks the sent message');
    const contact = (await gql(CREATE_CONTACT, { input: { name: 'Frank', phone: '+44 7911 200002' } })).createContact;
    const order = (await gql(CREATE_ORDER, { input: { contactId: contact.id, currency: 'EUR', items: [{ productName: 'Mug', sku: 'MUG-1', quantity: 2, unitPriceCents: 1250 }] } })).createOrder;
    assert.equal(order.totalCents, 2500);

    // Its requests went through the pooler: PgBouncer has a pool for the tenant's database.
    const [{ database_name: database }] = await t.app.platform.control.query('SELECT database_name FROM tenant_placements WHERE tenant_id = $1', [tenant.tenantId]);
    assert.ok((await bouncer.show('POOLS')).some((pool) => pool.database === database), 'the tenant database is served through PgBouncer');
  });
});
