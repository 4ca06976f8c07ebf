import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import { mapWithConcurrency } from '../../src/platform/concurrency';
import { Contact } from '../../src/modules/contacts/contact.entity';

const TENANTS = 30;
const POOL = 4;
const NEUTRAL = 'crm_no_tenant';

describe('schema mode: many tenants through one small pool', () => {
  let t: TestApp;
  let tenants: Array<{ id: string; schema: string }>;
  before(async () => {
    t = await startTestApp({ TENANCY_MODE: 'schema', SCHEMA_POOL_SIZE: String(POOL), CONNECTION_WAIT_TIMEOUT_MS: '10000' });
    const { provisioner, router } = t.app.platform;
    tenants = await mapWithConcurrency(Array.from({ length: TENANTS }, (_, i) => i), 3, async (i) => {
      const tenant = await provisioner.createTenant({ name: `Schema tenant ${i}` });
      await provisioner.provision(tenant.id);
      await router.withTenant(tenant.id, (manager) => manager.getRepository(Contact).insert({ name: tenant.id, phone: `1555000${String(i).padStart(4, '0')}` }));
      return { id: tenant.id, schema: `${t.prefix}_s_${tenant.id.replace(/-/g, '')}` };
    });
  });
  after(() => t.stop());

  test('hammered concurrently, every lease sees only its own schema and rows', async () => {
    const { router } = t.app.platform;
    const jobs = Array.from({ length: TENANTS * 12 }, (_, i) => tenants[(i * 7) % TENANTS]);
    const seen = await Promise.all(
      jobs.map((tenant, i) =>
        router.withTenant(tenant.id, async (manager) => {
          const [{ schema }] = await manager.query('SELECT current_schema() AS schema');
          // Yield in the middle so other leases run on the other pooled connections meanwhile.
          if (i % 3 === 0) await manager.query('SELECT pg_sleep(0.002)');
          const names = (await manager.getRepository(Contact).find()).map((contact) => contact.name);
          const [{ path }] = await manager.query("SELECT current_setting('search_path') AS path");
          return { tenant, schema, names, path };
        }),
      ),
    );
    for (const { tenant, schema, names, path } of seen) {
      assert.equal(schema, tenant.schema);
      assert.equal(path, tenant.schema);
      assert.deepEqual(names, [tenant.id]);
    }
    const figures = router.figures();
    assert.equal(figures.liveDataSources, 1, 'one shared pool for every schema');
    assert.ok(figures.connectionsOpen <= POOL);
  });

  test('schema mode creates no database per tenant', async () => {
    const admin = await t.admin();
    try {
      const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_t\\_%'`, [t.prefix]);
      assert.deepEqual(rows, []);
    } finally {
      await admin.end();
    }
  });

  test('a pooled connection after release has the neutral search_path, also after a failed lease', async () => {
    const { router } = t.app.platform;
    // A lease that leaves its connection in an aborted transaction: RESET fails, the connection is dropped.
    const broken = await router.lease(tenants[0].id);
    await broken.manager.query('BEGIN');
    await assert.rejects(broken.manager.query('SELECT 1 / 0'));
    await broken.release();
    await Promise.all(tenants.slice(0, 8).map((tenant) => router.withTenant(tenant.id, (manager) => manager.query('SELECT 1'))));

    // Check out every pooled connection at once, without a lease: none carries a tenant's schema.
    const lease = await router.lease(tenants[1].id);
    const dataSource = lease.manager.connection;
    await lease.release();
    const runners = Array.from({ length: POOL }, () => dataSource.createQueryRunner());
    try {
      const rows = await Promise.all(
        runners.map(async (runner) => {
          const [first] = await runner.query("SELECT current_setting('search_path') AS path, pg_backend_pid() AS pid, now()::text AS at");
          await new Promise((resolve) => setTimeout(resolve, 5));
          const [second] = await runner.query('SELECT now()::text AS at');
          // Inside a transaction now() stands still; in autocommit each statement gets its own.
          return { ...first, inTransaction: first.at === second.at };
        }),
      );
      assert.equal(new Set(rows.map((row) => row.pid)).size, POOL, 'distinct pooled connections');
      for (const row of rows) {
        assert.equal(row.path, NEUTRAL);
        assert.equal(row.inTransaction, false, `no transaction left open: ${JSON.stringify(rows)}`);
      }
      const [{ count }] = await runners[0].query(`SELECT count(*)::int AS count FROM pg_tables WHERE tablename = 'contacts' AND schemaname = current_schema()`);
      assert.equal(count, 0, 'no tenant table is reachable without a lease');
    } finally {
      await Promise.all(runners.map((runner) => runner.release()));
    }
  });
});
