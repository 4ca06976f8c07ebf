import { Command } from 'commander';
import { DatabaseServer } from '../platform/control/database-server.entity';
import { runWithTenancy } from './cli-runtime';

const program = new Command('server:drain')
  .description('Stops placing new tenants on a database server (its tenants stay and keep working; move them with move:tenant --server)')
  .argument('<name>', 'the server, by its name in database_servers (see server:list)')
  .option('--undo', 'take new tenants again')
  .parse();

const [name] = program.args as [string];
const options = program.opts<{ undo?: boolean }>();

runWithTenancy(async ({ tenancy }) => {
  const status = options.undo ? 'active' : 'draining';
  const { affected } = await tenancy.control.getRepository(DatabaseServer).update({ name }, { status });
  if (!affected) {
    console.error(`No database server named ${name} (see npm run server:list)`);
    return 1;
  }
  const [{ tenants }] = await tenancy.control.query(
    'SELECT count(*)::int AS tenants FROM tenant_placements p JOIN database_servers s ON s.id = p.database_server_id WHERE s.name = $1',
    [name],
  );
  console.log(
    options.undo
      ? `${name} takes new tenants again (${tenants} placed there)`
      : `${name} is draining: no new tenants go there; its ${tenants} tenants stay until moved (npm run move:tenant -- <tenantId> --server <other>)`,
  );
  return 0;
});
