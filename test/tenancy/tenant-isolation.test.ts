import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app';
import { Contact } from '../../src/modules/contacts/contact.entity';

for (const mode of ['database', 'schema'] as const) {
  describe(`tenant isolation in ${mode} mode`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ TENANCY_MODE: mode });
    });
    after(() => t.stop());

    test('two sign-ups get two places and see only their own data', async () => {
      const [a, b] = await Promise.all([t.client.signUp(), t.client.signUp()]);
      assert.notEqual(a.tenantId, b.tenantId);

      const admin = await t.admin();
      try {
        if (mode === 'database') {
          const { rows } = await admin.query("SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_t\\_%'", [t.prefix]);
          const names = rows.map((row) => row.datname);
          assert.ok(names.includes(`${t.prefix}_t_${a.tenantId.replace(/-/g, '')}`));
          assert.ok(names.includes(`${t.prefix}_t_${b.tenantId.replace(/-/g, '')}`));
        } else {
          const { rows } = await admin.query("SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_t\\_%'", [t.prefix]);
          assert.deepEqual(rows, [], 'schema mode creates no tenant databases');
        }
      } finally {
        await admin.end();
      }

      const { router } = t.app.platform;
      await router.withTenant(a.tenantId, (manager) =>
        manager.getRepository(Contact).insert({ name: 'Only in A', phone: '15550000001' }),
      );
      const inA = await router.withTenant(a.tenantId, (manager) => manager.getRepository(Contact).count());
      const inB = await router.withTenant(b.tenantId, (manager) => manager.getRepository(Contact).count());
      assert.equal(inA, 1);
      assert.equal(inB, 0);

      const me = await t.client.data('{ me { tenant { id } role } }', {}, b.token);
      assert.equal(me.me.tenant.id, b.tenantId);
      assert.equal(me.me.role, 'TENANT_ADMIN');
    });
  });
}
