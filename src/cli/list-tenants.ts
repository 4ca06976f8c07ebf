import { Command, Option } from 'commander';
import { formatTable, parsePositiveInt, runWithTenancy } from './cli-runtime';
import { TenantStatus } from '../platform/control/tenant.entity';

const program = new Command('tenants')
  .description('Lists tenants with their placement and schema version (* = behind the latest migration)')
  .addOption(new Option('--status <status>', 'only tenants in this status').choices(Object.values(TenantStatus)))
  .option('--inactive-days <n>', 'only tenants with no request for this many days (never used ones count from their creation)', parsePositiveInt)
  .option('--json', 'print JSON instead of a table')
  .parse();

const options = program.opts<{ status?: string; inactiveDays?: number; json?: boolean }>();

interface TenantRow {
  id: string;
  name: string;
  slug: string;
  status: string;
  plan: string | null;
  mode: string | null;
  schema_version: string | null;
  last_error: string | null;
  last_active_at: Date | null;
}

runWithTenancy(async ({ tenancy }) => {
  const latest = tenancy.schema.version;
  const rows: TenantRow[] = await tenancy.control.query(
    `SELECT t.id, t.name, t.slug, t.status, pl.code AS plan, p.mode, p.schema_version, p.last_error, t.last_active_at
       FROM tenants t
       LEFT JOIN tenant_placements p ON p.tenant_id = t.id
       LEFT JOIN subscription_plans pl ON pl.id = t.plan_id
      WHERE ($1::text IS NULL OR t.status = $1)
        AND ($2::int IS NULL OR coalesce(t.last_active_at, t.created_at) < now() - make_interval(days => $2::int))
      ORDER BY t.created_at, t.id`,
    [options.status ?? null, options.inactiveDays ?? null],
  );
  const behind = (row: TenantRow) => row.schema_version !== null && BigInt(row.schema_version) < BigInt(latest);

  if (options.json) {
    console.log(JSON.stringify(rows.map((row) => ({ ...row, behind: behind(row) })), null, 2));
    return 0;
  }
  if (rows.length === 0) {
    console.log('No tenants.');
    return 0;
  }
  console.log(
    formatTable(
      rows.map((row) => ({
        id: row.id,
        name: row.name,
        slug: row.slug,
        status: row.status,
        plan: row.plan ?? '',
        mode: row.mode ?? '',
        'schema version': `${row.schema_version ?? '-'}${behind(row) ? ' *' : ''}`,
        'last error': row.last_error ?? '',
        'last active': row.last_active_at ? new Date(row.last_active_at).toISOString().slice(0, 16).replace('T', ' ') : 'never',
      })),
    ),
  );
  const lagging = rows.filter(behind).length;
  console.log(`\n${rows.length} tenants; latest schema version ${latest}${lagging ? `; ${lagging} behind (*): npm run migrate:tenant:all` : ''}`);
  return 0;
});
