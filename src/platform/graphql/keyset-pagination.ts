import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { validationFailed } from '../errors';
import { isUuid } from './batch-results';
import { type Connection, type ConnectionArgs, decodeCursor, pageSize, toConnection } from './pagination';

/** The order of a list: one key column, then the uuid primary key as tie-breaker. */
export interface KeysetOrder {
  /** Alias of the main entity in the query. */
  alias: string;
  /** Database column of the key, e.g. 'created_at'. */
  column: string;
  /** SQL type the cursor value is cast back to. */
  type: 'timestamptz' | 'text';
  direction: 'ASC' | 'DESC';
  /** The key may be NULL; only with DESC, where Postgres puts NULLs first (matching a DESC index). */
  nullable?: boolean;
}

const invalidCursor = () => validationFailed('Invalid cursor', { field: 'after' });

/**
 * One page of `query` in keyset order: ORDER BY key, id with a row-value comparison against the
 * cursor, LIMIT first + 1. The cursor carries the key as Postgres text (a timestamp keeps its
 * microseconds), so rows with equal keys are neither skipped nor repeated, and rows inserted
 * meanwhile never shift a page. `query` must select one row per entity (no to-many joins).
 */
export async function keysetPage<Entity extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<Entity>,
  args: ConnectionArgs,
  order: KeysetOrder,
  totalCount: () => Promise<number>,
): Promise<Connection<Entity>> {
  if (order.nullable && order.direction !== 'DESC') throw new Error('nullable keyset keys are supported for DESC only');
  const first = pageSize(args);
  const key = `"${order.alias}"."${order.column}"`;
  const id = `"${order.alias}"."id"`;
  const comparison = order.direction === 'DESC' ? '<' : '>';

  if (args.after) {
    const [cursorKey, cursorId] = decodeCursor(args.after, 2);
    if (!isUuid(cursorId) || (cursorKey !== null && typeof cursorKey !== 'string')) throw invalidCursor();
    if (cursorKey === null) {
      if (!order.nullable) throw invalidCursor();
      // After a NULL-key row: the remaining NULL-key rows, then every row with a key.
      query.andWhere(`((${key} IS NULL AND ${id} ${comparison} :cursorId) OR ${key} IS NOT NULL)`, { cursorId });
    } else {
      query.andWhere(`(${key}, ${id}) ${comparison} (CAST(:cursorKey AS ${order.type}), CAST(:cursorId AS uuid))`, { cursorKey, cursorId });
    }
  }

  const { raw, entities } = await query
    .addSelect(`${key}::text`, 'keyset_cursor_key')
    .orderBy(key, order.direction)
    .addOrderBy(id, order.direction)
    .limit(first + 1)
    .getRawAndEntities();
  const cursorKeys = new Map<string, string | null>(raw.map((row) => [row[`${order.alias}_id`], row.keyset_cursor_key]));
  return toConnection(entities, first, (entity) => [cursorKeys.get(entity.id) ?? null, entity.id], totalCount);
}
