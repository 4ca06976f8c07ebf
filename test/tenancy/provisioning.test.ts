import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import { runCli } from '../support/cli-process';
import { platformAdminToken } from '../support/platform-admin';
import { Contact } from '../../src/modules/contacts/contact.entity';
import { tenantSchema } from '../../src/app';
import { freePort } from '../support/free-port';

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token tenant { id status } } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { token tenant { id } } }`;

const compact = (id: string) => id.replace(/-/g, '');

describe('provisioning', () => {
  let t: TestApp;
  let adminToken: string;
  before(async () => {
    // No registry cache: the CLI retries in another process and this server must see it at once.
    t = await startTestApp({ TENANT_CACHE_TTL_MS: '0' });
    adminToken = await platformAdminToken(t);
  });
  after(() => t.stop());

  async function placement(tenantId: string) {
    const [row] = await t.app.platform.control.query(
      `SELECT t.status, p.last_error, p.schema_version FROM tenants t JOIN tenant_placements p ON p.tenant_id = t.id WHERE t.id = $1`,
      [tenantId],
    );
    return row as { status: string; last_error: string | null; schema_version: string | null };
  }

  /** Points the default database server at a port nobody listens on, runs `work`, then restores it. */
  async function withBrokenServer<T>(work: () => Promise<T>): Promise<T> {
    const { control, servers } = t.app.platform;
    const [{ port }] = await control.query('SELECT port FROM database_servers WHERE is_default');
    await control.query('UPDATE database_servers SET port = $1 WHERE is_default', [await freePort()]);
    servers.invalidate();
    try {
      return await work();
    } finally {
      await control.query('UPDATE database_servers SET port = $1 WHERE is_default', [port]);
      servers.invalidate();
    }
  }

  async function failedSignUp(email: string) {
    const error = await withBrokenServer(() =>
      t.client.expectError('PROVISIONING_FAILED', SIGN_UP, {
        input: { organizationName: 'Broken Co', email, password: 'correct horse battery', name: 'Owner' },
      }),
    );
    const tenantId = (error.extensions as { details: { tenantId: string } }).details.tenantId;
    const row = await placement(tenantId);
    assert.equal(row.status, 'FAILED');
    assert.match(row.last_error ?? '', /ECONNREFUSED/);
    return tenantId;
  }

  test('a failed provisioning leaves FAILED with the error; the platform admin retries it to ACTIVE', async () => {
    const email = `broken.${Date.now()}@example.com`;
    const tenantId = await failedSignUp(email);
    await t.client.expectError('TENANT_NOT_ACTIVE', LOGIN, { input: { email, password: 'correct horse battery' } });

    const retried = await t.client.data(
      `mutation ($id: ID!) { retryTenantProvisioning(tenantId: $id) { status lastError schemaVersion } }`,
      { id: tenantId },
      adminToken,
    );
    assert.deepEqual(retried.retryTenantProvisioning, { status: 'ACTIVE', lastError: null, schemaVersion: tenantSchema.version });

    const login = await t.client.data(LOGIN, { input: { email, password: 'correct horse battery' } });
    assert.equal(login.login.tenant.id, tenantId);
    const me = await t.client.data('{ me { tenant { id status } } }', {}, login.login.token);
    assert.deepEqual(me.me.tenant, { id: tenantId, status: 'ACTIVE' });
    const count = await t.app.platform.router.withTenant(tenantId, (manager) => manager.getRepository(Contact).count());
    assert.equal(count, 0);
  });

  test('the CLI --retry provisions a FAILED tenant', async () => {
    const tenantId = await failedSignUp(`broken.cli.${Date.now()}@example.com`);
    const result = await runCli(t, 'provision-tenant', ['--retry', tenantId]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, new RegExp(`Tenant\\s+${tenantId}`));
    assert.match(result.stdout, /Status\s+ACTIVE in \d+ ms/);
    assert.equal((await placement(tenantId)).status, 'ACTIVE');
    await t.app.platform.router.withTenant(tenantId, (manager) => manager.getRepository(Contact).count());
  });

  test('a database left behind by a crashed attempt fails provisioning cleanly, and a retry replaces it', async () => {
    const { provisioner } = t.app.platform;
    const tenant = await provisioner.createTenant({ name: 'Crashed halfway' });
    const admin = await t.admin();
    try {
      // What a crash between CREATE DATABASE and recording ACTIVE leaves: an empty database.
      await admin.query(`CREATE DATABASE "${t.prefix}_t_${compact(tenant.id)}"`);
      await assert.rejects(provisioner.provision(tenant.id), (error: Error & { code?: string }) => error.code === 'PROVISIONING_FAILED');
      assert.equal((await placement(tenant.id)).status, 'FAILED');
      await provisioner.provision(tenant.id);
      assert.equal((await placement(tenant.id)).status, 'ACTIVE');
      const count = await t.app.platform.router.withTenant(tenant.id, (manager) => manager.getRepository(Contact).count());
      assert.equal(count, 0, 'the retried database is a full clone');
    } finally {
      await admin.end();
    }
  });

  test('tenants a stopped process left PROVISIONING are provisioned again at start-up; one in progress is left alone', async () => {
    const { provisioner, control } = t.app.platform;
    const [stuck, inProgress] = [await provisioner.createTenant({ name: 'Left halfway' }), await provisioner.createTenant({ name: 'Just begun' })];
    const admin = await t.admin();
    try {
      // What a stop between CREATE DATABASE and recording ACTIVE leaves, an hour ago.
      await admin.query(`CREATE DATABASE "${t.prefix}_t_${compact(stuck.id)}"`);
      await control.query(`UPDATE tenants SET updated_at = now() - interval '1 hour' WHERE id = $1`, [stuck.id]);

      // What every start runs (in the background); two instances starting together share the work.
      const [first, second] = await Promise.all([provisioner.resumeInterrupted(10 * 60_000), provisioner.resumeInterrupted(10 * 60_000)]);
      assert.deepEqual([...first, ...second], [{ tenantId: stuck.id, active: true }], 'taken on once');
      assert.equal((await placement(stuck.id)).status, 'ACTIVE');
      const count = await t.app.platform.router.withTenant(stuck.id, (manager) => manager.getRepository(Contact).count());
      assert.equal(count, 0, 'a full clone replaced the leftover database');
      assert.equal((await placement(inProgress.id)).status, 'PROVISIONING', 'a recent one may still be running elsewhere');
    } finally {
      await admin.end();
      await provisioner.provision(inProgress.id);
    }
  });

  test('CLI provision:tenant creates, provisions and reports; schema mode on request', async () => {
    const result = await runCli(t, 'provision-tenant', ['Cli Schema Co', '--plan', 'pro', '--mode', 'schema']);
    assert.equal(result.code, 0, result.stderr);
    const tenantId = /Tenant\s+([0-9a-f-]{36})/.exec(result.stdout)![1];
    assert.match(result.stdout, /Status\s+ACTIVE/);
    assert.match(result.stdout, new RegExp(`Mode\\s+schema: ${t.prefix}_schemas\\.${t.prefix}_s_${compact(tenantId)}`));
    const [row] = await t.app.platform.control.query(
      `SELECT pl.code FROM tenants t JOIN subscription_plans pl ON pl.id = t.plan_id WHERE t.id = $1`,
      [tenantId],
    );
    assert.equal(row.code, 'pro');

    const bad = await runCli(t, 'provision-tenant', ['X', '--plan', 'gold']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /gold/);
  });

  test('tenant names built to inject SQL create exactly one database each, with the generated name', async () => {
    const admin = await t.admin();
    const watched = async () => {
      // Other test files share this server: watch ours plus the databases an injection would hit.
      const { rows } = await admin.query(
        `SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%' OR datname IN ('postgres', 'template0', 'template1')`,
        [t.prefix],
      );
      return new Set(rows.map((row) => row.datname as string));
    };
    try {
      const names = [`x"; DROP DATABASE postgres; --`, `'; DROP TABLE tenants; --`, `Robert'); DROP SCHEMA public CASCADE;--`];
      for (const name of names) {
        const before = await watched();
        const signedUp = await t.client.signUp({ organizationName: name });
        const afterSignUp = await watched();
        const added = [...afterSignUp].filter((db) => !before.has(db));
        const removed = [...before].filter((db) => !afterSignUp.has(db));
        assert.deepEqual(added, [`${t.prefix}_t_${compact(signedUp.tenantId)}`]);
        assert.deepEqual(removed, []);
        const me = await t.client.data('{ me { tenant { name slug } } }', {}, signedUp.token);
        assert.equal(me.me.tenant.name, name, 'the name is stored verbatim');
        assert.match(me.me.tenant.slug, /^[a-z0-9-]+$/);
      }
      const [stored] = await t.app.platform.control.query('SELECT count(*)::int AS n FROM tenants WHERE name = ANY($1)', [names]);
      assert.equal(stored.n, 3);
      const tables = await t.app.platform.control.query(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('tenants', 'tenant_placements', 'users', 'memberships')`,
      );
      assert.equal(tables[0].n, 4, 'control tables intact');
    } finally {
      await admin.end();
    }
  });
});

describe('template databases', () => {
  test('building the current template drops those before the previous version; the previous and newer ones stay', async () => {
    const t = await startTestApp();
    try {
      const admin = await t.admin();
      const names = (versions: string[]) => versions.map((version) => `${t.prefix}_tpl_${version}`);
      const [older, previous, newer] = names(['1000000000001', '1000000000002', '9999999999999']);
      try {
        for (const name of [older, previous, newer]) await admin.query(`CREATE DATABASE "${name}" IS_TEMPLATE true`);
        await t.client.signUp(); // the first tenant builds the current version's template
        const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_tpl\\_%' ORDER BY datname`, [t.prefix]);
        assert.deepEqual(
          rows.map((row) => row.datname),
          [previous, `${t.prefix}_tpl_${tenantSchema.version}`, newer],
        );
      } finally {
        await admin.end();
      }
    } finally {
      await t.stop();
    }
  });
});
