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

const cache = new WeakMap<object, Map<string, RawEntityRows<unknown>>>();

export function rawEntityRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  options: { exclude?: ReadonlyArray<keyof T & string> } = {},
): RawEntityRows<T> {
  const metadata = manager.connection.getMetadata(entity);
  const variant = (options.exclude ?? []).join(',');
  let variants = cache.get(metadata);
  if (!variants) cache.set(metadata, (variants = new Map()));
  const cached = variants.get(variant);
  if (cached) return cached as RawEntityRows<T>;

  const columns = metadata.columns
    .filter((column) => column.isSelect && !column.isVirtual && !options.exclude?.includes(column.propertyName as keyof T & string))
    .map((column) => ({
      property: column.propertyName,
      database: column.databaseName,
      transformers: column.transformer ? ([] as ValueTransformer[]).concat(column.transformer) : [],
    }));
  const primary = metadata.primaryColumns[0].databaseName;
  const rows: RawEntityRows<T> = {
    select: (alias, prefix) => columns.map((column) => `${alias}."${column.database}" AS "${prefix}${column.database}"`).join(', '),
    read: (row, prefix) => {
      if (row[`${prefix}${primary}`] === null || row[`${prefix}${primary}`] === undefined) return null;
      const result: Record<string, unknown> = {};
      for (const column of columns) {
        let value = row[`${prefix}${column.database}`];
        for (let i = column.transformers.length - 1; i >= 0; i--) value = column.transformers[i].from(value);
        result[column.property] = value;
      }
      return result as T;
    },
  };
  variants.set(variant, rows as RawEntityRows<unknown>);
  return rows;
}
