// Tenancy benchmark: provisioning (ours vs raw template clone vs migrating an empty database),
// requests spread over 1,000 database-mode and 10,000 schema-mode tenants (ours vs a naive
// DataSource per tenant), and migrate-all over 1,000 tenants. Runs against a dedicated embedded
// PostgreSQL with max_connections = 100 under .data/bench-tenancy, kept between runs so the
// (slow) provisioning of thousands of tenants happens once. Counts are configurable:
//   BENCH_PROVISION_N=100 BENCH_DB_TENANTS=1000 BENCH_SCHEMA_TENANTS=10000 BENCH_CONCURRENCY=32
//   BENCH_DB_REQUESTS=3000 BENCH_SCHEMA_REQUESTS=20000 BENCH_NAIVE_TENANTS=1000
//   BENCH_SCHEMA_FILL_SECONDS=420 (provisioning time per run; later runs continue) BENCH_PG_PORT=54340
// BENCH_SMOKE=1: a few tenants of each kind on a throw-away cluster (temporary folder, free port).
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { benchKnob, SMOKE, markdownTable, writeBenchmarkSection } from '../support/benchmarks-file';
import { ServerProbe, runTenantLoad, summarize, round1, type LoadFigures } from './bench-probes';
import { controlMigrations } from '../../migrations/control';
import { tenantMigrations } from '../../migrations/tenant';
import { tenantEntities } from '../../src/app';
import { tenantSchema } from '../../src/app';
import { Contact } from '../../src/modules/contacts/contact.entity';
import { createLogger } from '../../src/platform/logger';
import { mapWithConcurrency } from '../../src/platform/concurrency';
import { withDatabase } from '../../src/platform/db/connection-url';
import { baseDataSourceOptions } from '../../src/platform/db/data-source-options';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded-postgres';
import { quoteIdentifier, templateDatabaseName } from '../../src/platform/db/identifiers';
import { startTenancy, type Tenancy, type TenancySettings } from '../../src/platform/tenancy/tenancy-runtime';
import { defineTenantSchema } from '../../src/platform/tenancy/tenant-schema';
import { TenantMigrator, migrateTarget, type TenantMigrationResult } from '../../src/platform/tenancy/tenant-migrator';
import type { TenancyMode } from '../../src/platform/control/tenant-placement.entity';
import { freePort } from '../../test/support/free-port';

const N_PROVISION = benchKnob('BENCH_PROVISION_N', 100, 2);
const DB_TENANTS = benchKnob('BENCH_DB_TENANTS', 1000, 3);
const SCHEMA_TENANTS = benchKnob('BENCH_SCHEMA_TENANTS', 10_000, 3);
const CONCURRENCY = benchKnob('BENCH_CONCURRENCY', 32, 4);
const DB_REQUESTS = benchKnob('BENCH_DB_REQUESTS', 3000, 30);
const SCHEMA_REQUESTS = benchKnob('BENCH_SCHEMA_REQUESTS', 20_000, 30);
const NAIVE_TENANTS = benchKnob('BENCH_NAIVE_TENANTS', 1000, 3);
const SCHEMA_FILL_SECONDS = benchKnob('BENCH_SCHEMA_FILL_SECONDS', 420, 60);
const MIGRATE_CONCURRENCY = benchKnob('BENCH_MIGRATE_CONCURRENCY', 8, 2);
/** A working set whose pools fit in the budget (80 - 5 control = 37 pools of 2). */
const HOT_TENANTS = SMOKE ? 2 : 30;
const MAX_CONNECTIONS = 100;
const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Kept between runs, except a smoke run's, which starts from nothing and is thrown away. */
const DATA_DIR = SMOKE ? fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-tenancy-')) : path.join(ROOT, '.data', 'bench-tenancy');
// mkdtemp makes a private folder; run as root, the embedded server's `postgres` user must enter it.
if (SMOKE) fs.chmodSync(DATA_DIR, 0o755);
const PROVISION_PREFIX = 'bench-prov-';

const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
const benchT0 = Date.now();
const say = (message: string) => process.stderr.write(`[bench:tenancy ${Math.round((Date.now() - benchT0) / 1000)} s] ${message}\n`);

