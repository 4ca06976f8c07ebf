/**
 * DataLoader batch functions must answer in the order of their keys; these put rows fetched with
 * one `WHERE key = ANY(...)` query back into that order.
 */

/** One row (or null) per key. */
export function oneByKey<K, Row>(keys: readonly K[], rows: readonly Row[], keyOf: (row: Row) => K): Array<Row | null> {
  const byKey = new Map<K, Row>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

/** A list (possibly empty) per key, in the order the rows came. */
export function manyByKey<K, Row, Value = Row>(
  keys: readonly K[],
  rows: readonly Row[],
  keyOf: (row: Row) => K,
  valueOf: (row: Row) => Value = (row) => row as unknown as Value,
): Value[][] {
  const byKey = new Map<K, Value[]>();
  for (const row of rows) {
    const key = keyOf(row);
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(valueOf(row));
  }
  return keys.map((key) => byKey.get(key) ?? []);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from clients; a malformed one matches nothing instead of failing the uuid cast in SQL. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
