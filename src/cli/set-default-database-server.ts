import { Command } from 'commander';
import { DatabaseServer } from '../platform/control/database-server.entity';
import { runWithTenancy } from './cli-runtime';

const program = new Command('server:set-default')
  .description('Makes a database server the default one: preferred for new tenants among equally free servers')
  .argument('<name>', 'the server, by its name in database_servers (see server:list)')
  .parse();

const [name] = program.args as [string];

runWithTenancy(async ({ tenancy }) => {
  const found = await tenancy.control.transaction(async (manager) => {
    const repository = manager.getRepository(DatabaseServer);
    const server = await repository.findOne({ where: { name }, lock: { mode: 'pessimistic_write' } });
    if (!server) return null;
    // One default at most (a unique partial index): the old one first.
    await repository.update({ isDefault: true }, { isDefault: false });
    await repository.update({ id: server.id }, { isDefault: true });
    return server;
  });
  if (!found) {
    console.error(`No database server named ${name} (see npm run server:list)`);
    return 1;
  }
  console.log(`${name} is the default database server${found.status === 'draining' ? ' (it is draining: it takes no new tenants until server:drain --undo)' : ''}`);
  return 0;
});
