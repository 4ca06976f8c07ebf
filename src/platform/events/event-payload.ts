/**
 * An event payload's copy of a row: the listed fields only (never raw provider payloads or
 * secrets), dates as ISO strings, undefined as null: the row as the API shows it.
 */
export function snapshotOf<Row>(row: Row, fields: ReadonlyArray<keyof Row>): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const field of fields) {
    const value = row[field];
    payload[field as string] = value instanceof Date ? value.toISOString() : (value ?? null);
  }
  return payload;
}
