import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { startTestApp, type TestApp } from '../support/test-app';
import { runCli } from '../support/cli-process';
import { tenantEntities } from '../../src/app';
import { tenantMigrations } from '../../migrations/tenant';
import { tenantSchema } from '../../src/app';
import { defineTenantSchema } from '../../src/platform/tenancy/tenant-schema';
import { TenantMigrator, type TenantMigrationResult } from '../../src/platform/tenancy/tenant-migrator';
import { TenantPlacement } from '../../src/platform/control/tenant-placement.entity';

/** A new migration, as a release would add one. */
class ProbeMigration1799999999999 implements MigrationInterface {
  name = 'ProbeMigration1799999999999';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "probe_items" ("id" integer PRIMARY KEY)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "probe_items"');
  }
}

const probeSchema = defineTenantSchema([...tenantEntities], [...tenantMigrations, ProbeMigration1799999999999]);
const compact = (id: string) => id.replace(/-/g, '');

describe('migrating every tenant', () => {
  let t: TestApp;
  let databaseTenants: string[];
  let schemaTenants: string[];
  before(async () => {
    t = await startTestApp();
    const { provisioner } = t.app.platform;
    const create = async (mode: 'database' | 'schema', i: number) => {
      const tenant = await provisioner.createTenant({ name: `Migrate ${mode} ${i}`, mode });
      await provisioner.provision(tenant.id);
      return tenant.id;
    };
    databaseTenants = await Promise.all([0, 1, 2, 3].map((i) => create('database', i)));
    schemaTenants = await Promise.all([0, 1].map((i) => create('schema', i)));
  });
  after(() => t.stop());

  const placement = (tenantId: string) => t.app.platform.control.getRepository(TenantPlacement).findOneByOrFail({ tenantId });
  const byTenant = (results: TenantMigrationResult[]) => new Map(results.map((result) => [result.tenantId, result]));

  test('one broken tenant fails, the others get the new migration, and placements record both', async () => {
    const broken = databaseTenants[2];
    const brokenSchema = schemaTenants[1];
    // Break two tenants the same way: the table the new migration creates already exists.
    for (const tenantId of [broken, brokenSchema]) {
      await t.app.platform.router.withTenant(tenantId, (manager) => manager.query('CREATE TABLE "probe_items" ("id" integer)'));
    }
    const { control, servers } = t.app.platform;
    const { log } = t.app;
    const migrator = new TenantMigrator(control, servers, probeSchema, log);
    const seen: string[] = [];
    let total = 0;
    const results = byTenant(
      await migrator.migrateAll({ concurrency: 3, onStart: (count) => (total = count), onResult: (result) => seen.push(result.tenantId) }),
    );
    assert.equal(total, 6);
    assert.equal(seen.length, 6);

    for (const tenantId of [...databaseTenants, ...schemaTenants]) {
      const result = results.get(tenantId)!;
      const row = await placement(tenantId);
      if (tenantId === broken || tenantId === brokenSchema) {
        assert.equal(result.outcome, 'failed');
        assert.match(result.error!, /ProbeMigration1799999999999 failed: .*probe_items.* already exists/);
        assert.equal(row.schemaVersion, tenantSchema.version, 'the version stays where it was');
        assert.match(row.lastError!, /already exists/);
      } else {
        assert.equal(result.outcome, 'migrated', `${tenantId}: ${result.error}`);
        assert.deepEqual(result.applied, ['ProbeMigration1799999999999']);
        assert.equal(row.schemaVersion, '1799999999999');
        assert.equal(row.lastError, null);
        const [{ exists }] = await t.app.platform.router.withTenant(tenantId, (manager) =>
          manager.query(`SELECT to_regclass('probe_items') IS NOT NULL AS exists`),
        );
        assert.equal(exists, true);
      }
    }

    // A second run has nothing to do for the healthy ones and fails the broken ones again.
    const again = byTenant(await migrator.migrateAll({ concurrency: 3 }));
    assert.equal(again.get(databaseTenants[0])!.outcome, 'up-to-date');
    assert.equal(again.get(schemaTenants[0])!.outcome, 'up-to-date');
    assert.equal(again.get(broken)!.outcome, 'failed');

    // Repaired, the broken tenant migrates and its error is cleared.
    await t.app.platform.router.withTenant(broken, (manager) => manager.query('DROP TABLE "probe_items"'));
    const repaired = await migrator.migrateTenant(broken);
    assert.equal(repaired.outcome, 'migrated');
    assert.equal((await placement(broken)).lastError, null);
    assert.equal((await placement(broken)).schemaVersion, '1799999999999');

    // migrateAll trusts a current recorded version (it only checks the database exists);
    // verify reads every database and finds what was changed behind its back.
    const tampered = databaseTenants[1];
    await t.app.platform.router.withTenant(tampered, (manager) =>
      manager.query(`DROP TABLE "probe_items"; DELETE FROM "migrations" WHERE "name" = 'ProbeMigration1799999999999'`),
    );
    const trusted = byTenant(await migrator.migrateAll({ concurrency: 3 })).get(tampered)!;
    assert.deepEqual([trusted.outcome, trusted.checked], ['up-to-date', 'recorded']);
    const verified = byTenant(await migrator.migrateAll({ concurrency: 3, verify: true }));
    assert.deepEqual([verified.get(tampered)!.outcome, verified.get(tampered)!.checked], ['migrated', 'database']);
    assert.deepEqual([verified.get(databaseTenants[0])!.outcome, verified.get(databaseTenants[0])!.checked], ['up-to-date', 'database']);
  });

  test('the CLI lists tenants behind the latest version and those with errors', async () => {
    const result = await runCli(t, 'list-tenants', ['--json']);
    assert.equal(result.code, 0, result.stderr);
    const rows: Array<{ id: string; schema_version: string; behind: boolean; last_error: string | null }> = JSON.parse(result.stdout);
    const brokenSchema = rows.find((row) => row.id === schemaTenants[1])!;
    assert.match(brokenSchema.last_error!, /already exists/);
    // A tenant recorded at an older version than the code's latest is marked as behind.
    await t.app.platform.control.query(`UPDATE tenant_placements SET schema_version = '1700000000000' WHERE tenant_id = $1`, [schemaTenants[0]]);
    const table = await runCli(t, 'list-tenants');
    assert.equal(table.code, 0);
    assert.match(table.stdout, /id\s+name\s+slug\s+status\s+plan\s+mode\s+schema version\s+last error/);
    assert.match(table.stdout, new RegExp(`${schemaTenants[1]} .* schema +${tenantSchema.version} +Migration ProbeMigration1799999999999 failed`));
    assert.match(table.stdout, new RegExp(`${schemaTenants[0]} .* schema +1700000000000 \\*`));
    assert.match(table.stdout, /6 tenants; latest schema version \d{13}; 1 behind/);
    await t.app.platform.control.query(`UPDATE tenant_placements SET schema_version = '1799999999999' WHERE tenant_id = $1`, [schemaTenants[0]]);
  });

  test('the migrate-all CLI: exit 0 when all are fine, 1 with a summary when a database is gone', async () => {
    // The real tenant schema: the probe tenants are ahead of it, so nothing is pending anywhere.
    const fine = await runCli(t, 'migrate-all-tenants', ['--concurrency', '4']);
    assert.equal(fine.code, 0, fine.stdout + fine.stderr);
    assert.match(fine.stdout, /6 tenants in [\d.]+ s: migrated 0, up to date 6, failed 0/);
    assert.match(fine.stdout, /\[6\/6\]/, 'plain progress lines when stdout is not a terminal');
    // The tenant with a recorded error is opened (and its error cleared); the others are trusted.
    assert.match(fine.stdout, /\(5 up to date by their recorded schema version/);
    assert.equal((await placement(schemaTenants[1])).lastError, null);
    const verified = await runCli(t, 'migrate-all-tenants', ['--verify']);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /migrated 0, up to date 6, failed 0/);
    assert.doesNotMatch(verified.stdout, /recorded schema version/);

    const gone = databaseTenants[3];
    const admin = await t.admin();
    try {
      await t.app.platform.router.evictTenant(await placement(gone));
      await admin.query(`DROP DATABASE "${t.prefix}_t_${compact(gone)}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    const failing = await runCli(t, 'migrate-all-tenants');
    assert.equal(failing.code, 1, failing.stdout + failing.stderr);
    assert.match(failing.stdout, /6 tenants in [\d.]+ s: migrated 0, up to date 5, failed 1/);
    assert.match(failing.stdout, new RegExp(`Failed tenants:\\n  ${gone} \\(Migrate database 3\\): .*does not exist`));
    const failingVerified = await runCli(t, 'migrate-all-tenants', ['--verify']);
    assert.equal(failingVerified.code, 1);
    assert.match(failingVerified.stdout, new RegExp(`  ${gone} \\(Migrate database 3\\): .*does not exist`));

    const one = await runCli(t, 'migrate-tenant', [databaseTenants[0]]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /already up to date; schema version 1799999999999/);
    const oneGone = await runCli(t, 'migrate-tenant', [gone]);
    assert.equal(oneGone.code, 1);
    assert.match(oneGone.stderr, /migration failed: .*does not exist/);
  });
});
