import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { RequestContext } from '../../platform/graphql/request-context';
import { oneByKey } from '../../platform/graphql/batch-results';
import { Conversation } from './conversation.entity';

/** Conversations by id, e.g. the conversation of each message in a subscription event. */
export const conversationByIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, Conversation | null>('conversation.byId', (manager, options) =>
    new DataLoader(async (ids) => {
      const rows = await manager.getRepository(Conversation).find({ where: { id: In([...ids]) } });
      return oneByKey(ids, rows, (row) => row.id);
    }, options),
  );
