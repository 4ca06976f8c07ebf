import { isUUID } from 'class-validator';
import type { EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import { invalidField } from '../errors';

/**
 * Checks that an id given in an input points at a live row of this tenant (soft-deleted rows do
 * not count); otherwise VALIDATION_FAILED on that field. `what` names the thing in the message.
 */
export async function requireReference<T extends { id: string }>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  id: string,
  field: string,
  what: string,
): Promise<void> {
  if (!isUUID(id) || !(await manager.getRepository(entity).existsBy({ id } as FindOptionsWhere<T>))) {
    throw invalidField(field, `No such ${what}`);
  }
}
