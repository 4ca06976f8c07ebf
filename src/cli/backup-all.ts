import path from 'node:path';
import { Command } from 'commander';
import { parsePositiveInt, runWithTenancy } from './cli-runtime';
import { platformBackup } from './tenant-relocation-runtime';

const program = new Command('backup:all')
  .description('Backs up the control database and every tenant (data and media) into one new folder with a manifest; the platform keeps serving')
  .option('--out <dir>', 'folder the backup folders go in (default: DATA_DIR/backups)')
  .option('--concurrency <n>', 'tenants backed up at once', parsePositiveInt, 4)
  .option('--keep <n>', 'afterwards keep only the newest N complete platform backups in that folder', parsePositiveInt)
  .parse();

const options = program.opts<{ out?: string; concurrency: number; keep?: number }>();

runWithTenancy(async (ctx) => {
  const started = performance.now();
  const root = path.resolve(options.out ?? path.join(ctx.config.DATA_DIR, 'backups'));
  const backups = platformBackup(ctx);
  const { dir, manifest } = await backups.backupAll(root, {
    concurrency: options.concurrency,
    onProgress: ({ done, total, slug, ok, error }) => console.log(`[${done}/${total}] ${slug} ${ok ? 'ok' : `FAILED: ${error}`}`),
  });
  const failed = manifest.tenants.filter((tenant) => tenant.error !== null);
  console.log(`Platform backed up to ${dir}`);
  console.log(
    `Control database: ${manifest.control.rows} rows; tenants: ${manifest.tenants.length - failed.length} of ${manifest.tenants.length}` +
      ` (${manifest.tenants.reduce((sum, tenant) => sum + tenant.rows, 0)} rows); ${Math.round(performance.now() - started)} ms`,
  );
  if (options.keep !== undefined) {
    for (const removed of await backups.prune(root, options.keep)) console.log(`Removed old backup ${removed}`);
  }
  console.log(`Restore with: npm run restore:control -- ${dir} --with-tenants`);
  return failed.length > 0 ? 2 : 0;
});
