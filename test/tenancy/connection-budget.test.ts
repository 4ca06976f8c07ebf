import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nonTenantConnections } from '../../src/config';
import { startTestApp, type TestApp } from '../support/test-app';
import type { TenantLease } from '../../src/platform/tenancy/tenant-router';

const BUDGET = 9;
/** What tenant pools get: the budget less the control pool (3), the job queue (1) and the LISTEN connection. */
const TENANT_SLOTS = BUDGET - nonTenantConnections({ CONTROL_POOL_SIZE: 3, JOBS_POOL_SIZE: 1 }); // two tenant pools of 2
const WAIT_MS = 1_500;

describe('connection budget (database mode)', () => {
  let t: TestApp;
  let tenants: string[];
  before(async () => {
    t = await startTestApp({
      CONNECTION_BUDGET: String(BUDGET),
      CONTROL_POOL_SIZE: '3',
      JOBS_POOL_SIZE: '1',
      TENANT_POOL_SIZE: '2',
      CONNECTION_WAIT_TIMEOUT_MS: String(WAIT_MS),
      TENANT_IDLE_TIMEOUT_MS: '600000',
    });
    tenants = [];
    for (let i = 0; i < 6; i++) tenants.push((await t.client.signUp()).tenantId);
  });
  after(() => t.stop());

  /** Backends connected to this app's databases (control and tenants), sampled while `work` runs. */
  async function peakConnections(work: () => Promise<void>): Promise<number> {
    const admin = await t.admin();
    let peak = 0;
    let running = true;
    const sampler = (async () => {
      while (running) {
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname LIKE $1 || '\\_%'`, [t.prefix]);
        peak = Math.max(peak, rows[0].n);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      await work();
    } finally {
      running = false;
      await sampler;
      await admin.end();
    }
    return peak;
  }

  test('concurrent first requests for one tenant open exactly one DataSource', async () => {
    const { router } = t.app.platform;
    await router.closeAll();
    const before = router.figures().opened;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => router.withTenant(tenants[0], (manager) => manager.query('SELECT current_database() AS db'))),
    );
    assert.equal(router.figures().opened - before, 1);
    assert.equal(new Set(results.map((rows) => rows[0].db)).size, 1);
  });

  test('more tenants than the budget allows are all served, within the budget', async () => {
    const { router } = t.app.platform;
    const evictionsBefore = router.figures().evictions;
    let maxLive = 0;
    let maxSlots = 0;
    const peak = await peakConnections(async () => {
      const jobs = Array.from({ length: 60 }, (_, i) => tenants[i % tenants.length]);
      const results = await Promise.allSettled(
        jobs.map((tenantId) =>
          router.withTenant(tenantId, async (manager) => {
            const figures = router.figures();
            maxLive = Math.max(maxLive, figures.liveDataSources);
            maxSlots = Math.max(maxSlots, figures.budgetSlotsInUse);
            const [row] = await manager.query('SELECT current_database() AS db, pg_sleep(0.01)');
            return row.db as string;
          }),
        ),
      );
      const failures = results.filter((result) => result.status === 'rejected');
      assert.deepEqual(failures, [], 'every request is served');
      results.forEach((result, i) => {
        assert.equal((result as PromiseFulfilledResult<string>).value, `${t.prefix}_t_${jobs[i].replace(/-/g, '')}`);
      });
    });
    const figures = router.figures();
    assert.ok(maxLive <= 2, `live DataSources ${maxLive} above 2`);
    assert.ok(maxSlots <= TENANT_SLOTS, `budget slots ${maxSlots} above ${TENANT_SLOTS}`);
    assert.ok(figures.evictions > evictionsBefore, 'pools were evicted to make room');
    assert.ok(peak <= BUDGET, `peak ${peak} connections above the budget of ${BUDGET}`);
  });

  test('when every slot is held, a new tenant waits briefly then gets CONNECTION_BUDGET_EXHAUSTED', async () => {
    const { router } = t.app.platform;
    const held: TenantLease[] = [await router.lease(tenants[0]), await router.lease(tenants[1])];
    try {
      const started = Date.now();
      await assert.rejects(router.lease(tenants[2]), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CONNECTION_BUDGET_EXHAUSTED');
        return true;
      });
      const waited = Date.now() - started;
      assert.ok(waited >= WAIT_MS - 50 && waited < WAIT_MS + 2_000, `waited ${waited} ms`);
      assert.ok(router.figures().budgetTimeouts >= 1);
    } finally {
      await Promise.all(held.map((lease) => lease.release()));
    }
    // Once a lease is returned the same tenant is served.
    const db = await router.withTenant(tenants[2], async (manager) => (await manager.query('SELECT current_database() AS db'))[0].db);
    assert.equal(db, `${t.prefix}_t_${tenants[2].replace(/-/g, '')}`);
  });

  test('a waiting request is served as soon as a lease is returned', async () => {
    const { router } = t.app.platform;
    const held = [await router.lease(tenants[3]), await router.lease(tenants[4])];
    const waiting = router.withTenant(tenants[5], async (manager) => (await manager.query('SELECT 1 AS one'))[0].one);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await held[0].release();
    assert.equal(await waiting, 1);
    await held[1].release();
  });

  test('sign-up works while idle tenant pools hold the whole budget', async () => {
    const { router } = t.app.platform;
    await Promise.all([tenants[0], tenants[1]].map((id) => router.withTenant(id, (manager) => manager.query('SELECT 1'))));
    assert.equal(router.figures().budgetSlotsInUse, TENANT_SLOTS, 'idle pools hold every slot');
    const started = Date.now();
    const signedUp = await t.client.signUp();
    assert.ok(Date.now() - started < WAIT_MS, 'no wait for a timeout');
    const me = await t.client.data('{ me { tenant { status } } }', {}, signedUp.token);
    assert.equal(me.me.tenant.status, 'ACTIVE');
  });

  test('over HTTP, metrics show the pool figures', async () => {
    const response = await fetch(`${t.url}/metrics`);
    const text = await response.text();
    assert.match(text, /crm_tenancy_connection_budget \d+/);
    assert.match(text, new RegExp(`crm_tenancy_connection_budget ${TENANT_SLOTS}\\b`));
    assert.match(text, /crm_tenancy_evictions_total [1-9]/);
    assert.match(text, /crm_tenancy_budget_timeouts_total [1-9]/);
  });
});
