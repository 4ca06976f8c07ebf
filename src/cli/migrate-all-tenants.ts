import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { In } from 'typeorm';
import { Tenant } from '../platform/control/tenant.entity';
import type { TenantMigrationResult } from '../platform/tenancy/tenant-migrator';
import { parsePositiveInt, runWithTenancy } from './cli-runtime';

const program = new Command('migrate:tenant:all')
  .description('Applies pending tenant migrations to every active or suspended tenant; one failure never stops the others')
  .option('--concurrency <n>', 'tenants migrated at once', parsePositiveInt, 8)
  .option('--verify', "read every tenant's migrations table, even when its recorded version is the latest")
  .parse();

const { concurrency, verify } = program.opts<{ concurrency: number; verify?: boolean }>();

const OUTCOME_TEXT = { migrated: 'migrated', 'up-to-date': 'up to date', failed: 'FAILED' } as const;

runWithTenancy(async ({ tenancy }) => {
  const interactive = Boolean(process.stdout.isTTY);
  const bar = interactive
    ? new SingleBar({
        format: 'Migrating tenants [{bar}] {value}/{total} | {percentage}% | failed: {failed} | {duration_formatted}',
        stream: process.stdout,
        hideCursor: true,
      })
    : null;
  let total = 0;
  let done = 0;
  let failedSoFar = 0;
  const started = performance.now();

  const results = await tenancy.migrator.migrateAll({
    concurrency,
    verify,
    onStart: (count) => {
      total = count;
      if (bar) bar.start(count, 0, { failed: 0 });
      else console.log(`Migrating ${count} tenants, ${concurrency} at a time`);
    },
    onResult: (result: TenantMigrationResult) => {
      done += 1;
      if (result.outcome === 'failed') failedSoFar += 1;
      if (bar) {
        bar.update(done, { failed: failedSoFar });
      } else {
        const detail = result.outcome === 'failed' ? `: ${result.error}` : result.applied.length ? `: ${result.applied.join(', ')}` : '';
        console.log(`[${done}/${total}] ${result.tenantId} ${OUTCOME_TEXT[result.outcome]} (${result.durationMs} ms)${detail}`);
      }
    },
  });
  bar?.stop();

  const count = (outcome: TenantMigrationResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
  const failed = results.filter((result) => result.outcome === 'failed');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\n${results.length} tenants in ${seconds} s: migrated ${count('migrated')}, up to date ${count('up-to-date')}, failed ${failed.length}`);
  const trusted = results.filter((result) => result.checked === 'recorded' && result.outcome === 'up-to-date').length;
  if (trusted > 0) console.log(`(${trusted} up to date by their recorded schema version, their databases not opened; --verify reads every database)`);
  if (failed.length === 0) return 0;

  const names = new Map(
    (await tenancy.control.getRepository(Tenant).findBy({ id: In(failed.map((result) => result.tenantId)) })).map((t) => [t.id, t.name]),
  );
  console.log('Failed tenants:');
  for (const result of failed) {
    console.log(`  ${result.tenantId} (${names.get(result.tenantId) ?? '?'}): ${result.error}`);
  }
  return 1;
});
