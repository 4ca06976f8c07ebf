import type { Client } from 'pg';

/**
 * What a schema is made of, as the catalog says, with its own name and its database's name
 * replaced by placeholders: two schemas built differently (the migrations, a recorded script)
 * describe the same only if they are the same. Rows of `migrations` and `typeorm_metadata` are
 * part of it (the migrator and TypeORM's schema diff read them).
 */
export async function describeSchemaStructure(client: Client, schemaName: string): Promise<Record<string, string[]>> {
  const { rows: [{ database }] } = await client.query<{ database: string }>('SELECT current_database() AS database');
  const queries: Record<string, string> = {
    columns: `SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                || CASE a.attgenerated::text WHEN 's' THEN ' stored' ELSE '' END
                || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
                || ' #' || a.attnum AS item
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE c.relnamespace = $1::regnamespace AND a.attnum > 0 AND NOT a.attisdropped`,
    relations: `SELECT c.relkind::text || ' ' || c.relname || coalesce(' ' || array_to_string(c.reloptions, ','), '') AS item FROM pg_class c WHERE c.relnamespace = $1::regnamespace`,
    constraints: `SELECT t.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid) AS item
                    FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid WHERE con.connamespace = $1::regnamespace`,
    indexes: `SELECT indexdef AS item FROM pg_indexes WHERE schemaname = $1`,
    triggers: `SELECT pg_get_triggerdef(tg.oid) AS item FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
                WHERE c.relnamespace = $1::regnamespace AND NOT tg.tgisinternal`,
    functions: `SELECT pg_get_functiondef(p.oid) AS item FROM pg_proc p WHERE p.pronamespace = $1::regnamespace`,
    types: `SELECT t.typname || ' ' || t.typtype::text || coalesce(' ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '') AS item
              FROM pg_type t WHERE t.typnamespace = $1::regnamespace AND t.typtype IN ('e', 'd', 'c') AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)`,
    sequences: `SELECT sequencename || ' ' || data_type || ' ' || start_value || ' ' || increment_by || ' ' || coalesce(last_value::text, '-') AS item FROM pg_sequences WHERE schemaname = $1`,
    comments: `SELECT c.relname || coalesce('.' || a.attname, '') || ': ' || d.description AS item FROM pg_description d
                 JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
                 LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
                WHERE c.relnamespace = $1::regnamespace`,
  };
  const structure: Record<string, string[]> = {};
  const anonymise = (text: string) => text.split(schemaName).join('<schema>').split(database).join('<database>');
  for (const [kind, sql] of Object.entries(queries)) {
    const { rows } = await client.query<{ item: string }>(sql, [schemaName]);
    structure[kind] = rows.map((row) => anonymise(row.item)).sort();
  }
  const table = (name: string) => `${quoteName(schemaName)}.${quoteName(name)}`;
  const has = async (name: string) => (await client.query('SELECT to_regclass($1) IS NOT NULL AS found', [table(name)])).rows[0].found as boolean;
  structure.migrations = (await has('migrations'))
    ? (await client.query<{ item: string }>(`SELECT id || ' ' || "timestamp" || ' ' || name AS item FROM ${table('migrations')} ORDER BY id`)).rows.map((row) => row.item)
    : [];
  structure.typeormMetadata = (await has('typeorm_metadata'))
    ? (await client.query<{ item: string }>(`SELECT concat_ws(' | ', type, database, schema, "table", name, value) AS item FROM ${table('typeorm_metadata')}`)).rows.map((row) => anonymise(row.item)).sort()
    : [];
  return structure;
}

const quoteName = (name: string) => `"${name.replace(/"/g, '""')}"`;
