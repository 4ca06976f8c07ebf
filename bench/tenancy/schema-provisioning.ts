import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { mapWithConcurrency } from '../../src/platform/concurrency';
import { quoteIdentifier } from '../../src/platform/db/identifiers';
import { migrateTarget } from '../../src/platform/tenancy/tenant-migrator';
import type { Tenancy } from '../../src/platform/tenancy/tenancy-runtime';
import { markdownTable } from '../support/benchmarks-file';
import { round1, summarize } from './bench-probes';

const PREFIX = 'bench-schema-prov-';

/**
 * Schema-mode provisioning, ours (createTenant + provision: control rows and the recorded script
 * in one round trip) against the previous way in the same run (CREATE SCHEMA, then every
 * migration through migrateTarget), both at the same concurrency. The tenants and schemas made
 * here are dropped afterwards.
 */
export async function compareSchemaProvisioning(tenancy: Tenancy, options: { ours: number; baseline: number; concurrency: number; say: (message: string) => void }) {
  const { provisioner, control, servers } = tenancy;
  const server = await servers.defaultServer();
  const database = provisioner.schemasDatabase();
  const url = servers.urlFor(server, database);
  const dropOurs = async () => {
    const ids: Array<{ id: string }> = await control.query("SELECT id FROM tenants WHERE name LIKE $1 AND status = 'ACTIVE'", [`${PREFIX}%`]);
    await mapWithConcurrency(ids, 4, ({ id }) => provisioner.deprovision(id, { drop: true }));
    await control.query('DELETE FROM tenants WHERE name LIKE $1', [`${PREFIX}%`]);
  };
  // The warm-up tenant (not measured: the script is recorded once per process) creates the database.
  const warm = await provisioner.createTenant({ name: `${PREFIX}warm-up` });
  await provisioner.provision(warm.id);
  const admin = new Client({ connectionString: url, application_name: 'bench-raw' });
  await admin.connect();
  const baselineSchema = (i: number) => `benchprov_baseline_${i}`;
  const dropBaseline = async () => {
    const { rows } = await admin.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'benchprov\\_baseline\\_%'");
    for (const { nspname } of rows) await admin.query(`DROP SCHEMA ${quoteIdentifier(nspname)} CASCADE`);
  };
  try {
    await dropBaseline();

    options.say(`schema provisioning: ${options.ours} tenants ours, ${options.baseline} by running every migration, ${options.concurrency} at a time`);
    const oursTimes: number[] = [];
    const oursStarted = performance.now();
    await mapWithConcurrency(Array.from({ length: options.ours }, (_, i) => i), options.concurrency, async (i) => {
      const begin = performance.now();
      const tenant = await provisioner.createTenant({ name: `${PREFIX}${i}` });
      await provisioner.provision(tenant.id);
      oursTimes.push(performance.now() - begin);
    });
    const oursSeconds = (performance.now() - oursStarted) / 1000;

    const baselineTimes: number[] = [];
    const baselineStarted = performance.now();
    await mapWithConcurrency(Array.from({ length: options.baseline }, (_, i) => i), options.concurrency, async (i) => {
      const begin = performance.now();
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${quoteIdentifier(baselineSchema(i))}`);
      } finally {
        await client.end();
      }
      await migrateTarget({ url, schemaName: baselineSchema(i) }, tenancy.schema);
      baselineTimes.push(performance.now() - begin);
    });
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;

    const ours = summarize(oursTimes);
    const baseline = summarize(baselineTimes);
    const oursRate = round1(oursTimes.length / oursSeconds);
    const baselineRate = round1(baselineTimes.length / baselineSeconds);
    return {
      oursRate,
      baselineRate,
      markdown: [
        `### Provisioning schema-mode tenants (concurrency ${options.concurrency})`,
        '',
        markdownTable([
          { approach: 'ours: `createTenant` + `provision` (control rows, `CREATE SCHEMA` + the recorded migrations script in one round trip, status)', tenants: ours.n, 'schemas/s': oursRate, 'p50 ms': ours.p50, 'p95 ms': ours.p95 },
          { approach: 'before: `CREATE SCHEMA`, then every tenant migration (`migrateTarget`: a connection, a DataSource, a transaction per migration)', tenants: baseline.n, 'schemas/s': baselineRate, 'p50 ms': baseline.p50, 'p95 ms': baseline.p95 },
        ]),
        '',
        `Target: at least 30 schemas/s. Ours: ${oursRate}/s, ${round1(oursRate / Math.max(0.1, baselineRate))}x the migrations' ${baselineRate}/s in the same run; 10,000 schemas take about ${Math.round(10_000 / Math.max(0.1, oursRate) / 60)} minutes. ` +
          'That the script builds the same schema as the migrations is checked by `scripts/check-tenant-schema.ts` and test/tenancy/schema-script.test.ts (catalog compared item by item).',
      ],
    };
  } finally {
    await dropOurs().catch(() => undefined);
    await dropBaseline().catch(() => undefined);
    await admin.end();
  }
}
