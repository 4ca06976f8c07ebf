import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nonTenantConnections } from '../../src/config';
import { startTestApp, type TestApp } from '../support/test-app';
import type { SignedUp } from '../support/graphql-client';
import { runCli } from '../support/cli-process';
import { platformLogin } from '../support/platform-admin';
import { wsRequest } from '../support/ws-request';

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { token } }`;
const SUSPEND = `mutation ($id: ID!) { suspendTenant(tenantId: $id) { id status } }`;
const REACTIVATE = `mutation ($id: ID!) { reactivateTenant(tenantId: $id) { id status } }`;
const TENANTS = `query ($after: String) { tenants(first: 2, after: $after) { totalCount edges { node { id name status mode schemaVersion } } pageInfo { hasNextPage endCursor } } }`;

describe('platform admin', () => {
  let t: TestApp;
  let adminToken: string;
  let a: SignedUp;
  let b: SignedUp;
  let c: SignedUp;
  before(async () => {
    t = await startTestApp();
    [a, b, c] = await Promise.all([t.client.signUp(), t.client.signUp(), t.client.signUp()]);
    const email = `ops.${Date.now()}@example.com`;
    const created = await runCli(t, 'create-platform-admin', ['--email', email, '--name', 'Ops'], { ADMIN_PASSWORD: 'operator password 1' });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Platform admin [0-9a-f-]{36} created/);
    adminToken = await platformLogin(t, email, 'operator password 1');
  });
  after(() => t.stop());

  test('admin:create refuses a duplicate email, a short password and a missing password', async () => {
    const [{ email }] = await t.app.platform.control.query('SELECT email FROM platform_admins LIMIT 1');
    const duplicate = await runCli(t, 'create-platform-admin', ['--email', email, '--name', 'Again', '--password', 'another password']);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /already exists/);
    const short = await runCli(t, 'create-platform-admin', ['--email', 'new@example.com', '--name', 'New', '--password', 'short']);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /too short/);
    // Finding 8: a long but common password is refused too.
    const common = await runCli(t, 'create-platform-admin', ['--email', 'new@example.com', '--name', 'New', '--password', '1234567890']);
    assert.equal(common.code, 1);
    assert.match(common.stderr, /too common/);
    const none = await runCli(t, 'create-platform-admin', ['--email', 'new@example.com', '--name', 'New']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no password/);
  });

  test('lists tenants page by page', async () => {
    const first = await t.client.data(TENANTS, {}, adminToken);
    assert.equal(first.tenants.totalCount, 3);
    assert.equal(first.tenants.pageInfo.hasNextPage, true);
    const second = await t.client.data(TENANTS, { after: first.tenants.pageInfo.endCursor }, adminToken);
    const ids = [...first.tenants.edges, ...second.tenants.edges].map((edge: { node: { id: string } }) => edge.node.id);
    assert.deepEqual(ids.sort(), [a.tenantId, b.tenantId, c.tenantId].sort());
    assert.equal(second.tenants.pageInfo.hasNextPage, false);
    for (const edge of first.tenants.edges) {
      assert.equal(edge.node.status, 'ACTIVE');
      assert.equal(edge.node.mode, 'database');
      assert.match(edge.node.schemaVersion, /^\d{13}$/);
    }
  });

  test('a suspended tenant fails fast with TENANT_NOT_ACTIVE, login too; reactivated it works again', async () => {
    const suspended = await t.client.data(SUSPEND, { id: b.tenantId }, adminToken);
    assert.deepEqual(suspended.suspendTenant, { id: b.tenantId, status: 'SUSPENDED' });

    for (const query of ['{ me { tenant { id } } }', '{ members { role } }']) {
      const started = Date.now();
      const result = await t.client.request(query, {}, b.token);
      assert.equal(result.errors?.[0]?.extensions?.code, 'TENANT_NOT_ACTIVE', query);
      assert.equal(result.status, 403);
      assert.ok(Date.now() - started < 1_000, 'fails fast');
    }
    await t.client.expectError('TENANT_NOT_ACTIVE', LOGIN, { input: { email: b.email, password: b.password } });
    await assert.rejects(t.app.platform.router.lease(b.tenantId), (error: Error & { code?: string }) => error.code === 'TENANT_NOT_ACTIVE');
    const ws = t.client.ws(b.token);
    try {
      assert.equal((await wsRequest(ws, '{ me { role } }')).closeCode, 4403, 'no socket for a suspended tenant');
    } finally {
      await ws.dispose();
    }
    // Other tenants are unaffected.
    assert.equal((await t.client.data('{ me { tenant { id } } }', {}, a.token)).me.tenant.id, a.tenantId);
    await t.client.expectError('CONFLICT', SUSPEND, { id: b.tenantId }, adminToken);

    const reactivated = await t.client.data(REACTIVATE, { id: b.tenantId }, adminToken);
    assert.equal(reactivated.reactivateTenant.status, 'ACTIVE');
    assert.equal((await t.client.data('{ me { tenant { id } } }', {}, b.token)).me.tenant.id, b.tenantId);
    const login = await t.client.data(LOGIN, { input: { email: b.email, password: b.password } });
    assert.ok(login.login.token);
    await t.client.expectError('CONFLICT', REACTIVATE, { id: b.tenantId }, adminToken);
  });

  test('tenant users are FORBIDDEN on platform operations', async () => {
    await t.client.expectError('FORBIDDEN', TENANTS, {}, a.token);
    await t.client.expectError('FORBIDDEN', SUSPEND, { id: c.tenantId }, a.token);
    await t.client.expectError('FORBIDDEN', `mutation ($id: ID!) { retryTenantProvisioning(tenantId: $id) { status } }`, { id: c.tenantId }, a.token);
    await t.client.expectError('FORBIDDEN', '{ tenancyStats { liveDataSources } }', {}, a.token);
    await t.client.expectError('UNAUTHENTICATED', TENANTS, {});
    assert.equal((await t.client.data('{ me { tenant { status } } }', {}, c.token)).me.tenant.status, 'ACTIVE');
  });

  test('platform admins are FORBIDDEN on tenant data', async () => {
    await t.client.expectError('FORBIDDEN', '{ me { tenant { id } } }', {}, adminToken);
    await t.client.expectError('FORBIDDEN', '{ members { role } }', {}, adminToken);
    await t.client.expectError('FORBIDDEN', `mutation { createApiKey(name: "x") { secret } }`, {}, adminToken);
    const stats = await t.client.data('{ tenancyStats { tenancyMode connectionBudget } }', {}, adminToken);
    assert.deepEqual(stats.tenancyStats, { tenancyMode: 'database', connectionBudget: t.app.config.CONNECTION_BUDGET - nonTenantConnections(t.app.config) });
  });
});
