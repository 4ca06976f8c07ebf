import { Command, Option } from 'commander';
import { Tenant, TenantStatus } from '../platform/control/tenant.entity';
import { TenantPlacement, type TenancyMode } from '../platform/control/tenant-placement.entity';
import { AppError, ErrorCode } from '../platform/errors';
import { parseUuid, runWithTenancy } from './cli-runtime';

const program = new Command('provision:tenant')
  .description('Creates a tenant and provisions its database (or schema); --retry provisions a FAILED tenant again')
  .argument('[name]', 'organisation name (any text; never used in SQL)')
  .addOption(new Option('--plan <plan>', 'subscription plan').choices(['free', 'pro', 'enterprise']).default('free'))
  .addOption(new Option('--mode <mode>', 'where the data lives (default: TENANCY_MODE)').choices(['database', 'schema']))
  .option('--retry <tenantId>', 'provision an existing FAILED (or stuck PROVISIONING) tenant again', parseUuid)
  .parse();

const [name] = program.args as [string | undefined];
const options = program.opts<{ plan: string; mode?: TenancyMode; retry?: string }>();
if (!options.retry && !name?.trim()) program.error('error: a tenant name is required (or --retry <tenantId>)');
if (options.retry && name) program.error('error: give either a name or --retry <tenantId>, not both');

runWithTenancy(async ({ tenancy }) => {
  const { control, provisioner } = tenancy;
  let tenantId = options.retry;
  if (!tenantId) {
    tenantId = (await provisioner.createTenant({ name: name!.trim(), planCode: options.plan, mode: options.mode })).id;
  } else if (!(await control.getRepository(Tenant).existsBy({ id: tenantId }))) {
    console.error(`No tenant ${tenantId}`);
    return 1;
  }

  const started = performance.now();
  let failure: string | null = null;
  try {
    await provisioner.provision(tenantId);
  } catch (error) {
    if (!(error instanceof AppError && error.code === ErrorCode.PROVISIONING_FAILED)) throw error;
    failure = error.message;
  }
  const ms = Math.round(performance.now() - started);

  const tenant = await control.getRepository(Tenant).findOneByOrFail({ id: tenantId });
  const placement = await control.getRepository(TenantPlacement).findOneByOrFail({ tenantId });
  console.log(`Tenant   ${tenant.id}`);
  console.log(`Name     ${tenant.name} (slug ${tenant.slug})`);
  console.log(`Mode     ${placement.mode}: ${placement.mode === 'database' ? placement.databaseName : `${placement.databaseName}.${placement.schemaName}`}`);
  console.log(`Status   ${tenant.status} in ${ms} ms`);
  if (tenant.status === TenantStatus.ACTIVE) return 0;
  console.log(`Error    ${placement.lastError ?? failure}`);
  console.log(`Retry with: npm run provision:tenant -- --retry ${tenant.id}`);
  return 1;
});
