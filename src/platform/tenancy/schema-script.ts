import crypto from 'node:crypto';
import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { baseDataSourceOptions } from '../db/data-source-options';
import { quoteIdentifier } from '../db/identifiers';
import { CREATE_MIGRATIONS_TABLE, FIX_TYPEORM_METADATA, migrationName } from './tenant-migrator';
import { migrationTimestamp, type TenantSchema } from './tenant-schema';

/**
 * Every tenant migration of a schema version as one SQL script, so a new schema-mode tenant is
 * one round trip (`CREATE SCHEMA`, the script, in one transaction) instead of a connection, a
 * DataSource and a transaction per migration (7 schemas/s → hundreds).
 *
 * The script is what the migrations themselves run: they are executed once, in a transaction on
 * a scratch schema that is rolled back, and every statement they send is recorded (parameters
 * inlined as literals), together with the `migrations` rows migrateTarget would write. Statements
 * are unqualified and run under `SET LOCAL search_path` to the new schema, so names and
 * `current_schema()` resolve as they do when the migrations run there (the schema check and
 * test/tenancy/schema-script.test.ts compare the two results).
 */
export class SchemaScripts {
  private readonly scripts = new Map<string, Promise<string[]>>();

  constructor(private readonly schema: TenantSchema) {}

  /**
   * The recorded statements of this release's migrations, recorded once per process on the
   * database at `url` (any database holding schema-mode tenants).
   */
  statements(url: string): Promise<string[]> {
    const key = this.schema.version;
    let pending = this.scripts.get(key);
    if (!pending) {
      pending = recordMigrations(url, this.schema);
      pending.catch(() => this.scripts.delete(key));
      this.scripts.set(key, pending);
    }
    return pending;
  }

  /**
   * Creates `schemaName` (dropping an existing one first when `replace`) and applies the script,
   * in one transaction and one round trip on `client`. Returns the schema version reached.
   */
  async apply(client: Client, url: string, schemaName: string, options: { replace: boolean }): Promise<string> {
    const statements = await this.statements(url);
    const name = quoteIdentifier(schemaName);
    const script = [
      'BEGIN',
      ...(options.replace ? [`DROP SCHEMA IF EXISTS ${name} CASCADE`] : []),
      `CREATE SCHEMA ${name}`,
      `SET LOCAL search_path TO ${name}`,
      ...statements,
      'COMMIT',
    ].join(';\n');
    try {
      await client.query(script);
    } catch (error) {
      // A failed statement leaves the transaction open: end it before the connection is reused.
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return this.schema.version;
  }
}

async function recordMigrations(url: string, schema: TenantSchema): Promise<string[]> {
  const scratch = `crm_script_${crypto.randomBytes(6).toString('hex')}`;
  const dataSource = new DataSource({ ...baseDataSourceOptions(), url, entities: [], extra: { max: 1, application_name: 'crm-migrator' } });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  const recorded: string[] = [];
  try {
    await runner.startTransaction();
    await runner.query(`CREATE SCHEMA ${quoteIdentifier(scratch)}`);
    await runner.query(`SET LOCAL search_path TO ${quoteIdentifier(scratch)}`);
    const query = runner.query.bind(runner);
    const record = (sql: string, parameters?: unknown[]) => recorded.push(inlineParameters(sql, parameters ?? []));
    runner.query = ((sql: string, parameters?: unknown[], structured?: boolean) => {
      record(sql, parameters);
      return query(sql, parameters, structured as true);
    }) as typeof runner.query;
    await runner.query(CREATE_MIGRATIONS_TABLE);
    for (const Migration of schema.migrations) {
      await new Migration().up(runner);
      await runner.query('INSERT INTO "migrations" ("timestamp", "name") VALUES ($1, $2)', [migrationTimestamp(Migration), migrationName(Migration)]);
    }
    await runner.query(FIX_TYPEORM_METADATA);
    runner.query = query;
    // Nothing of the scratch schema stays behind: it only served to record the statements.
    await runner.rollbackTransaction();
    return recorded;
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
    await dataSource.destroy();
  }
}

/** `$n` placeholders replaced by SQL literals, in one pass (a value's own `$2` stays as it is). */
export function inlineParameters(sql: string, parameters: unknown[]): string {
  if (parameters.length === 0) return sql;
  return sql.replace(/\$(\d+)\b/g, (placeholder, index: string) => {
    const position = Number(index) - 1;
    if (position < 0 || position >= parameters.length) throw new Error(`A migration statement names ${placeholder} but has ${parameters.length} parameters`);
    return literal(parameters[position]);
  });
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`Cannot inline the number ${value}`);
    return String(value);
  }
  if (typeof value === 'string') {
    // Standard-conforming strings (on by default since PostgreSQL 9.1): only quotes are doubled.
    return `'${value.replace(/'/g, "''")}'`;
  }
  throw new Error(`Cannot inline a migration parameter of type ${typeof value}; run the migrations instead`);
}
