import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { RequestContext } from '../../platform/graphql/request-context';
import { oneByKey } from '../../platform/graphql/batch-results';
import { Message } from './message.entity';

/** Messages by id, e.g. each conversation's last message. */
export const messageByIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, Message | null>('message.byId', (manager, options) =>
    new DataLoader(async (ids) => {
      const rows = await manager.getRepository(Message).find({ where: { id: In([...ids]) } });
      return oneByKey(ids, rows, (row) => row.id);
    }, options),
  );
