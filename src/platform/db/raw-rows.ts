/** snake_case column name → camelCase key; column names are few, so each is converted once. */
const camelNames = new Map<string, string>();

function camelName(column: string): string {
  let name = camelNames.get(column);
  if (name === undefined) {
    name = column.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
    if (camelNames.size < 10_000) camelNames.set(column, name);
  }
  return name;
}

/**
 * Rows returned by hand-written SQL (`RETURNING *`) come back with snake_case keys; entities and
 * GraphQL types use camelCase. One conversion, so raw-SQL hot paths can return entity-shaped objects.
 */
export function camelizeRow<T>(row: Record<string, unknown>): T {
  const result: Record<string, unknown> = {};
  for (const column in row) result[camelName(column)] = row[column];
  return result as T;
}
