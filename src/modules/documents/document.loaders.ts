import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Document } from './document.entity';

/** Documents by id, soft-deleted ones included: history (campaign parts) keeps showing them. */
export const documentById = (ctx: RequestContext) =>
  ctx.loaders.get<string, Document | null>('document.byId', (manager, options) =>
    new DataLoader(async (ids) => {
      const rows = await manager.getRepository(Document).find({ where: { id: In([...ids]) }, withDeleted: true });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }, options),
  );
