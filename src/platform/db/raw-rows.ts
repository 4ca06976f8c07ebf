/**
 * Rows returned by hand-written SQL (`RETURNING *`) come back with snake_case keys; entities and
 * GraphQL types use camelCase. One conversion, so raw-SQL hot paths can return entity-shaped objects.
 */
export function camelizeRow<T>(row: Record<string, unknown>): T {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    result[key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())] = value;
  }
  return result as T;
}
