import path from 'node:path';
import { Command } from 'commander';
import { parseUuid, runWithTenancy } from './cli-runtime';
import { tenantRelocation } from './tenant-relocation-runtime';

const program = new Command('backup:tenant')
  .description("Writes a consistent backup of one tenant's data and media to a new folder (the tenant keeps serving)")
  .argument('<tenantId>', 'tenant id', parseUuid)
  .option('--out <dir>', 'folder to create (default: DATA_DIR/backups/<tenantId>-<time>)')
  .parse();

const [tenantId] = program.processedArgs as [string];
const options = program.opts<{ out?: string }>();

runWithTenancy(async (ctx) => {
  const started = performance.now();
  const dir = path.resolve(options.out ?? path.join(ctx.config.DATA_DIR, 'backups', `${tenantId}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  const manifest = await tenantRelocation(ctx).backup(tenantId, dir);
  const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
  console.log(`Tenant ${tenantId} (${manifest.tenantName}) backed up to ${dir}`);
  console.log(`Schema version ${manifest.schemaVersion}; ${manifest.tables.length} tables, ${rows} rows, ${manifest.files.length} files; ${Math.round(performance.now() - started)} ms`);
  console.log(`Restore with: npm run restore:tenant -- ${tenantId} ${dir}`);
});
