import path from 'node:path';
import { Command } from 'commander';
import { runWithTenancy } from './cli-runtime';
import { tenantLifecycle } from './tenant-relocation-runtime';

const program = new Command('tenant:archive')
  .description("Backs a tenant up, then drops its database (or schema) and media; it is ARCHIVED (logins get TENANT_ARCHIVED) until tenant:unarchive")
  .argument('<tenant>', 'tenant id or slug')
  .option('--out <dir>', 'backup folder to create (default: DATA_DIR/archives/<tenantId>-<time>)')
  .parse();

const [tenantArg] = program.processedArgs as [string];
const options = program.opts<{ out?: string }>();

runWithTenancy(async (ctx) => {
  const lifecycle = tenantLifecycle(ctx);
  const tenant = await lifecycle.find(tenantArg);
  const dir = path.resolve(options.out ?? path.join(ctx.config.DATA_DIR, 'archives', `${tenant.id}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  const { rows } = await lifecycle.archive(tenant.id, dir);
  console.log(`Tenant ${tenant.slug} (${tenant.id}) archived: ${rows} rows backed up to ${dir}; its database is dropped`);
  console.log(`Bring it back with: npm run tenant:unarchive -- ${tenant.slug}`);
});
