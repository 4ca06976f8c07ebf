import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { startTestApp, testServerUrl, type TestApp } from '../support/test-app';
import { tenantSchema } from '../../src/app';
import { withDatabase } from '../../src/platform/db/connection-url';
import { describeSchemaStructure } from '../../src/platform/db/schema-structure';
import { inlineParameters } from '../../src/platform/tenancy/schema-script';
import { migrateTarget } from '../../src/platform/tenancy/tenant-migrator';

describe('schema-mode provisioning by recorded script', () => {
  let t: TestApp;
  let client: Client;
  before(async () => {
    t = await startTestApp({ TENANCY_MODE: 'schema' });
  });
  after(async () => {
    await client?.end();
    await t?.stop();
  });

  test('a schema provisioned in one round trip is the same as one built by running every migration', async () => {
    const tenant = await t.client.signUp();
    const [placement] = await t.app.platform.control.query(
      'SELECT database_name, schema_name, schema_version FROM tenant_placements WHERE tenant_id = $1',
      [tenant.tenantId],
    );
    assert.equal(placement.schema_version, tenantSchema.version);
    client = new Client({ connectionString: withDatabase(testServerUrl(), placement.database_name) });
    await client.connect();

    const reference = `${t.prefix}_migrated_reference`;
    await client.query(`CREATE SCHEMA "${reference}"`);
    const migrated = await migrateTarget({ url: withDatabase(testServerUrl(), placement.database_name), schemaName: reference }, tenantSchema);
    assert.equal(migrated.applied.length, tenantSchema.migrations.length);

    const fast = await describeSchemaStructure(client, placement.schema_name);
    const slow = await describeSchemaStructure(client, reference);
    assert.ok(fast.columns.length > 100 && fast.indexes.length > 20 && fast.functions.length >= 1, 'the description covers the schema');
    assert.equal(fast.migrations.length, tenantSchema.migrations.length);
    assert.deepEqual(fast, slow);

    // The migrator finds nothing to do on it: its migrations table says every migration ran.
    const again = await migrateTarget({ url: withDatabase(testServerUrl(), placement.database_name), schemaName: placement.schema_name }, tenantSchema);
    assert.deepEqual(again.applied, []);

    // The comparison can fail: one index fewer is seen.
    await client.query(`DROP INDEX "${reference}"."IDX_contacts_phone_prefix"`);
    assert.notDeepEqual(await describeSchemaStructure(client, reference), fast);

    // And the tenant works: its data goes to its own schema.
    const created = await t.client.data(
      'mutation ($input: CreateContactInput!) { createContact(input: $input) { id } }',
      { input: { name: 'Ada', phone: '+44 7911 123456' } },
      tenant.token,
    );
    assert.ok(created.createContact.id);
    const { rows } = await client.query(`SELECT name FROM "${placement.schema_name}".contacts`);
    assert.deepEqual(rows, [{ name: 'Ada' }]);
  });

  test('parameters are inlined as literals in one pass', () => {
    assert.equal(inlineParameters('SELECT $1, $2, $10', ["it's $2", 3, null, 4, 5, 6, 7, 8, 9, true]), "SELECT 'it''s $2', 3, true");
    assert.throws(() => inlineParameters('SELECT $2', ['x']), /names \$2/);
    assert.throws(() => inlineParameters('SELECT $1', [{ a: 1 }]), /Cannot inline/);
  });
});
