import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app';
import { runCli } from '../support/cli-process';
import type { SignedUp } from '../support/graphql-client';

const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { token } }';
const CREATE_CONTACT = 'mutation ($name: String!, $phone: String!) { createContact(input: { name: $name, phone: $phone }) { id } }';

describe('operations: tenant lifecycle (activity, archive, unarchive, delete)', () => {
  let t: TestApp;
  let active: SignedUp;
  let idle: SignedUp;
  const cli = (command: string, args: string[]) => runCli(t, command, args, { TENANT_CACHE_TTL_MS: '0', DATA_DIR: t.app.config.DATA_DIR }, 150_000);
  const tenantRow = async (id: string) =>
    (await t.app.platform.control.query('SELECT slug, name, status, last_active_at, archive_location FROM tenants WHERE id = $1', [id]))[0];
  const placementDatabase = async (id: string) => (await t.app.platform.control.query('SELECT database_name FROM tenant_placements WHERE tenant_id = $1', [id]))[0].database_name as string;
  const databaseExists = async (name: string) => {
    const admin = await t.admin();
    try {
      return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    } finally {
      await admin.end();
    }
  };

  before(async () => {
    t = await startTestApp({ TENANT_CACHE_TTL_MS: '0' });
    active = await t.client.signUp();
    idle = await t.client.signUp();
  });
  after(() => t.stop());

  test('activity is recorded cheaply, and tenants --inactive-days lists the idle ones', async () => {
    await t.client.data('{ me { role } }', {}, active.token);
    let row = await tenantRow(active.tenantId);
    for (let i = 0; i < 50 && !row.last_active_at; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      row = await tenantRow(active.tenantId);
    }
    assert.ok(row.last_active_at, 'the first request records activity');
    // Within the interval, further requests write nothing (one UPDATE per tenant per 5 minutes).
    await t.app.platform.control.query(`UPDATE tenants SET last_active_at = now() - interval '1 minute' WHERE id = $1`, [active.tenantId]);
    const before = (await tenantRow(active.tenantId)).last_active_at.getTime();
    for (let i = 0; i < 5; i += 1) await t.client.data('{ me { role } }', {}, active.token);
    await new Promise((resolve) => setTimeout(resolve, 200));
    row = await tenantRow(active.tenantId);
    assert.equal(row.last_active_at.getTime(), before);

    await t.app.platform.control.query(`UPDATE tenants SET created_at = now() - interval '200 days', last_active_at = now() - interval '100 days' WHERE id = $1`, [idle.tenantId]);
    const listed = await cli('list-tenants', ['--inactive-days', '90', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const ids = (JSON.parse(listed.stdout) as Array<{ id: string }>).map((tenant) => tenant.id);
    assert.deepEqual(ids, [idle.tenantId]);
    const all = await cli('list-tenants', ['--inactive-days', '30']);
    assert.match(all.stdout, /last active/);
  });

  test('tenant:archive backs up and drops the data; login answers TENANT_ARCHIVED; tenant:unarchive brings it back', async () => {
    await t.client.data(CREATE_CONTACT, { name: 'Kept through the archive', phone: '+447911123456' }, active.token);
    const { slug } = await tenantRow(active.tenantId);
    const database = await placementDatabase(active.tenantId);
    assert.ok(await databaseExists(database));

    const archived = await cli('tenant-archive', [slug]);
    assert.equal(archived.code, 0, archived.stderr + archived.stdout);
    const row = await tenantRow(active.tenantId);
    assert.equal(row.status, 'ARCHIVED');
    assert.ok(row.archive_location);
    assert.equal(await databaseExists(database), false, 'the database is dropped');

    await t.client.expectError('TENANT_ARCHIVED', LOGIN, { input: { email: active.email, password: active.password } });
    const old = await t.client.request('{ me { role } }', {}, active.token);
    assert.equal(old.errors?.[0].extensions?.code, 'TENANT_NOT_ACTIVE');
    assert.equal((await cli('tenant-archive', [slug])).code, 1, 'an archived tenant is not archived twice');

    const unarchived = await cli('tenant-unarchive', [active.tenantId]);
    assert.equal(unarchived.code, 0, unarchived.stderr + unarchived.stdout);
    assert.equal((await tenantRow(active.tenantId)).status, 'ACTIVE');
    const token = (await t.client.data(LOGIN, { input: { email: active.email, password: active.password } })).login.token;
    const contacts = await t.client.data('{ contacts(first: 5) { edges { node { name } } } }', {}, token);
    assert.deepEqual(contacts.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name), ['Kept through the archive']);

    const trail = await t.app.platform.control.query(`SELECT action, actor FROM platform_audit_log WHERE tenant_id = $1 ORDER BY occurred_at`, [active.tenantId]);
    assert.deepEqual(trail.map((entry: { action: string }) => entry.action), ['tenant.archived', 'tenant.unarchived']);
    assert.match(trail[0].actor, /^cli:/);
  });

  test('tenant:delete needs the slug confirmed, erases the data and anonymises the control rows', async () => {
    const { slug, name } = await tenantRow(idle.tenantId);
    const database = await placementDatabase(idle.tenantId);
    const wrong = await cli('tenant-delete', [idle.tenantId, '--confirm', 'not-the-slug']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /VALIDATION_FAILED/);
    assert.equal((await tenantRow(idle.tenantId)).status, 'ACTIVE', 'nothing happened');

    const deleted = await cli('tenant-delete', [slug, '--confirm', slug]);
    assert.equal(deleted.code, 0, deleted.stderr + deleted.stdout);
    const row = await tenantRow(idle.tenantId);
    assert.equal(row.status, 'DELETED');
    assert.notEqual(row.slug, slug);
    assert.notEqual(row.name, name);
    assert.match(row.slug, /^deleted-[0-9a-f]{16}$/);
    assert.equal(await databaseExists(database), false);
    const members = await t.app.platform.control.query('SELECT 1 FROM memberships WHERE tenant_id = $1', [idle.tenantId]);
    assert.equal(members.length, 0);
    await t.client.expectError('FORBIDDEN', LOGIN, { input: { email: idle.email, password: idle.password } });
    const [entry] = await t.app.platform.control.query(`SELECT action, details FROM platform_audit_log WHERE tenant_id = $1`, [idle.tenantId]);
    assert.equal(entry.action, 'tenant.deleted');
    assert.doesNotMatch(JSON.stringify(entry.details), new RegExp(slug));
    // The other tenant is untouched.
    assert.equal((await tenantRow(active.tenantId)).status, 'ACTIVE');
  });
});
