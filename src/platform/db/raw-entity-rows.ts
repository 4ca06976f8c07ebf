import type { EntityManager, EntityTarget, ObjectLiteral, ValueTransformer } from 'typeorm';

/**
 * Reads entities from hand-written SQL on hot paths, where TypeORM's query builder (SQL
 * generation and hydration) costs more than the query itself. Built once per entity from
 * TypeORM's metadata, so the selected columns and property names never drift from the entity.
 */
export interface RawEntityRows<T> {
  /** `alias."col" AS "prefixcol", ...` for every selectable column. */
  select(alias: string, prefix: string): string;
  /** The entity from a row selected with select(alias, prefix); null when its id is NULL (outer join). */
  read(row: Record<string, unknown>, prefix: string): T | null;
}

interface RawColumn {
  property: string;
  database: string;
  /** timestamptz travels as epoch microseconds (see select()). */
  timestamp: boolean;
  transformers: ValueTransformer[];
}

const cache = new WeakMap<object, Map<string, RawEntityRows<unknown>>>();

/** Epoch microseconds (exact in a double below 2^53) to a Date, truncated to the millisecond like pg's parser. */
const epochMicrosToDate = (value: unknown) => (value === null || value === undefined ? null : new Date(Math.floor(Number(value) / 1000)));

/** Distinct column choices remembered per entity; past that the cache starts over. */
const MAX_VARIANTS = 200;

/**
 * `exclude`: columns never to read. `only`: read just these properties, plus the primary key and
 * every uuid column (foreign keys, which relation fields need), e.g. the fields a client selected;
 * the result is then a partial entity, not to be shared beyond the request's own answer.
 */
export function rawEntityRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  options: { exclude?: ReadonlyArray<keyof T & string>; only?: ReadonlySet<string> } = {},
): RawEntityRows<T> {
  const metadata = manager.connection.getMetadata(entity);
  const variant = `${(options.exclude ?? []).join(',')}|${options.only ? [...options.only].sort().join(',') : '*'}`;
  let variants = cache.get(metadata);
  if (!variants) cache.set(metadata, (variants = new Map()));
  const cached = variants.get(variant);
  if (cached) return cached as RawEntityRows<T>;
  if (variants.size >= MAX_VARIANTS) variants.clear();

  const wanted = (column: (typeof metadata.columns)[number]) =>
    !options.only || options.only.has(column.propertyName) || column.isPrimary || column.type === 'uuid';
  const columns: RawColumn[] = metadata.columns
    .filter((column) => column.isSelect && !column.isVirtual && !options.exclude?.includes(column.propertyName as keyof T & string))
    .filter(wanted)
    .map((column) => ({
      property: column.propertyName,
      database: column.databaseName,
      timestamp: column.type === 'timestamptz' || column.type === 'timestamp with time zone',
      transformers: column.transformer ? ([] as ValueTransformer[]).concat(column.transformer).reverse() : [],
    }));
  const primary = metadata.primaryColumns[0].databaseName;
  const readers = new Map<string, (row: Record<string, unknown>) => T | null>();

  // One compiled reader per column prefix: an object literal of fixed shape is several times
  // cheaper to build than one grown property by property. Only identifiers from the entity's
  // metadata go into the source (as JSON string literals), never data.
  const readerFor = (prefix: string): ((row: Record<string, unknown>) => T | null) => {
    const key = (column: RawColumn) => JSON.stringify(`${prefix}${column.database}`);
    const value = (column: RawColumn, i: number) => {
      const raw = `row[${key(column)}]`;
      if (column.timestamp) return `toDate(${raw})`;
      return column.transformers.length ? `transform[${i}](${raw})` : raw;
    };
    const source = `return row[${JSON.stringify(`${prefix}${primary}`)}] == null ? null : {
      ${columns.map((column, i) => `${JSON.stringify(column.property)}: ${value(column, i)}`).join(',\n      ')}
    };`;
    const transform = columns.map((column) => (input: unknown) => column.transformers.reduce((acc, transformer) => transformer.from(acc), input));
    const compiled = new Function('toDate', 'transform', 'row', source) as (
      toDate: (value: unknown) => Date | null,
      transform: Array<(value: unknown) => unknown>,
      row: Record<string, unknown>,
    ) => T | null;
    return (row) => compiled(epochMicrosToDate, transform, row);
  };

  const rows: RawEntityRows<T> = {
    // Timestamps as whole epoch microseconds: a number is far cheaper to turn into a Date than
    // Postgres' text format, on both sides. date_part (float8) is cheaper than extract (numeric);
    // its error is far below a microsecond, so round() gives the exact value.
    select: (alias, prefix) =>
      columns
        .map((column) =>
          column.timestamp
            ? `round(date_part('epoch', ${alias}."${column.database}") * 1000000)::int8 AS "${prefix}${column.database}"`
            : `${alias}."${column.database}" AS "${prefix}${column.database}"`,
        )
        .join(', '),
    read: (row, prefix) => {
      let reader = readers.get(prefix);
      if (!reader) readers.set(prefix, (reader = readerFor(prefix)));
      return reader(row);
    },
  };
  variants.set(variant, rows as RawEntityRows<unknown>);
  return rows;
}
