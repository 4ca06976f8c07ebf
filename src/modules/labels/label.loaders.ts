import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import type { LoaderOptions, RequestContext } from '../../platform/graphql/request-context';
import type { Label } from './label.entity';

/** Labels of each contact, by name. */
export const labelsByContactIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, Label[]>('contact.labels', (manager, options) => labelsOf(manager, options, 'contact_labels', 'contact_id'));

/** Labels of each conversation, by name. */
export const labelsByConversationIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, Label[]>('conversation.labels', (manager, options) =>
    labelsOf(manager, options, 'conversation_labels', 'conversation_id'),
  );

/**
 * One query per batch through a link table, one row per distinct label with the owners that carry
 * it: labels repeat across an inbox page, so each is sent, parsed and allocated once.
 * Table and column names are constants of this file.
 */
function labelsOf(
  manager: EntityManager,
  options: LoaderOptions,
  linkTable: 'contact_labels' | 'conversation_labels',
  ownerColumn: 'contact_id' | 'conversation_id',
): DataLoader<string, Label[]> {
  return new DataLoader(async (ownerIds) => {
    const rows: Array<{ owner_ids: string[]; id: string; name: string; color: string; created_at: Date; updated_at: Date }> = await manager.query(
      `SELECT l.id, l.name, l.color, l.created_at, l.updated_at, array_agg(link.${ownerColumn}) AS owner_ids
         FROM ${linkTable} link JOIN labels l ON l.id = link.label_id
        WHERE link.${ownerColumn} = ANY($1)
        GROUP BY l.id
        ORDER BY l.name, l.id`,
      [ownerIds],
    );
    const byOwner = new Map<string, Label[]>();
    for (const row of rows) {
      const label: Label = { id: row.id, name: row.name, color: row.color, createdAt: row.created_at, updatedAt: row.updated_at };
      for (const ownerId of row.owner_ids) {
        let labels = byOwner.get(ownerId);
        if (!labels) byOwner.set(ownerId, (labels = []));
        labels.push(label);
      }
    }
    return ownerIds.map((ownerId) => byOwner.get(ownerId) ?? []);
  }, options);
}
