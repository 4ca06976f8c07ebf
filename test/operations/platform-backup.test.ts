import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dropDatabasesWithPrefix, startTestApp, testServerUrl, type TestApp } from '../support/test-app';
import { runCli } from '../support/cli-process';
import { GraphQLTestClient, type SignedUp } from '../support/graphql-client';
import { Client } from 'pg';

const CONNECT_SANDBOX = 'mutation ($name: String!) { connectWhatsApp(input: { provider: SANDBOX, name: $name }) { id } }';
const CREATE_CONTACT = 'mutation ($name: String!, $phone: String!) { createContact(input: { name: $name, phone: $phone }) { id } }';

async function databasesWithPrefix(prefix: string): Promise<string[]> {
  const admin = new Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%' ORDER BY 1", [prefix]);
    return rows.map((row) => row.datname);
  } finally {
    await admin.end();
  }
}

describe('operations: whole-platform backup and restore (backup:all, restore:control)', () => {
  let t: TestApp;
  let restored: TestApp | null = null;
  let root: string;
  const tenants: Array<{ owner: SignedUp; contact: string; channel: string }> = [];
  const cli = (command: string, args: string[]) => runCli(t, command, args, { TENANT_CACHE_TTL_MS: '0', DATA_DIR: t.app.config.DATA_DIR }, 150_000);

  before(async () => {
    t = await startTestApp({ TENANT_CACHE_TTL_MS: '0' });
    root = path.join(t.app.config.DATA_DIR, 'platform-backups');
    for (let i = 0; i < 3; i += 1) {
      const owner = await t.client.signUp();
      const contact = `Customer ${i}`;
      await t.client.data(CREATE_CONTACT, { name: contact, phone: `+4479111234${50 + i}` }, owner.token);
      const channel = `Line ${i}`;
      await t.client.data(CONNECT_SANDBOX, { name: channel }, owner.token);
      tenants.push({ owner, contact, channel });
    }
  });
  after(async () => {
    await restored?.stop();
    await t?.stop();
  });

  test('backup:all writes the control database and every tenant with a manifest; --keep prunes older backups', async () => {
    const first = await cli('backup-all', ['--out', root, '--concurrency', '2']);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /\[3\/3\]/);
    const second = await cli('backup-all', ['--out', root, '--keep', '1']);
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.match(second.stdout, /Removed old backup/);
    const folders = fs.readdirSync(root).filter((name) => name.startsWith('platform-'));
    assert.equal(folders.length, 1, 'only the newest backup is kept');
    const manifest = JSON.parse(fs.readFileSync(path.join(root, folders[0], 'manifest.json'), 'utf8'));
    assert.equal(manifest.complete, true);
    assert.deepEqual(
      manifest.tenants.map((tenant: { id: string }) => tenant.id).sort(),
      tenants.map((tenant) => tenant.owner.tenantId).sort(),
    );
    assert.ok(manifest.control.rows > 0);
    assert.ok(fs.existsSync(path.join(root, folders[0], 'control', 'manifest.json')));
  });

  test('after dropping every database, restore:control --with-tenants brings the platform back: users, members and channels', async () => {
    const [folder] = fs.readdirSync(root).filter((name) => name.startsWith('platform-'));
    const dir = path.join(root, folder);

    // A damaged backup is refused before anything is touched.
    const bogus = path.join(t.app.config.DATA_DIR, 'not-a-backup');
    fs.mkdirSync(bogus, { recursive: true });
    const refused = await cli('restore-control', [bogus]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /BACKUP_INVALID/);
    // A control database that still has tenants is not overwritten.
    const occupied = await cli('restore-control', [dir]);
    assert.equal(occupied.code, 1);
    assert.match(occupied.stderr, /CONFLICT/);

    await t.app.stop();
    await dropDatabasesWithPrefix(t.prefix);
    assert.deepEqual(await databasesWithPrefix(t.prefix), []);

    const restore = await cli('restore-control', [dir, '--with-tenants', '--concurrency', '2']);
    assert.equal(restore.code, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, /Tenants restored: 3 of 3/);

    restored = await startTestApp({ TENANT_CACHE_TTL_MS: '0' }, { join: t });
    const client = new GraphQLTestClient(restored.url);
    for (const tenant of tenants) {
      const login = await client.data('mutation ($input: LoginInput!) { login(input: $input) { token } }', {
        input: { email: tenant.owner.email, password: tenant.owner.password },
      });
      const token = login.login.token as string;
      const data = await client.data(
        '{ me { tenant { id status } user { id } } contacts(first: 10) { totalCount edges { node { name } } } whatsappSessions { name provider } members { email } }',
        {},
        token,
      );
      assert.equal(data.me.tenant.id, tenant.owner.tenantId);
      assert.equal(data.me.tenant.status, 'ACTIVE');
      assert.equal(data.me.user.id, tenant.owner.userId);
      assert.deepEqual(data.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name), [tenant.contact]);
      assert.deepEqual(data.whatsappSessions.map((session: { name: string }) => session.name), [tenant.channel]);
      assert.deepEqual(data.members.map((member: { email: string }) => member.email), [tenant.owner.email]);
      // And it keeps working: a write after the restore.
      await client.data(CREATE_CONTACT, { name: 'After restore', phone: '+447911123499' }, token);
    }
    // The old tokens are still valid: the secrets live in DATA_DIR, which the backup does not replace.
    const me = await client.data('{ me { role } }', {}, tenants[0].owner.token);
    assert.equal(me.me.role, 'TENANT_ADMIN');
  });
});
