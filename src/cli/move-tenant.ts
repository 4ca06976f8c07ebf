import { Command, Option } from 'commander';
import type { TenancyMode } from '../platform/control/tenant-placement.entity';
import { parseUuid, runWithTenancy } from './cli-runtime';
import { describeLocation, printRelocation, tenantRelocation } from './tenant-relocation-runtime';

const program = new Command('move:tenant')
  .description('Copies a tenant to another database server and/or tenancy mode, then switches it over; the tenant is in MAINTENANCE meanwhile')
  .argument('<tenantId>', 'tenant id', parseUuid)
  .option('--server <name>', 'target server, by its name in database_servers (default: where it is)')
  .addOption(new Option('--mode <mode>', 'target tenancy mode (default: its current one)').choices(['database', 'schema']))
  .option('--drop-old', 'drop the database or schema the tenant used before (kept by default)')
  .parse();

const [tenantId] = program.processedArgs as [string];
const options = program.opts<{ server?: string; mode?: TenancyMode; dropOld?: boolean }>();
if (!options.server && !options.mode) program.error('error: give --server and/or --mode');

runWithTenancy(async (ctx) => {
  const started = performance.now();
  const result = await tenantRelocation(ctx).move(tenantId, options);
  printRelocation(`Tenant ${tenantId} moved from ${describeLocation(result.from)} to ${describeLocation(result.to)}`, result, started);
});