/** What the server would run with: budget 80 of max_connections 100 (control pool included). */
function settingsFor(prefix: string, mode: TenancyMode): TenancySettings {
  return {
    TENANCY_MODE: mode,
    DB_NAME_PREFIX: prefix,
    CONNECTION_BUDGET: 80,
    CONTROL_POOL_SIZE: 5,
    TENANT_POOL_SIZE: 2,
    SCHEMA_POOL_SIZE: 10,
    TENANT_IDLE_TIMEOUT_MS: 60_000,
    CONNECTION_WAIT_TIMEOUT_MS: 10_000,
    TENANT_CACHE_TTL_MS: 5_000,
  };
}

/** A release's new migration. */
class ProbeMigration1799999999999 implements MigrationInterface {
  name = 'ProbeMigration1799999999999';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "probe_items" ("id" integer PRIMARY KEY, "note" text)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "probe_items"');
  }
}

interface Placement {
  tenantId: string;
  databaseName: string;
  schemaName: string | null;
  serverId: string;
}

async function activePlacements(tenancy: Tenancy, limit: number): Promise<Placement[]> {
  const rows: Array<{ tenant_id: string; database_name: string; schema_name: string | null; database_server_id: string }> =
    await tenancy.control.query(
      `SELECT p.tenant_id, p.database_name, p.schema_name, p.database_server_id
         FROM tenants t JOIN tenant_placements p ON p.tenant_id = t.id
        WHERE t.status = 'ACTIVE' AND t.name NOT LIKE $1 ORDER BY t.created_at, t.id LIMIT $2`,
      [`${PROVISION_PREFIX}%`, limit],
    );
  return rows.map((row) => ({ tenantId: row.tenant_id, databaseName: row.database_name, schemaName: row.schema_name, serverId: row.database_server_id }));
}

async function urlOf(tenancy: Tenancy, placement: Placement): Promise<string> {
  return tenancy.servers.urlFor(await tenancy.servers.get(placement.serverId), placement.databaseName);
}

/** Setup, not measured: tenants kept from an earlier run get migrations added since. */
async function catchUp(tenancy: Tenancy): Promise<string> {
  const started = performance.now();
  const results = await tenancy.migrator.migrateAll({ concurrency: MIGRATE_CONCURRENCY });
  const migrated = results.filter((result) => result.outcome === 'migrated').length;
  const failed = results.filter((result) => result.outcome === 'failed');
  if (failed.length > 0) throw new Error(`${failed.length} bench tenants fail to migrate, e.g. ${failed[0].error}`);
  if (migrated > 0) say(`brought ${migrated} ${tenancy.tenancyMode}-mode tenants to schema version ${tenancy.schema.version}`);
  return migrated > 0 ? `${migrated} kept ${tenancy.tenancyMode}-mode tenants were first migrated to ${tenancy.schema.version} (${round1((performance.now() - started) / 1000)} s, not measured).` : '';
}

/** Provisions tenants until `target` are ACTIVE (or the deadline passes); finishes interrupted ones first. */
async function fill(tenancy: Tenancy, target: number, concurrency: number, deadline: number) {
  const { control, provisioner } = tenancy;
  const stuck: Array<{ id: string }> = await control.query(`SELECT id FROM tenants WHERE status IN ('PROVISIONING', 'FAILED') AND name NOT LIKE $1`, [`${PROVISION_PREFIX}%`]);
  for (const { id } of stuck) await provisioner.provision(id).catch(() => provisioner.provision(id));
  const [{ n: have }] = await control.query(`SELECT count(*)::int AS n FROM tenants WHERE status = 'ACTIVE' AND name NOT LIKE $1`, [`${PROVISION_PREFIX}%`]);
  const missing = Math.max(0, target - have);
  const times: number[] = [];
  const started = performance.now();
  if (missing > 0) say(`provisioning ${missing} ${tenancy.tenancyMode}-mode tenants (${have} exist)`);
  await mapWithConcurrency(Array.from({ length: missing }, (_, i) => have + i), concurrency, async (i) => {
    if (Date.now() > deadline) return;
    const begin = performance.now();
    const tenant = await provisioner.createTenant({ name: `bench ${tenancy.tenancyMode} tenant ${i}` });
    await provisioner.provision(tenant.id);
    times.push(performance.now() - begin);
    if (times.length % 500 === 0) say(`  ${have + times.length} provisioned`);
  });
  const seconds = (performance.now() - started) / 1000;
  // The cluster is kept, so the tenants used may have been provisioned over several runs: keep a log.
  await control.query('CREATE TABLE IF NOT EXISTS bench_provisioning_log (at timestamptz NOT NULL DEFAULT now(), created int NOT NULL, seconds numeric NOT NULL, concurrency int NOT NULL)');
  if (times.length > 0) {
    await control.query('INSERT INTO bench_provisioning_log (created, seconds, concurrency) VALUES ($1, $2, $3)', [times.length, seconds.toFixed(1), concurrency]);
  }
  const [history] = await control.query('SELECT count(*)::int AS runs, coalesce(sum(created), 0)::int AS created, coalesce(sum(seconds), 0)::float AS seconds FROM bench_provisioning_log');
  return { before: have, created: times.length, seconds, perTenant: summarize(times), concurrency, history: history as { runs: number; created: number; seconds: number } };
}

