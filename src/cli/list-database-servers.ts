import { Command } from 'commander';
import { Client } from 'pg';
import { DatabaseServer } from '../platform/control/database-server.entity';
import { formatTable, runWithTenancy } from './cli-runtime';

const program = new Command('server:list')
  .description('Lists the PostgreSQL servers tenants are placed on: status, capacity, tenants, data size and open connections of each')
  .option('--json', 'print JSON instead of a table')
  .parse();

const options = program.opts<{ json?: boolean }>();

interface ServerFigures {
  name: string;
  address: string;
  pooler: string | null;
  default: boolean;
  status: string;
  capacity: number;
  tenants: number;
  free: number;
  /** Bytes of the databases its tenants live in (database mode: theirs; schema mode: the shared one). */
  sizeBytes: number | null;
  /** Sessions open on the server in this deployment's databases. */
  connections: number | null;
  error?: string;
}

runWithTenancy(async ({ tenancy, config }) => {
  const servers = await tenancy.control.getRepository(DatabaseServer).find({ order: { name: 'ASC' } });
  const placements: Array<{ database_server_id: string; tenants: number; databases: string[] }> = await tenancy.control.query(
    `SELECT database_server_id, count(*)::int AS tenants, array_agg(DISTINCT database_name) AS databases
       FROM tenant_placements GROUP BY database_server_id`,
  );
  const figures: ServerFigures[] = [];
  for (const server of servers) {
    const placed = placements.find((row) => row.database_server_id === server.id);
    const tenants = placed?.tenants ?? 0;
    const row: ServerFigures = {
      name: server.name,
      address: `${server.host}:${server.port}`,
      pooler: server.poolerPort ? `${server.poolerHost ?? server.host}:${server.poolerPort}` : null,
      default: server.isDefault,
      status: server.status,
      capacity: server.capacity,
      tenants,
      free: server.capacity - tenants,
      sizeBytes: null,
      connections: null,
    };
    // Read on the server itself: a server that does not answer is listed as such, not skipped.
    const client = new Client({ connectionString: tenancy.servers.urlFor(server, 'postgres'), connectionTimeoutMillis: 5_000, application_name: 'crm-cli' });
    try {
      await client.connect();
      const { rows } = await client.query<{ size: string | null; connections: number }>(
        `SELECT (SELECT sum(pg_database_size(datname)) FROM pg_database WHERE datname = ANY($1::text[]))::text AS size,
                (SELECT count(*)::int FROM pg_stat_activity WHERE datname LIKE $2 || '\\_%') AS connections`,
        [placed?.databases ?? [], config.DB_NAME_PREFIX],
      );
      row.sizeBytes = Number(rows[0].size ?? 0);
      row.connections = rows[0].connections;
    } catch (error) {
      row.error = (error as Error).message;
    } finally {
      await client.end().catch(() => undefined);
    }
    figures.push(row);
  }
  if (options.json) {
    console.log(JSON.stringify(figures, null, 2));
    return 0;
  }
  console.log(
    formatTable(
      figures.map((row) => ({
        name: row.name + (row.default ? ' *' : ''),
        address: row.address,
        pooler: row.pooler ?? '',
        status: row.status,
        tenants: `${row.tenants} / ${row.capacity}`,
        size: row.sizeBytes === null ? '' : formatBytes(row.sizeBytes),
        connections: row.connections === null ? `unreachable: ${row.error}` : String(row.connections),
      })),
    ),
  );
  console.log('\n* default server (preferred among equally free ones). New tenants go to the active server with the most free capacity.');
  return figures.some((row) => row.error) ? 1 : 0;
});

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
