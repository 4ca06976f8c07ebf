// Proves the tenant migrations and the tenant entities agree, on a scratch database:
//   node dist/scripts/check-tenant-schema.js [postgres://user@host:port/any-db]
// 1. runs every tenant migration, then asks TypeORM what it would still change: must be nothing;
// 2. checks the objects TypeORM cannot diff (indexes declared with synchronize: false, the
//    order-total trigger, generated columns, CHECKs) by using them;
// 3. reverts every migration, expects an empty schema, and migrates up again.
// The scratch database is dropped at the end, whatever happened. Exit code 1 on any mismatch.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { tenantMigrations } from '../migrations/tenant';
import { tenantEntities, tenantSchema } from '../src/app';
import { describeSchemaStructure } from '../src/platform/db/schema-structure';
import { SchemaScripts } from '../src/platform/tenancy/schema-script';
import { migrateTarget } from '../src/platform/tenancy/tenant-migrator';
import { withDatabase } from '../src/platform/db/connection-url';
import { baseDataSourceOptions } from '../src/platform/db/data-source-options';
import { quoteIdentifier } from '../src/platform/db/identifiers';

const failures: string[] = [];

function expect(condition: boolean, what: string): void {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${what}`);
  if (!condition) failures.push(what);
}

async function expectSqlError(ds: DataSource, sql: string, params: unknown[], code: string, what: string): Promise<void> {
  try {
    await ds.query(sql, params);
    expect(false, `${what} (statement succeeded)`);
  } catch (error) {
    const actual = (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
    expect(actual === code, `${what} (SQLSTATE ${actual}, expected ${code})`);
  }
}

async function withAdmin<T>(serverUrl: string, fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

async function checkSchemaDiff(ds: DataSource, when: string): Promise<void> {
  const { upQueries } = await ds.driver.createSchemaBuilder().log();
  for (const query of upQueries) console.log(`  would run: ${query.query}`);
  expect(upQueries.length === 0, `entities and migrated schema agree ${when} (${upQueries.length} statements of difference)`);
}

async function checkHandWrittenObjects(ds: DataSource): Promise<void> {
  const present = new Set<string>(
    (await ds.query(`SELECT tablename || '.' || indexname AS name FROM pg_indexes WHERE schemaname = current_schema()`)).map(
      (row: { name: string }) => row.name,
    ),
  );
  for (const metadata of ds.entityMetadatas) {
    for (const index of metadata.indices.filter((candidate) => !candidate.synchronize)) {
      expect(present.has(`${metadata.tableName}.${index.name}`), `hand-written index ${index.name} exists on ${metadata.tableName}`);
    }
  }
  const [trigger] = await ds.query(
    `SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'order_items'::regclass AND tgname = 'order_items_refresh_order_total'`,
  );
  expect(trigger.n === 1, 'order total trigger exists');
}

async function checkBehaviour(ds: DataSource): Promise<void> {
  const [contact] = await ds.query(`INSERT INTO contacts (name, phone) VALUES ('Ada', '15551234567') RETURNING id`);
  await expectSqlError(ds, `INSERT INTO contacts (name, phone) VALUES ('Ada 2', '15551234567')`, [], '23505', 'live phone is unique');
  await ds.query(`UPDATE contacts SET deleted_at = now() WHERE id = $1`, [contact.id]);
  const [again] = await ds.query(`INSERT INTO contacts (name, phone) VALUES ('Ada', '15551234567') RETURNING id`);
  expect(!!again.id, 'a soft-deleted contact\'s phone can be reused');
  await expectSqlError(ds, `INSERT INTO contacts (name, phone) VALUES ('Bad', '+15551234567')`, [], '23514', 'phone must be E.164 digits');

  // Orders: total follows the items through the trigger; items are validated by CHECKs.
  const [order] = await ds.query(`INSERT INTO orders (contact_id, currency) VALUES ($1, 'USD') RETURNING id`, [again.id]);
  const total = async () => Number((await ds.query(`SELECT total_cents FROM orders WHERE id = $1`, [order.id]))[0].total_cents);
  const [item] = await ds.query(
    `INSERT INTO order_items (order_id, product_name, quantity, unit_price_cents) VALUES ($1, 'Tea', 2, 350), ($1, 'Cake', 1, 1200) RETURNING id, line_total_cents`,
    [order.id],
  );
  expect(Number(item.line_total_cents) === 700, 'line_total_cents = quantity x unit_price_cents');
  expect((await total()) === 1900, 'insert items: total_cents = 1900');
  await ds.query(`UPDATE order_items SET quantity = 5 WHERE id = $1`, [item.id]);
  expect((await total()) === 2950, 'update quantity: total_cents = 2950');
  await ds.query(`DELETE FROM order_items WHERE id = $1`, [item.id]);
  expect((await total()) === 1200, 'delete item: total_cents = 1200');
  await expectSqlError(ds, `INSERT INTO order_items (order_id, product_name, quantity, unit_price_cents) VALUES ($1, 'X', 0, 100)`, [order.id], '23514', 'quantity 0 is rejected');
  await expectSqlError(ds, `INSERT INTO order_items (order_id, product_name, quantity, unit_price_cents) VALUES ($1, 'X', 1, -1)`, [order.id], '23514', 'negative price is rejected');
  await expectSqlError(ds, `INSERT INTO order_items (order_id, product_name, quantity, unit_price_cents, line_total_cents) VALUES ($1, 'X', 1, 1, 99)`, [order.id], '428C9', 'line_total_cents cannot be written');
  expect((await total()) === 1200, 'rejected items leave the total alone');

  // Entities: TypeORM never writes the derived columns and reads bigint as a number.
  const orders = ds.getRepository('Order');
  const saved = await orders.save(orders.create({ contactId: again.id, currency: 'EUR', totalCents: 999 }));
  await ds.getRepository('OrderItem').save({ orderId: saved.id, productName: 'Pie', quantity: 3, unitPriceCents: 100 });
  const reloaded = await orders.findOneByOrFail({ id: saved.id });
  expect(reloaded.totalCents === 300, 'TypeORM ignores totalCents on insert; the trigger sets it (300, a number)');

  // One conversation per contact and channel, the channel-less one included.
  await ds.query(`INSERT INTO conversations (contact_id) VALUES ($1)`, [again.id]);
  await expectSqlError(ds, `INSERT INTO conversations (contact_id) VALUES ($1)`, [again.id], '23505', 'second channel-less conversation for a contact is rejected');

  // Message status ladder: status_rank is derived, conditional updates only move up.
  const [conversation] = await ds.query(`SELECT id FROM conversations WHERE contact_id = $1`, [again.id]);
  const [message] = await ds.query(
    `INSERT INTO messages (conversation_id, direction, from_address, to_address, body) VALUES ($1, 'OUTBOUND', 'a', 'b', 'hi') RETURNING id, status_rank`,
    [conversation.id],
  );
  expect(message.status_rank === 0, 'QUEUED has status_rank 0');
  const ack = `UPDATE messages SET status = $2 WHERE id = $1 AND status_rank < (CASE $2::varchar WHEN 'SENT' THEN 1 WHEN 'DELIVERED' THEN 2 WHEN 'READ' THEN 3 END)`;
  await ds.query(ack, [message.id, 'READ']);
  await ds.query(ack, [message.id, 'DELIVERED']);
  const [afterAcks] = await ds.query(`SELECT status, status_rank FROM messages WHERE id = $1`, [message.id]);
  expect(afterAcks.status === 'READ' && afterAcks.status_rank === 3, 'a late DELIVERED ack does not undo READ');
  await expectSqlError(ds, `UPDATE messages SET status = 'BOGUS' WHERE id = $1`, [message.id], '23502', 'an unknown message status is rejected');
}

/** Migrates up, checks, migrates down, expects nothing left, migrates up again. */
async function checkMigrations(ds: DataSource, where: string): Promise<void> {
  console.log(`\n# tenant in ${where}`);
  const applied = await ds.runMigrations({ transaction: 'each' });
  expect(applied.length === tenantMigrations.length, `applied ${applied.length}/${tenantMigrations.length} tenant migrations`);
  await checkSchemaDiff(ds, 'after up');
  await checkHandWrittenObjects(ds);
  await checkBehaviour(ds);

  for (let i = 0; i < tenantMigrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
  const left = await ds.query(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S', 'i')
        AND c.oid <> 'migrations'::regclass
        AND c.oid <> pg_get_serial_sequence('migrations', 'id')::regclass
        AND c.oid NOT IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'migrations'::regclass)
     UNION ALL SELECT p.proname FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace`,
  );
  expect(left.length === 0, `down leaves an empty schema${left.length ? ` (left: ${left.map((r: { name: string }) => r.name).join(', ')})` : ''}`);
  await ds.runMigrations({ transaction: 'each' });
  await checkSchemaDiff(ds, 'after down and up again');
}

async function main(): Promise<void> {
  const serverUrl = process.argv[2] ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `scratch_tenant_check_${randomBytes(6).toString('hex')}`;
  const database = quoteIdentifier(name);
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${database}`));
  const url = withDatabase(serverUrl, name);
  const dataSources: DataSource[] = [];
  try {
    // Database mode: the tenant owns the database's public schema.
    const inDatabase = new DataSource({ ...baseDataSourceOptions(), url, entities: tenantEntities, migrations: tenantMigrations });
    dataSources.push(inDatabase);
    await inDatabase.initialize();
    await checkMigrations(inDatabase, 'its own database (public schema)');

    // Schema mode: the same migrations in another schema of a database, reached through search_path.
    const schema = 'scratch_tenant_schema';
    await inDatabase.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    const inSchema = new DataSource({
      ...baseDataSourceOptions(),
      url,
      schema,
      entities: tenantEntities,
      migrations: tenantMigrations,
      extra: { options: `-c search_path=${quoteIdentifier(schema)}` },
    });
    dataSources.push(inSchema);
    await inSchema.initialize();
    await checkMigrations(inSchema, `schema ${schema} beside another tenant`);

    // Fast provisioning: the migrations recorded as one script must build the same schema.
    console.log('\n# schema provisioned by the recorded script (one round trip)');
    const migratedName = 'scratch_tenant_migrated';
    const scriptedName = 'scratch_tenant_scripted';
    await inDatabase.query(`CREATE SCHEMA ${quoteIdentifier(migratedName)}`);
    await migrateTarget({ url, schemaName: migratedName }, tenantSchema);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await new SchemaScripts(tenantSchema).apply(client, url, scriptedName, { replace: false });
      const scripted = await describeSchemaStructure(client, scriptedName);
      const migrated = await describeSchemaStructure(client, migratedName);
      for (const kind of Object.keys(migrated)) {
        const same = JSON.stringify(scripted[kind]) === JSON.stringify(migrated[kind]);
        expect(same, `scripted schema: ${kind} as migrated (${migrated[kind].length})`);
        if (!same) console.log(`  scripted: ${JSON.stringify(scripted[kind])}\n  migrated: ${JSON.stringify(migrated[kind])}`);
      }
    } finally {
      await client.end();
    }
    const inScripted = new DataSource({
      ...baseDataSourceOptions(),
      url,
      schema: scriptedName,
      entities: tenantEntities,
      extra: { options: `-c search_path=${quoteIdentifier(scriptedName)}` },
    });
    dataSources.push(inScripted);
    await inScripted.initialize();
    await checkSchemaDiff(inScripted, 'in the scripted schema');
    await checkHandWrittenObjects(inScripted);
    await checkBehaviour(inScripted);
  } finally {
    for (const ds of dataSources) if (ds.isInitialized) await ds.destroy();
    await withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
  if (failures.length) {
    console.error(`\n${failures.length} check(s) failed:\n- ${failures.join('\n- ')}`);
    process.exit(1);
  }
  console.log('\ntenant schema check passed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
