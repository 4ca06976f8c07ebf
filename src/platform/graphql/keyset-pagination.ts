import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { validationFailed } from '../errors';
import { isUuid } from './batch-results';
import { type BackwardArgs, type Connection, type ConnectionArgs, decodeCursor, pageSize, pagingDirection, toConnection } from './pagination';

/** The order of a list: one key column, then the uuid primary key as tie-breaker. */
export interface KeysetOrder {
  /** Alias of the main table in the query. */
  alias: string;
  /** Database column of the key, e.g. 'created_at'. */
  column: string;
  /** SQL type the cursor value is cast back to. */
  type: 'timestamptz' | 'text';
  direction: 'ASC' | 'DESC';
  /** The key may be NULL; only with DESC, where Postgres puts NULLs first (matching a DESC index). */
  nullable?: boolean;
}

const invalidCursor = (field = 'after') => validationFailed('Invalid cursor', { field });

/** A timestamp as Postgres prints it (`col::text`): microseconds kept, unlike a JS Date. */
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/;

/** Decodes a (created_at text, id) cursor, refusing anything Postgres could not cast. */
export function decodeCreatedAtCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = decodeCursor(cursor, 2);
  if (typeof createdAt !== 'string' || !TIMESTAMP_TEXT.test(createdAt) || !isUuid(id)) throw invalidCursor();
  return { createdAt, id };
}

/*
 * Keyset pagination: ORDER BY key, id with a row-value comparison against the cursor, LIMIT
 * first + 1. The cursor carries the key as Postgres text (a timestamp keeps its microseconds), so
 * rows with equal keys are neither skipped nor repeated, and rows inserted meanwhile never shift
 * a page.
 */

/** SQL of the order, e.g. `"c"."last_message_at" DESC, "c"."id" DESC`. */
export function keysetOrderBy(order: KeysetOrder): string {
  return `"${order.alias}"."${order.column}" ${order.direction}, "${order.alias}"."id" ${order.direction}`;
}

/** The key as text, to select as the cursor value. */
export const keysetCursorKey = (order: KeysetOrder) => `"${order.alias}"."${order.column}"::text`;

/**
 * The condition "comes after the cursor"; `bind` turns a value into a placeholder ($1 or :name).
 * `field` names the argument the cursor came in, for the error of a malformed one.
 */
export function keysetAfter(order: KeysetOrder, after: string, bind: (value: string) => string, field = 'after'): string {
  if (order.nullable && order.direction !== 'DESC') throw new Error('nullable keyset keys are supported for DESC only');
  const [cursorKey, cursorId] = decodeCursor(after, 2, field);
  if (!isUuid(cursorId) || (cursorKey !== null && typeof cursorKey !== 'string')) throw invalidCursor(field);
  // A forged key must fail here, not in the cast in SQL (an internal error).
  if (order.type === 'timestamptz' && cursorKey !== null && !TIMESTAMP_TEXT.test(cursorKey)) throw invalidCursor(field);
  const key = `"${order.alias}"."${order.column}"`;
  const id = `"${order.alias}"."id"`;
  const comparison = order.direction === 'DESC' ? '<' : '>';
  if (cursorKey === null) {
    if (!order.nullable) throw invalidCursor(field);
    // After a NULL-key row: the remaining NULL-key rows, then every row with a key.
    return `((${key} IS NULL AND ${id} ${comparison} CAST(${bind(cursorId)} AS uuid)) OR ${key} IS NOT NULL)`;
  }
  return `(${key}, ${id}) ${comparison} (CAST(${bind(cursorKey)} AS ${order.type}), CAST(${bind(cursorId)} AS uuid))`;
}

/**
 * One page of a TypeORM query in keyset order. `query` must select one row per entity. With
 * `last`/`before` (lists that offer them) the page is read backwards: the order reversed, rows
 * "after" `before` in that order, then put back in list order by toConnection.
 */
export async function keysetPage<Entity extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<Entity>,
  args: ConnectionArgs & BackwardArgs,
  order: KeysetOrder,
  totalCount: () => Promise<number>,
): Promise<Connection<Entity>> {
  const backward = pagingDirection(args) === 'backward';
  const size = backward ? (args.last ?? pageSize({})) : pageSize(args);
  const readOrder: KeysetOrder = backward ? { ...order, direction: order.direction === 'DESC' ? 'ASC' : 'DESC' } : order;
  const cursor = backward ? args.before : args.after;
  if (cursor) {
    const parameters: Record<string, string> = {};
    const condition = keysetAfter(
      readOrder,
      cursor,
      (value) => {
        const name = `keyset${Object.keys(parameters).length}`;
        parameters[name] = value;
        return `:${name}`;
      },
      backward ? 'before' : 'after',
    );
    query.andWhere(condition, parameters);
  }
  const { raw, entities } = await query
    .addSelect(keysetCursorKey(order), 'keyset_cursor_key')
    .orderBy(`"${order.alias}"."${order.column}"`, readOrder.direction)
    .addOrderBy(`"${order.alias}"."id"`, readOrder.direction)
    .limit(size + 1)
    .getRawAndEntities();
  const cursorKeys = new Map<string, string | null>(raw.map((row) => [row[`${order.alias}_id`], row.keyset_cursor_key]));
  return toConnection(entities, size, (entity) => [cursorKeys.get(entity.id) ?? null, entity.id], totalCount, undefined, {
    backward,
    afterCursor: Boolean(args.after),
    beforeCursor: Boolean(args.before),
  });
}

/**
 * One page of `query`, newest first by (created_at DESC, id DESC). The caller's filters stay in
 * `query`; totalCount counts them lazily.
 */
export function pageByCreatedAt<Entity extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<Entity>,
  args: ConnectionArgs,
): Promise<Connection<Entity>> {
  const order: KeysetOrder = { alias: query.alias, column: 'created_at', type: 'timestamptz', direction: 'DESC' };
  return keysetPage(query.clone(), args, order, () => query.getCount());
}
