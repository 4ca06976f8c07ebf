import { Command, InvalidArgumentError } from 'commander';
import { Client } from 'pg';
import { DatabaseServer } from '../platform/control/database-server.entity';
import { parsePositiveInt, runWithTenancy } from './cli-runtime';

const program = new Command('server:add')
  .description('Registers a PostgreSQL server tenants can be placed on or moved to (move:tenant --server NAME)')
  .requiredOption('--name <name>', 'name to refer to it by (letters, digits, - and _)')
  .requiredOption('--host <host>', 'host name or address')
  .option('--port <port>', 'port', parsePositiveInt, 5432)
  .requiredOption('--credentials <ref>', "where its user and password come from: 'control' (the control database's) or 'env:VARIABLE' (a URL in that variable)", parseCredentialsRef)
  .option('--capacity <tenants>', 'how many tenants may be placed on it', parsePositiveInt, 5000)
  .option('--pooler-port <port>', 'port of a PgBouncer (transaction pooling) in front of it, for tenant requests', parsePositiveInt)
  .option('--pooler-host <host>', "the pooler's host (default: --host)")
  .option('--draining', 'register it without placing new tenants on it yet')
  .parse();

const options = program.opts<{ name: string; host: string; port: number; credentials: string; capacity: number; poolerPort?: number; poolerHost?: string; draining?: boolean }>();
if (options.poolerHost && !options.poolerPort) program.error('error: --pooler-host needs --pooler-port');
if (!/^[A-Za-z0-9_-]{1,100}$/.test(options.name)) program.error('error: --name must be 1-100 letters, digits, - or _');

function parseCredentialsRef(value: string): string {
  if (value === 'control' || /^env:[A-Z_][A-Z0-9_]*$/.test(value)) return value;
  throw new InvalidArgumentError("must be 'control' or 'env:VARIABLE'");
}

runWithTenancy(async ({ tenancy }) => {
  const repository = tenancy.control.getRepository(DatabaseServer);
  if (await repository.existsBy({ name: options.name })) {
    console.error(`A database server named ${options.name} is registered already`);
    return 1;
  }
  const server = repository.create({
    name: options.name,
    host: options.host,
    port: options.port,
    credentialsRef: options.credentials,
    capacity: options.capacity,
    status: options.draining ? 'draining' : 'active',
    poolerHost: options.poolerHost ?? null,
    poolerPort: options.poolerPort ?? null,
  });
  // Registered only once it answers: a move to a server nobody can reach would fail half-way.
  const client = new Client({ connectionString: tenancy.servers.urlFor(server, 'postgres'), connectionTimeoutMillis: 10_000 });
  let version: string;
  try {
    await client.connect();
    version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  } catch (error) {
    console.error(`Could not connect to ${options.host}:${options.port}: ${(error as Error).message}`);
    return 1;
  } finally {
    await client.end().catch(() => undefined);
  }
  await repository.save(server);
  console.log(`Registered ${options.name} (${options.host}:${options.port}, PostgreSQL ${version}, capacity ${options.capacity}${options.draining ? ', draining' : ''}); new tenants go to the active server with the most free capacity; move tenants there with: npm run move:tenant -- <tenantId> --server ${options.name}`);
  return 0;
});
