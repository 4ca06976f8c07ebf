import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import type { LoaderOptions, RequestContext } from '../../platform/graphql/request-context';
import { manyByKey } from '../../platform/graphql/batch-results';
import type { Label } from './label.entity';

/** Labels of each contact, by name. */
export const labelsByContactIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, Label[]>('contact.labels', (manager, options) => labelsOf(manager, options, 'contact_labels', 'contact_id'));

/** Labels of each conversation, by name. */
export const labelsByConversationIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, Label[]>('conversation.labels', (manager, options) =>
    labelsOf(manager, options, 'conversation_labels', 'conversation_id'),
  );

/** One query per batch through a link table; table and column names are constants of this file. */
function labelsOf(
  manager: EntityManager,
  options: LoaderOptions,
  linkTable: 'contact_labels' | 'conversation_labels',
  ownerColumn: 'contact_id' | 'conversation_id',
): DataLoader<string, Label[]> {
  return new DataLoader(async (ownerIds) => {
    const rows: Array<{ owner_id: string; id: string; name: string; color: string; created_at: Date; updated_at: Date }> = await manager.query(
      `SELECT link.${ownerColumn} AS owner_id, l.id, l.name, l.color, l.created_at, l.updated_at
         FROM ${linkTable} link JOIN labels l ON l.id = link.label_id
        WHERE link.${ownerColumn} = ANY($1)
        ORDER BY l.name, l.id`,
      [ownerIds],
    );
    return manyByKey(ownerIds, rows, (row) => row.owner_id, (row) => ({
      id: row.id,
      name: row.name,
      color: row.color,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }, options);
}
