import { Command } from 'commander';
import { parseUuid, runWithTenancy } from './cli-runtime';

const program = new Command('migrate:tenant')
  .description("Applies pending tenant migrations to one tenant's database (or schema)")
  .argument('<tenantId>', 'tenant id', parseUuid)
  .parse();

const [tenantId] = program.processedArgs as [string];

runWithTenancy(async ({ tenancy }) => {
  const result = await tenancy.migrator.migrateTenant(tenantId);
  if (result.outcome === 'failed') {
    console.error(`Tenant ${tenantId}: migration failed: ${result.error}`);
    return 1;
  }
  const what = result.outcome === 'migrated' ? `applied ${result.applied.join(', ')}` : 'already up to date';
  console.log(`Tenant ${tenantId}: ${what}; schema version ${result.version} (${result.durationMs} ms)`);
  return 0;
});
