import { Command } from 'commander';
import { parseUuid, runWithTenancy } from './cli-runtime';
import { describeLocation, printRelocation, tenantRelocation } from './tenant-relocation-runtime';

const program = new Command('restore:tenant')
  .description("Replaces a tenant's data with a backup's, in a new database or schema; the tenant is in MAINTENANCE meanwhile")
  .argument('<tenantId>', 'tenant id', parseUuid)
  .argument('<dir>', 'backup folder written by backup:tenant')
  .option('--drop-old', 'drop the database or schema the tenant used before (kept by default)')
  .parse();

const [tenantId, dir] = program.processedArgs as [string, string];
const options = program.opts<{ dropOld?: boolean }>();

runWithTenancy(async (ctx) => {
  const started = performance.now();
  const result = await tenantRelocation(ctx).restore(tenantId, dir, { dropOld: options.dropOld });
  printRelocation(`Tenant ${tenantId} restored from ${dir} into ${describeLocation(result.to)}`, result, started);
});