/** Ours vs `CREATE DATABASE ... TEMPLATE` on an open connection vs an empty database + every migration. */
async function compareProvisioning(tenancy: Tenancy, pgUrl: string, prefix: string) {
  const { provisioner, templates, servers, control } = tenancy;
  const server = await servers.defaultServer();
  const admin = new Client({ connectionString: pgUrl, application_name: 'bench-raw' });
  await admin.connect();
  const { rowCount: templateExisted } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [templateDatabaseName(prefix, tenantSchema.version)]);
  const templateStarted = performance.now();
  const template = await templates.ensure(server);
  const templateMs = performance.now() - templateStarted;
  const scratch = (kind: string, i: number) => quoteIdentifier(`${prefix}_${kind}_${i}`);
  // DROP DATABASE waits for a checkpoint; several at once share them.
  const dropScratch = async () => {
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_raw\\_%' OR datname LIKE $1 || '\\_mig\\_%'`, [prefix]);
    await mapWithConcurrency(rows, 8, async ({ datname }) => {
      const dropper = new Client({ connectionString: pgUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE ${quoteIdentifier(datname)} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    });
  };
  const dropOurs = async () => {
    const ids: Array<{ id: string }> = await control.query(`SELECT id FROM tenants WHERE name LIKE $1`, [`${PROVISION_PREFIX}%`]);
    await mapWithConcurrency(ids, 8, ({ id }) => provisioner.deprovision(id, { drop: true }));
    await control.query(`DELETE FROM tenants WHERE name LIKE $1`, [`${PROVISION_PREFIX}%`]);
  };
  try {
    await dropScratch();
    await dropOurs();
    const ours: number[] = [];
    const raw: number[] = [];
    const migrated: number[] = [];
    say(`provisioning ${N_PROVISION} tenants three ways`);
    const approaches: Array<[number[], (i: number) => Promise<unknown>]> = [
      [ours, async (i) => {
        const tenant = await provisioner.createTenant({ name: `${PROVISION_PREFIX}${i}` });
        await provisioner.provision(tenant.id);
      }],
      [raw, (i) => admin.query(`CREATE DATABASE ${scratch('raw', i)} TEMPLATE ${quoteIdentifier(template)}`)],
      [migrated, async (i) => {
        await admin.query(`CREATE DATABASE ${scratch('mig', i)}`);
        await migrateTarget({ url: withDatabase(pgUrl, `${prefix}_mig_${i}`), schemaName: null }, tenantSchema);
      }],
    ];
    // Clones are timed apart from the migrations: a clone right after a migration (lots of
    // fresh WAL and dirty pages) is slower, which would blur the comparison that matters.
    await admin.query('CHECKPOINT');
    for (let i = 0; i < N_PROVISION; i++) {
      const order = i % 2 === 0 ? [approaches[0], approaches[1]] : [approaches[1], approaches[0]];
      for (const [times, run] of order) {
        const begin = performance.now();
        await run(i);
        times.push(performance.now() - begin);
      }
    }
    for (let i = 0; i < N_PROVISION; i++) {
      const begin = performance.now();
      await approaches[2][1](i);
      migrated.push(performance.now() - begin);
    }
    return { ours: summarize(ours), raw: summarize(raw), migrated: summarize(migrated), templateMs: round1(templateMs), templateBuilt: !templateExisted, template };
  } finally {
    say('dropping the provisioning samples');
    await dropScratch();
    await dropOurs();
    await admin.end();
  }
}

/** A TypeORM DataSource per tenant, opened on first use and never closed: the usual first design. */
async function naiveLoad(probe: ServerProbe, tenancy: Tenancy, placements: Placement[]) {
  const pools = new Map<string, Promise<DataSource>>();
  const opened: DataSource[] = [];
  const byId = new Map(placements.map((placement) => [placement.tenantId, placement]));
  const figures = await runTenantLoad(probe, {
    tenants: placements.map((placement) => placement.tenantId),
    requests: placements.length,
    concurrency: CONCURRENCY,
    work: async (tenantId) => {
      let ready = pools.get(tenantId);
      if (!ready) {
        const placement = byId.get(tenantId)!;
        const dataSource = new DataSource({
          ...baseDataSourceOptions(),
          url: await urlOf(tenancy, placement),
          entities: tenantEntities,
          ...(placement.schemaName ? { extra: { options: `-c search_path=${quoteIdentifier(placement.schemaName)}` } } : {}),
        });
        ready = dataSource.initialize().then(() => {
          opened.push(dataSource);
          return dataSource;
        });
        pools.set(tenantId, ready);
        ready.catch(() => pools.delete(tenantId));
      }
      return (await ready).getRepository(Contact).count();
    },
  });
  const live = opened.length;
  await Promise.all(opened.map((dataSource) => dataSource.destroy().catch(() => undefined)));
  return { figures, live };
}

async function oursLoad(probe: ServerProbe, tenancy: Tenancy, placements: Placement[], requests: number) {
  const { router } = tenancy;
  await router.closeAll();
  const before = router.figures();
  let maxLive = 0;
  let maxSlots = 0;
  const figures = await runTenantLoad(probe, {
    tenants: placements.map((placement) => placement.tenantId),
    requests,
    concurrency: CONCURRENCY,
    work: (tenantId) =>
      router.withTenant(tenantId, (manager) => {
        const now = router.figures();
        maxLive = Math.max(maxLive, now.liveDataSources);
        maxSlots = Math.max(maxSlots, now.budgetSlotsInUse);
        return manager.getRepository(Contact).count();
      }),
  });
  const after = router.figures();
  await router.closeAll();
  return { figures, opened: after.opened - before.opened, evictions: after.evictions - before.evictions, maxLive, maxSlots, budgetTimeouts: after.budgetTimeouts - before.budgetTimeouts };
}

function runCliProcess(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli', script), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, ms: performance.now() - started, stdout }));
  });
}

