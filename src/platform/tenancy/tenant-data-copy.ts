import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/** Tables the migrations own: a target gets them by being migrated, never by copying. */
const MIGRATION_TABLES = ['migrations', 'typeorm_metadata'];

/** A table's copyable columns (generated ones are computed again on the way in). */
export interface TableLayout {
  name: string;
  columns: string[];
}

export interface SequenceState {
  name: string;
  lastValue: string;
  isCalled: boolean;
}

/** What a tenant's data consists of, read from the catalog of the current schema. */
export interface TenantDataLayout {
  tables: TableLayout[];
  sequences: SequenceState[];
}

/** The newest migration recorded in the current schema: the version its data is shaped for. */
export async function recordedSchemaVersion(client: Client): Promise<string | null> {
  const { rows } = await client.query<{ version: string | null }>(
    `SELECT CASE WHEN to_regclass('migrations') IS NULL THEN NULL ELSE (SELECT max("timestamp")::text FROM migrations) END AS version`,
  );
  return rows[0].version;
}

/**
 * Tables, columns and sequences of the current schema (names unquoted). SQL is only ever built
 * from names the catalog of the database it runs in returned, so they need no allow-list.
 */
export async function readLayout(client: Client): Promise<TenantDataLayout> {
  const tables = await client.query<{ name: string; columns: string[] }>(
    `SELECT c.relname AS name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
        AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND c.relname <> ALL ($1)
      GROUP BY c.relname ORDER BY c.relname`,
    [MIGRATION_TABLES],
  );
  const sequences = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'S'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                         WHERE d.objid = c.oid AND d.deptype = 'a' AND t.relname = ANY ($1))
      ORDER BY 1`,
    [MIGRATION_TABLES],
  );
  const states: SequenceState[] = [];
  for (const { name } of sequences.rows) {
    const { rows } = await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${quoteName(name)}`);
    states.push({ name, lastValue: rows[0].last_value, isCalled: rows[0].is_called });
  }
  return { tables: tables.rows, sequences: states };
}

/** `COPY ... TO STDOUT` of one table's columns in Postgres' text format, which every version reads. */
export function exportTable(client: Client, table: TableLayout): Readable {
  return client.query(copyTo(`COPY ${sqlTable(table)} TO STDOUT`));
}

/**
 * SHARE locks on the tables, inside the caller's transaction: writers in flight are waited for
 * and new ones wait until it ends. Take them before the transaction's first query, so that its
 * snapshot includes what the waited-for writers committed.
 */
export async function blockWrites(client: Client, tables: TableLayout[]): Promise<void> {
  if (tables.length) await client.query(`LOCK TABLE ${tables.map((table) => quoteName(table.name)).join(', ')} IN SHARE MODE`);
}

/**
 * Fills the (empty, freshly migrated) current schema with a tenant's data in ONE transaction:
 * foreign keys are dropped first (tables reference each other in cycles, so no table order
 * works) and added back at the end, which checks every row; sequences are set last. Either the
 * whole tenant is there afterwards, or nothing is. `rows` are the counts the source reported:
 * a table that comes in with a different count fails the import.
 */
export async function importTenantData(
  client: Client,
  layout: TenantDataLayout & { rows?: Record<string, number> },
  source: (table: TableLayout) => Readable | Promise<Readable>,
): Promise<Record<string, number>> {
  const target = await readLayout(client);
  const known = new Map(target.tables.map((table) => [table.name, new Set(table.columns)]));
  for (const table of layout.tables) {
    const columns = known.get(table.name);
    const unknown = columns ? table.columns.filter((column) => !columns.has(column)) : null;
    if (!unknown) throw new Error(`The data has a table "${table.name}" that this schema version does not have`);
    if (unknown.length) throw new Error(`The data has columns the table "${table.name}" does not have: ${unknown.join(', ')}`);
  }
  const knownSequences = new Set(target.sequences.map((sequence) => sequence.name));
  for (const sequence of layout.sequences) {
    if (!knownSequences.has(sequence.name)) throw new Error(`The data has a sequence "${sequence.name}" that this schema version does not have`);
  }

  const counts: Record<string, number> = {};
  await client.query('BEGIN');
  try {
    const { rows: keys } = await client.query<{ drop_sql: string; add_sql: string }>(
      `SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS drop_sql,
              format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS add_sql
         FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`,
    );
    for (const key of keys) await client.query(key.drop_sql);
    // Migrations may seed rows (settings, defaults); the data brings its own version of them.
    if (layout.tables.length) await client.query(`TRUNCATE ${layout.tables.map((table) => quoteName(table.name)).join(', ')}`);
    for (const table of layout.tables) {
      const into = client.query(copyFrom(`COPY ${sqlTable(table)} FROM STDIN`));
      await pipeline(await source(table), into);
      counts[table.name] = into.rowCount;
      const expected = layout.rows?.[table.name];
      if (expected !== undefined && expected !== into.rowCount) {
        throw new Error(`Table "${table.name}" came in with ${into.rowCount} rows; the source had ${expected}`);
      }
    }
    for (const key of keys) await client.query(key.add_sql);
    for (const sequence of layout.sequences) {
      await client.query('SELECT setval(to_regclass(quote_ident($1)), $2::bigint, $3)', [sequence.name, sequence.lastValue, sequence.isCalled]);
    }
    await client.query('COMMIT');
    return counts;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The table and its columns as SQL. Every name was checked against the catalog of the database
 * the statement runs in (readLayout / importTenantData) and is quoted besides, so a tampered
 * backup manifest cannot smuggle SQL in.
 */
function sqlTable(table: TableLayout): string {
  return `${quoteName(table.name)} (${table.columns.map(quoteName).join(', ')})`;
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
