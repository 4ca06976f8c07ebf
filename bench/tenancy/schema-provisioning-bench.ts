// bench:tenancy:provisioning — schema-mode provisioning alone (also part of bench:tenancy), on its
// own embedded PostgreSQL: ours (the recorded script) against running every migration.
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { controlMigrations } from '../../migrations/control';
import { tenantSchema } from '../../src/app';
import { withDatabase } from '../../src/platform/db/connection-url';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded-postgres';
import { createLogger } from '../../src/platform/logger';
import { startTenancy } from '../../src/platform/tenancy/tenancy-runtime';
import { freePort } from '../../test/support/free-port';
import { SMOKE, benchKnob, writeBenchmarkSection } from '../support/benchmarks-file';
import { compareSchemaProvisioning } from './schema-provisioning';

const OURS = benchKnob('BENCH_SCHEMA_PROVISION_N', 300, 3);
const BASELINE = benchKnob('BENCH_SCHEMA_PROVISION_BASELINE_N', 60, 2);
const CONCURRENCY = benchKnob('BENCH_SCHEMA_PROVISION_CONCURRENCY', 4, 2);

async function main(): Promise<void> {
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-schema-prov-'));
  fs.chmodSync(dataDir, 0o755);
  const port = process.env.BENCH_PG_PORT ? Number(process.env.BENCH_PG_PORT) : await freePort();
  const pg = await startEmbeddedPostgres({ dataDir, port, log, maxConnections: 100 });
  const say = (message: string) => process.stderr.write(`[bench:tenancy:provisioning] ${message}\n`);
  try {
    const tenancy = await startTenancy({
      settings: {
        TENANCY_MODE: 'schema', DB_NAME_PREFIX: 'benchprov', CONNECTION_BUDGET: 80, CONTROL_POOL_SIZE: 5, TENANT_POOL_SIZE: 2,
        SCHEMA_POOL_SIZE: 10, TENANT_IDLE_TIMEOUT_MS: 60_000, CONNECTION_WAIT_TIMEOUT_MS: 10_000, TENANT_CACHE_TTL_MS: 5_000,
      },
      controlUrl: withDatabase(pg.url, 'benchprov_control'),
      schema: tenantSchema,
      controlMigrations,
      log,
    });
    try {
      const result = await compareSchemaProvisioning(tenancy, { ours: OURS, baseline: BASELINE, concurrency: CONCURRENCY, say });
      const text = [
        '## Tenancy: schema-mode provisioning',
        '',
        'A fresh embedded PostgreSQL 18 per run (`npm run bench:tenancy:provisioning`; `bench:tenancy` fills its schema-mode tenants the same way).',
        '',
        ...result.markdown,
        '',
        `Machine load average (1 min) at the end: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores.`,
      ].join('\n');
      console.log(text);
      writeBenchmarkSection('tenancy-schema-provisioning', text);
    } finally {
      await tenancy.close();
    }
  } finally {
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
