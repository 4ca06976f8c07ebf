import { Command } from 'commander';
import { parsePositiveInt, runWithTenancy } from './cli-runtime';
import { platformBackup } from './tenant-relocation-runtime';

const program = new Command('restore:control')
  .description('Restores the control database from a platform backup (backup:all) into an empty control database; with --with-tenants, every tenant too')
  .argument('<dir>', 'platform backup folder written by backup:all')
  .option('--with-tenants', 'also restore every tenant the backup holds (into new databases or schemas)')
  .option('--concurrency <n>', 'tenants restored at once', parsePositiveInt, 4)
  .option('--force', 'replace a control database that already has tenants')
  .parse();

const [dir] = program.processedArgs as [string];
const options = program.opts<{ withTenants?: boolean; concurrency: number; force?: boolean }>();

runWithTenancy(async (ctx) => {
  const started = performance.now();
  const backups = platformBackup(ctx);
  const { rows } = await backups.restoreControl(dir, { force: options.force });
  // The rows just replaced what this process had cached (the default server's id, tenants).
  ctx.tenancy.servers.invalidate();
  console.log(`Control database restored from ${dir} (${rows} rows)`);
  if (!options.withTenants) {
    console.log(`Restore the tenants with --with-tenants, or one by one with npm run restore:tenant -- <tenantId> ${dir}/tenants/<tenantId>`);
    return 0;
  }
  const results = await backups.restoreTenants(dir, {
    concurrency: options.concurrency,
    onProgress: ({ done, total, slug, ok, error }) => console.log(`[${done}/${total}] ${slug} ${ok ? 'restored' : `FAILED: ${error}`}`),
  });
  const failed = results.filter((result) => result.error);
  console.log(`Tenants restored: ${results.length - failed.length} of ${results.length}; ${Math.round(performance.now() - started)} ms`);
  return failed.length > 0 ? 2 : 0;
});
