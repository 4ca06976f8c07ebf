import { Command } from 'commander';
import { runWithTenancy } from './cli-runtime';
import { tenantLifecycle } from './tenant-relocation-runtime';

const program = new Command('tenant:delete')
  .description("Erases a tenant for good: drops its database (or schema) and media, deletes its members, API keys, invitations and channel routes, and anonymises its control row (DELETED); recorded in the platform audit trail")
  .argument('<tenant>', 'tenant id or slug')
  .requiredOption('--confirm <slug>', "the tenant's slug, typed again")
  .parse();

const [tenantArg] = program.processedArgs as [string];
const options = program.opts<{ confirm: string }>();

runWithTenancy(async (ctx) => {
  const tenant = await tenantLifecycle(ctx).erase(tenantArg, options.confirm);
  console.log(`Tenant ${tenant.id} deleted: data erased, control row anonymised as ${tenant.slug}`);
});