const outcomes = (results: TenantMigrationResult[]) => {
  const count = (outcome: string) => results.filter((result) => result.outcome === outcome).length;
  return `${count('migrated')} / ${count('up-to-date')} / ${count('failed')}`;
};

async function migrateAllFigures(tenancy: Tenancy, placements: Placement[], prefix: string) {
  const { control, servers, migrator } = tenancy;
  say(`migrate-all over ${placements.length} tenants: nothing to do`);
  let begin = performance.now();
  const idle = await migrator.migrateAll({ concurrency: MIGRATE_CONCURRENCY });
  const idleMs = performance.now() - begin;
  const cliEnv = { DATABASE_URL: tenancy.controlUrl, DB_NAME_PREFIX: prefix, TENANCY_MODE: 'database' };
  const cli = await runCliProcess('migrate-all-tenants.js', ['--concurrency', String(MIGRATE_CONCURRENCY)], cliEnv);
  begin = performance.now();
  const verified = await migrator.migrateAll({ concurrency: MIGRATE_CONCURRENCY, verify: true });
  const verifiedMs = performance.now() - begin;
  const cliVerified = await runCliProcess('migrate-all-tenants.js', ['--concurrency', String(MIGRATE_CONCURRENCY), '--verify'], cliEnv);

  say('migrate-all: one new migration');
  const probeSchema = defineTenantSchema([...tenantEntities], [...tenantMigrations, ProbeMigration1799999999999]);
  const probeMigrator = new TenantMigrator(control, servers, probeSchema, log);
  begin = performance.now();
  const probe = await probeMigrator.migrateAll({ concurrency: MIGRATE_CONCURRENCY });
  const probeMs = performance.now() - begin;

  say('undoing the new migration so the next run can apply it again');
  await mapWithConcurrency(placements, MIGRATE_CONCURRENCY, async (placement) => {
    const client = new Client({ connectionString: await urlOf(tenancy, placement) });
    await client.connect();
    try {
      await client.query(`DROP TABLE IF EXISTS "probe_items"; DELETE FROM "migrations" WHERE "name" = 'ProbeMigration1799999999999'`);
    } finally {
      await client.end();
    }
  });
  await control.query(`UPDATE tenant_placements SET schema_version = $1 WHERE schema_version = '1799999999999'`, [tenantSchema.version]);

  const cliRow = (run: string, result: { code: number | null; ms: number; stdout: string }) => {
    const summary = /(\d+) tenants in [\d.]+ s: migrated (\d+), up to date (\d+), failed (\d+)/.exec(result.stdout);
    return {
      run,
      tenants: Number(summary?.[1] ?? NaN),
      seconds: round1(result.ms / 1000),
      'migrated / up to date / failed': summary ? `${summary[2]} / ${summary[3]} / ${summary[4]}` : `exit ${result.code}`,
    };
  };
  return {
    rows: [
      { run: 'migrateAll in process, nothing to do (recorded versions trusted, databases confirmed to exist)', tenants: idle.length, seconds: round1(idleMs / 1000), 'migrated / up to date / failed': outcomes(idle), target: '< 5 s' },
      { ...cliRow('`npm run migrate:tenant:all`, nothing to do (process start-up included)', cli), target: '< 5 s' },
      { run: 'migrateAll in process, nothing to do, `verify` (every database opened and read)', tenants: verified.length, seconds: round1(verifiedMs / 1000), 'migrated / up to date / failed': outcomes(verified), target: '-' },
      { ...cliRow('`npm run migrate:tenant:all -- --verify`, nothing to do', cliVerified), target: '-' },
      { run: 'migrateAll in process, one new migration', tenants: probe.length, seconds: round1(probeMs / 1000), 'migrated / up to date / failed': outcomes(probe), target: '< 60 s' },
    ],
  };
}

