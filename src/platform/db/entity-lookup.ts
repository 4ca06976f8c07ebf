import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { notFound } from '../errors';
import { isUuid } from '../graphql/batch-results';

/**
 * The row with this id, or NOT_FOUND naming `what`. A malformed id is simply not found (no
 * uuid cast error); soft-deleted rows are not found either.
 */
export async function findByIdOrFail<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  id: string,
  what: string,
): Promise<T> {
  const row = isUuid(id) ? await manager.getRepository(entity).findOneBy({ id } as never) : null;
  if (!row) throw notFound(what);
  return row;
}
