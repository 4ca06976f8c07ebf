import { Command } from 'commander';
import { runWithTenancy } from './cli-runtime';
import { describeLocation, tenantLifecycle } from './tenant-relocation-runtime';

const program = new Command('tenant:unarchive')
  .description('Restores an archived tenant from its archive backup into a new database (or schema); it is ACTIVE again')
  .argument('<tenant>', 'tenant id or slug')
  .option('--from <dir>', 'backup folder (default: the one tenant:archive recorded)')
  .parse();

const [tenantArg] = program.processedArgs as [string];
const options = program.opts<{ from?: string }>();

runWithTenancy(async (ctx) => {
  const { tenant, result } = await tenantLifecycle(ctx).unarchive(tenantArg, options.from);
  const rows = Object.values(result.rows).reduce((sum, count) => sum + count, 0);
  console.log(`Tenant ${tenant.slug} (${tenant.id}) is ${tenant.status}: ${rows} rows restored into ${describeLocation(result.to)}`);
});
