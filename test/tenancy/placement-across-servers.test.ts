import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startTestApp, type TestApp } from '../support/test-app';
import { runCli } from '../support/cli-process';
import { freePort } from '../support/free-port';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/platform/db/embedded-postgres';
import { withDatabase } from '../../src/platform/db/connection-url';
import { createLogger } from '../../src/platform/logger';
import type { SignedUp } from '../support/graphql-client';

const CACHE_TTL_MS = '200';
const CREATE_CONTACT = 'mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }';
const CONTACT_NAMES = '{ contacts(first: 50) { edges { node { name } } } }';

describe('placement across database servers (a second real PostgreSQL)', () => {
  let t: TestApp;
  let second: EmbeddedPostgresHandle;
  let secondDir: string;
  const cli = (command: string, args: string[]) => runCli(t, command, args, { TENANT_CACHE_TTL_MS: CACHE_TTL_MS, DATA_DIR: t.app.config.DATA_DIR });
  const serverOf = async (tenantId: string): Promise<string> =>
    (await t.app.platform.control.query('SELECT s.name FROM tenant_placements p JOIN database_servers s ON s.id = p.database_server_id WHERE p.tenant_id = $1', [tenantId]))[0].name;
  const listed = async () => {
    const result = await cli('list-database-servers', ['--json']);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Array<{ name: string; status: string; default: boolean; capacity: number; tenants: number; free: number; sizeBytes: number; connections: number }>;
  };
  const names = async (tenant: SignedUp) =>
    (await t.client.data(CONTACT_NAMES, {}, tenant.token)).contacts.edges.map((edge: { node: { name: string } }) => edge.node.name).sort();

  before(async () => {
    secondDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-second-pg-'));
    fs.chmodSync(secondDir, 0o755);
    second = await startEmbeddedPostgres({ dataDir: secondDir, port: await freePort(), log: createLogger('warn') });
    t = await startTestApp({ TENANCY_MODE: 'database', TENANT_CACHE_TTL_MS: CACHE_TTL_MS });
    await t.app.platform.control.query('UPDATE database_servers SET capacity = 4 WHERE is_default');
    const { hostname, port } = new URL(second.url);
    // The embedded servers share their superuser's credentials: `control` works for both.
    const added = await cli('add-database-server', ['--name', 'second', '--host', hostname, '--port', port, '--credentials', 'control', '--capacity', '8']);
    assert.equal(added.code, 0, added.stderr);
  });
  after(async () => {
    await t?.stop();
    await second?.stop();
    if (secondDir) fs.rmSync(secondDir, { recursive: true, force: true });
  });

  test('sign-ups go to the server with the most free capacity; a drained server gets none; a full platform refuses clearly', async () => {
    const placed: Record<string, number> = {};
    const tenants: SignedUp[] = [];
    for (let i = 0; i < 6; i++) {
      const tenant = await t.client.signUp();
      tenants.push(tenant);
      const server = await serverOf(tenant.tenantId);
      placed[server] = (placed[server] ?? 0) + 1;
    }
    // Free 4 and 8: the first four go to the second server, then they alternate (the default first among equals).
    assert.deepEqual(placed, { default: 1, second: 5 });
    let servers = await listed();
    assert.deepEqual(
      servers.map(({ name, status, default: isDefault, capacity, tenants: count, free }) => ({ name, status, isDefault, capacity, count, free })),
      [
        { name: 'default', status: 'active', isDefault: true, capacity: 4, count: 1, free: 3 },
        { name: 'second', status: 'active', isDefault: false, capacity: 8, count: 5, free: 3 },
      ],
    );
    assert.ok(servers.every((server) => server.sizeBytes > 0 && server.connections >= 0));

    // The tenants on the second server really live there, and work.
    for (const tenant of tenants) {
      await t.client.data(CREATE_CONTACT, { input: { name: `Contact of ${tenant.tenantId.slice(0, 8)}`, phone: '+44 7911 123456' } }, tenant.token);
      assert.deepEqual(await names(tenant), [`Contact of ${tenant.tenantId.slice(0, 8)}`]);
    }
    const secondClient = new Client({ connectionString: withDatabase(second.url, 'postgres') });
    await secondClient.connect();
    try {
      const { rows } = await secondClient.query("SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE $1 || '\\_t\\_%'", [t.prefix]);
      assert.equal(rows[0].n, 5);
    } finally {
      await secondClient.end();
    }

    const drained = await cli('drain-database-server', ['second']);
    assert.equal(drained.code, 0, drained.stderr);
    for (let i = 0; i < 3; i++) assert.equal(await serverOf((await t.client.signUp()).tenantId), 'default', 'a drained server gets no new tenant');
    servers = await listed();
    assert.deepEqual(servers.map((server) => [server.name, server.status, server.tenants]), [['default', 'active', 4], ['second', 'draining', 5]]);

    // The default server is full now and the other drains: sign-ups are refused with a stable code.
    await t.client.expectError('NO_DATABASE_CAPACITY', 'mutation ($input: SignUpInput!) { signUp(input: $input) { token } }', {
      input: { organizationName: 'No Room Co', email: `noroom.${Date.now()}@example.com`, password: 'correct horse battery', name: 'Owner' },
    });

    const undrained = await cli('drain-database-server', ['second', '--undo']);
    assert.equal(undrained.code, 0, undrained.stderr);
    assert.equal(await serverOf((await t.client.signUp()).tenantId), 'second');

    const setDefault = await cli('set-default-database-server', ['second']);
    assert.equal(setDefault.code, 0, setDefault.stderr);
    servers = await listed();
    assert.deepEqual(servers.map((server) => [server.name, server.default]), [['default', false], ['second', true]]);
    const unknown = await cli('drain-database-server', ['nowhere']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No database server named nowhere/);
  });

  test('a tenant moved to the other server and back keeps serving, with its data', async () => {
    await t.app.platform.control.query('UPDATE database_servers SET capacity = 100');
    const tenant = await t.client.signUp();
    const home = await serverOf(tenant.tenantId);
    const away = home === 'default' ? 'second' : 'default';
    await t.client.data(CREATE_CONTACT, { input: { name: 'Before the moves', phone: '+44 7911 123457' } }, tenant.token);

    for (const [target, added] of [[away, 'After the first move'], [home, 'After the move back']] as const) {
      const moved = await cli('move-tenant', [tenant.tenantId, '--server', target]);
      assert.equal(moved.code, 0, moved.stderr);
      assert.equal(await serverOf(tenant.tenantId), target);
      // Requests may be refused (MAINTENANCE) for up to the cache TTL; then they are served from the new place.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const response = await t.client.request(CREATE_CONTACT, { input: { name: added, phone: target === away ? '+44 7911 123458' : '+44 7911 123459' } }, tenant.token);
        if (!response.errors) break;
        assert.ok(Date.now() < deadline, JSON.stringify(response.errors));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.deepEqual(await names(tenant), ['After the first move', 'After the move back', 'Before the moves']);
  });
});