function loadRow(scenario: string, tenants: number, figures: LoadFigures, extra: { pools: string; budget: string }) {
  return {
    scenario,
    tenants,
    requests: figures.requests,
    errors: figures.errors,
    'p50 ms': figures.p50Ms,
    'p99 ms': figures.p99Ms,
    'req/s': figures.requestsPerSecond,
    'peak connections': figures.peakConnections,
    budget: extra.budget,
    'pools opened / evicted': extra.pools,
    'RSS / heap MB': `${figures.peakRssMb} / ${figures.peakHeapMb}`,
    'Postgres PSS MB': figures.peakServerMb ?? '-',
  };
}

const breakNote = (name: string, figures: LoadFigures, live: number) =>
  figures.firstError
    ? `- ${name}: first failure after ${figures.firstError.afterOk} tenants served (${live} DataSources open at the end): \`${figures.firstError.message}\`; ${figures.errors} of ${figures.requests} requests failed.`
    : `- ${name}: no failure (${live} DataSources open at the end).`;

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const loadAtStart = os.loadavg()[1];
  const port = process.env.BENCH_PG_PORT ? Number(process.env.BENCH_PG_PORT) : SMOKE ? await freePort() : 54340;
  const pg = await startEmbeddedPostgres({ dataDir: DATA_DIR, port, log, maxConnections: MAX_CONNECTIONS });
  const probe = new ServerProbe(pg.url, DATA_DIR);
  const markdown: string[] = [];
  const setupNotes: string[] = [];
  try {
    // ---- database mode ------------------------------------------------------------------
    const dbPrefix = 'benchdb';
    const db = await startTenancy({ settings: settingsFor(dbPrefix, 'database'), controlUrl: withDatabase(pg.url, `${dbPrefix}_control`), schema: tenantSchema, controlMigrations, log });
    let provisioning;
    let dbFill;
    let dbOurs;
    let dbHot;
    let dbNaive;
    let migrate;
    let dbPlacements: Placement[];
    try {
      setupNotes.push(await catchUp(db));
      provisioning = await compareProvisioning(db, pg.url, dbPrefix);
      dbFill = await fill(db, DB_TENANTS, 4, Number.POSITIVE_INFINITY);
      dbPlacements = await activePlacements(db, DB_TENANTS);
      say(`database mode: ${DB_REQUESTS} requests over ${dbPlacements.length} tenants, ${CONCURRENCY} at a time`);
      dbOurs = await oursLoad(probe, db, dbPlacements, DB_REQUESTS);
      dbHot = await oursLoad(probe, db, dbPlacements.slice(0, HOT_TENANTS), DB_REQUESTS);
      say('database mode: naive DataSource per tenant');
      dbNaive = await naiveLoad(probe, db, dbPlacements.slice(0, NAIVE_TENANTS));
      migrate = await migrateAllFigures(db, dbPlacements, dbPrefix);
    } finally {
      await db.close();
    }

    // ---- schema mode --------------------------------------------------------------------
    const schemaPrefix = 'benchsch';
    const sch = await startTenancy({ settings: settingsFor(schemaPrefix, 'schema'), controlUrl: withDatabase(pg.url, `${schemaPrefix}_control`), schema: tenantSchema, controlMigrations, log });
    let schemaFill;
    let schOurs;
    let schNaive;
    let schPlacements: Placement[];
    try {
      setupNotes.push(await catchUp(sch));
      schemaFill = await fill(sch, SCHEMA_TENANTS, 4, Date.now() + SCHEMA_FILL_SECONDS * 1000);
      schPlacements = await activePlacements(sch, SCHEMA_TENANTS);
      say(`schema mode: ${SCHEMA_REQUESTS} requests over ${schPlacements.length} tenants, ${CONCURRENCY} at a time`);
      schOurs = await oursLoad(probe, sch, schPlacements, SCHEMA_REQUESTS);
      say('schema mode: naive DataSource per schema');
      schNaive = await naiveLoad(probe, sch, schPlacements.slice(0, NAIVE_TENANTS));
    } finally {
      await sch.close();
    }

    // ---- report -------------------------------------------------------------------------
    const ratio = (value: number) => `${(value / provisioning.raw.p50).toFixed(2)}x`;
    markdown.push(
      '## Tenancy',
      '',
      `Dedicated embedded PostgreSQL 18 (\`max_connections = ${MAX_CONNECTIONS}\`, scram-sha-256 auth, data under \`.data/bench-tenancy\`, kept between runs). ` +
        'Tenancy settings as the server would run them: `CONNECTION_BUDGET=80` (control pool 5 included), `TENANT_POOL_SIZE=2`, `SCHEMA_POOL_SIZE=10`. ' +
        'Requests go through `router.withTenant(...)` in process (lease, `count()` of contacts through TypeORM, release), not through HTTP, ' +
        'so the figures are the tenancy layer alone. Tenants are visited round robin, the worst case for a cache of pools.',
      '',
      `### Provisioning one tenant (database mode, ${N_PROVISION} of each; ours and raw alternate, then the migrations run)`,
      '',
      markdownTable([
        { approach: 'ours: `createTenant` + `provision` (control rows, clone, status)', 'p50 ms': provisioning.ours.p50, 'p95 ms': provisioning.ours.p95, 'mean ms': provisioning.ours.mean, 'p50 vs raw clone': ratio(provisioning.ours.p50) },
        { approach: 'raw `CREATE DATABASE x TEMPLATE tpl` on an open connection', 'p50 ms': provisioning.raw.p50, 'p95 ms': provisioning.raw.p95, 'mean ms': provisioning.raw.mean, 'p50 vs raw clone': '1.00x' },
        { approach: 'empty database + every tenant migration (`migrateTarget`)', 'p50 ms': provisioning.migrated.p50, 'p95 ms': provisioning.migrated.p95, 'mean ms': provisioning.migrated.mean, 'p50 vs raw clone': ratio(provisioning.migrated.p50) },
      ]),
      '',
      `Target: ours within 1.3x of the raw clone. The template (\`${provisioning.template}\`) was ${provisioning.templateBuilt ? `built in this run (${provisioning.templateMs} ms)` : 'already there'}.`,
      '',
      `### Requests over many tenants (${CONCURRENCY} concurrent)`,
      '',
      markdownTable([
        loadRow('database mode, ours', dbPlacements.length, dbOurs.figures, { pools: `${dbOurs.opened} / ${dbOurs.evictions}`, budget: `80 (max ${dbOurs.maxLive} pools, ${dbOurs.maxSlots + 5} slots)` }),
        loadRow(`database mode, ours, ${HOT_TENANTS} busy tenants (their pools fit in the budget)`, Math.min(HOT_TENANTS, dbPlacements.length), dbHot.figures, { pools: `${dbHot.opened} / ${dbHot.evictions}`, budget: `80 (max ${dbHot.maxLive} pools, ${dbHot.maxSlots + 5} slots)` }),
        loadRow('database mode, naive DataSource per tenant', Math.min(NAIVE_TENANTS, dbPlacements.length), dbNaive.figures, { pools: `${dbNaive.live} / 0`, budget: 'none' }),
        loadRow('schema mode, ours', schPlacements.length, schOurs.figures, { pools: `${schOurs.opened} / ${schOurs.evictions}`, budget: `80 (max ${schOurs.maxLive} pools, ${schOurs.maxSlots + 5} slots)` }),
        loadRow('schema mode, naive DataSource per schema', Math.min(NAIVE_TENANTS, schPlacements.length), schNaive.figures, { pools: `${schNaive.live} / 0`, budget: 'none' }),
      ]),
      '',
      'Targets: zero errors, peak connections within the budget, under 512 MB at 1,000 tenants. ' +
        '"Peak connections" counts every client backend on the server (control pool included), sampled every 25 ms. ' +
        'Round robin over 1,000 database-mode tenants visits more tenants than fit in the budget (37 pools of 2), so every request opens a pool ' +
        '(a new connection: fork and scram-sha-256 handshake, plus TypeORM metadata) and evicts the least recently used one; ' +
        `the ${HOT_TENANTS}-tenant row shows the same requests when the busy tenants' pools stay open.`,
      '',
      'Where the naive design breaks:',
      breakNote('database mode', dbNaive.figures, dbNaive.live),
      breakNote('schema mode', schNaive.figures, schNaive.live),
      '',
      `### migrate-all over ${dbPlacements.length} database-mode tenants (concurrency ${MIGRATE_CONCURRENCY})`,
      '',
      markdownTable(migrate.rows),
      '',
      '### Provisioning the tenants used above',
      '',
      markdownTable([
        { mode: 'database (template clone)', target: DB_TENANTS, 'existing before this run': dbFill.before, 'provisioned now': dbFill.created, seconds: round1(dbFill.seconds), 'p50 / p95 ms each': dbFill.created ? `${dbFill.perTenant.p50} / ${dbFill.perTenant.p95}` : '-', concurrency: dbFill.concurrency },
        { mode: 'schema (CREATE SCHEMA + the recorded migrations script)', target: SCHEMA_TENANTS, 'existing before this run': schemaFill.before, 'provisioned now': schemaFill.created, seconds: round1(schemaFill.seconds), 'p50 / p95 ms each': schemaFill.created ? `${schemaFill.perTenant.p50} / ${schemaFill.perTenant.p95}` : '-', concurrency: schemaFill.concurrency },
      ]),
      '',
      ...[dbFill, schemaFill].map((filled, i) =>
        filled.history.created > 0
          ? `${i === 0 ? 'Database' : 'Schema'} mode: ${filled.history.created} tenants provisioned in ${Math.round(filled.history.seconds)} s over ${filled.history.runs} run(s) of this bench (${round1(filled.history.created / filled.history.seconds)} tenants/s, concurrency 4).`
          : '',
      ),
      `Provisioning a schema applies the tenant migrations recorded as one script in one round trip (see the schema-mode provisioning section for ours against running every migration), so 10,000 schemas take about ${Math.round(10_000 / Math.max(0.1, schemaFill.history.created / Math.max(1, schemaFill.history.seconds)) / 60)} minutes here; the bench provisions for at most ${SCHEMA_FILL_SECONDS} s per run (\`BENCH_SCHEMA_FILL_SECONDS\`) and keeps the cluster, later runs continue where it stopped.`,
      schPlacements.length < SCHEMA_TENANTS ? `**This run measured ${schPlacements.length} of the ${SCHEMA_TENANTS} schema tenants**; run again to finish provisioning.` : '',
      '',
      ...setupNotes.filter(Boolean),
      `Whole run: ${Math.round((performance.now() - benchStarted) / 1000)} s. Machine load average (5 min) at start ${loadAtStart.toFixed(1)}, at end ${os.loadavg()[1].toFixed(1)} ` +
        `on ${os.cpus().length} cores: other work on the machine shows up in these figures.`,
    );
    const text = markdown.join('\n');
    console.log(text);
    writeBenchmarkSection('tenancy', text);
  } finally {
    await pg.stop();
    if (SMOKE) fs.rmSync(DATA_DIR, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
