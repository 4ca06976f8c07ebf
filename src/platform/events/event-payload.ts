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

/**
 * The event of a plain record's life (`quick_reply.created`, `auto_reply_rule.deleted`...):
 * payload v1 `{ [aggregate]: snapshot }`, about the row itself.
 */
export function recordChanged<Row extends { id: string }>(
  aggregate: string,
  change: 'created' | 'updated' | 'deleted',
  row: Row,
  fields: ReadonlyArray<keyof Row>,
): { type: string; subjectId: string; payload: Record<string, unknown> } {
  return { type: `${aggregate}.${change}`, subjectId: row.id, payload: { [aggregate]: snapshotOf(row, fields) } };
}

/**
 * snapshotOf in SQL, for statements that record their events themselves: a jsonb object of
 * `alias`'s columns under their camelCase field names, dates as JavaScript's toISOString writes
 * them, so a payload is the same whichever side built it.
 */
export function snapshotSql(alias: string, fields: readonly string[], dates: readonly string[]): string {
  const pairs = fields.map((field) => {
    const column = `${alias}.${field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`;
    const value = dates.includes(field) ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : column;
    return `'${field}', ${value}`;
  });
  return `jsonb_build_object(${pairs.join(', ')})`;
}
