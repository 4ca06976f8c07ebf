import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { dropDatabasesWithPrefix, startTestApp, testServerUrl, type TestApp } from '../support/test-app';
import { Contact } from '../../src/modules/contacts/contact.entity';

/** Collects the app's JSON log lines. */
function logCollector(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

const modeLines = (lines: Array<Record<string, unknown>>) => lines.filter((line) => /^tenancy mode|TENANCY_MODE=/.test(String(line.msg)));

describe('TENANCY_MODE=auto (the default)', () => {
  const role = `nocreatedb_${crypto.randomBytes(4).toString('hex')}`;
  const password = crypto.randomBytes(12).toString('hex');
  let restricted: TestApp;
  let superuser: TestApp;
  const restrictedLog = logCollector();
  const superuserLog = logCollector();

  const prefix = `t${crypto.randomBytes(5).toString('hex')}`;

  before(async () => {
    const admin = new (await import('pg')).Client({ connectionString: testServerUrl() });
    await admin.connect();
    try {
      // What a managed PostgreSQL often hands out: a login that owns one database and nothing more.
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOCREATEDB NOSUPERUSER NOCREATEROLE`);
      await admin.query(`CREATE DATABASE ${prefix}_control OWNER ${role}`);
    } finally {
      await admin.end();
    }
    const url = new URL(testServerUrl());
    url.username = role;
    url.password = password;
    url.pathname = `/${prefix}_control`;
    restricted = await startTestApp({ DATABASE_URL: url.toString(), DB_NAME_PREFIX: prefix, LOG_LEVEL: 'info' }, { logStream: restrictedLog.stream });
    superuser = await startTestApp({ LOG_LEVEL: 'info' }, { logStream: superuserLog.stream });
  });
  after(async () => {
    await restricted?.stop();
    await superuser?.stop();
    const admin = new (await import('pg')).Client({ connectionString: testServerUrl() });
    await admin.connect();
    await dropDatabasesWithPrefix(prefix);
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
  });

  test('a role without CREATEDB gets a schema per tenant, said once at start-up, and sign-ups work', async () => {
    assert.equal(restricted.app.config.TENANCY_MODE, 'auto');
    assert.equal(restricted.app.platform.tenancyMode, 'schema');
    const said = modeLines(restrictedLog.lines);
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.equal(said[0].tenancyMode, 'schema');
    assert.equal(said[0].level, 30, 'auto picking schemas is news, not a warning');

    const [a, b] = await Promise.all([restricted.client.signUp(), restricted.client.signUp()]);
    const { router } = restricted.app.platform;
    await router.withTenant(a.tenantId, (manager) => manager.getRepository(Contact).insert({ name: 'Only in A', phone: '15550000001' }));
    assert.equal(await router.withTenant(a.tenantId, (manager) => manager.getRepository(Contact).count()), 1);
    assert.equal(await router.withTenant(b.tenantId, (manager) => manager.getRepository(Contact).count()), 0);
    const contacts = await restricted.client.data('{ contacts(first: 10) { edges { node { name } } } }', {}, a.token);
    assert.deepEqual(contacts.contacts.edges.map((edge: { node: { name: string } }) => edge.node.name), ['Only in A']);

    const [{ mode, database_name: database }] = await restricted.app.platform.control.query(
      'SELECT mode, database_name FROM tenant_placements WHERE tenant_id = $1',
      [a.tenantId],
    );
    assert.equal(mode, 'schema');
    assert.equal(database, `${prefix}_control`, 'no database could be created: the schemas live in the control database');
  });

  test('a role that may create databases gets a database per tenant', async () => {
    assert.equal(superuser.app.platform.tenancyMode, 'database');
    const said = modeLines(superuserLog.lines);
    assert.equal(said.length, 1);
    assert.equal(said[0].tenancyMode, 'database');
    const tenant = await superuser.client.signUp();
    const [{ mode }] = await superuser.app.platform.control.query('SELECT mode FROM tenant_placements WHERE tenant_id = $1', [tenant.tenantId]);
    assert.equal(mode, 'database');
  });
});
