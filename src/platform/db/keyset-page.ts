import { isUUID } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { validationFailed } from '../errors';
import { decodeCursor, pageSize, toConnection, type Connection, type ConnectionArgs } from '../graphql/pagination';

/** created_at as Postgres prints it (`col::text`): microseconds kept, unlike a JS Date. */
export const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/;

/** Decodes a (created_at text, id) cursor, refusing anything Postgres could not cast. */
export function decodeCreatedAtCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = decodeCursor(cursor, 2);
  if (typeof createdAt !== 'string' || !TIMESTAMP_TEXT.test(createdAt) || typeof id !== 'string' || !isUUID(id)) {
    throw validationFailed('Invalid cursor', { field: 'after' });
  }
  return { createdAt, id };
}

/**
 * One page of `query`, newest first by (created_at DESC, id DESC), compared as a row value so
 * rows inserted between pages never shift the ones still to come. The caller's filters stay in
 * `query`; totalCount counts them lazily.
 */
export async function pageByCreatedAt<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  args: ConnectionArgs,
): Promise<Connection<T>> {
  const alias = query.alias;
  const first = pageSize(args);
  const count = query.clone();
  const page = query
    .clone()
    .addSelect(`${alias}.created_at::text`, 'keyset_created_at')
    .orderBy(`${alias}.created_at`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(first + 1);
  if (args.after) {
    const after = decodeCreatedAtCursor(args.after);
    page.andWhere(`(${alias}.created_at, ${alias}.id) < (CAST(:keysetCreatedAt AS timestamptz), CAST(:keysetId AS uuid))`, {
      keysetCreatedAt: after.createdAt,
      keysetId: after.id,
    });
  }
  const { entities, raw } = await page.getRawAndEntities();
  const createdAtById = new Map<string, string>(raw.map((row) => [row[`${alias}_id`], row.keyset_created_at]));
  return toConnection(entities, first, (entity) => [createdAtById.get(entity.id) ?? null, entity.id], () => count.getCount());
}

/** `%term%` for ILIKE with the user's own % and _ taken literally. */
export const containsPattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
