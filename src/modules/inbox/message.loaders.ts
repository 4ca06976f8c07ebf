import DataLoader from 'dataloader';
import { In, type FindOptionsSelect } from 'typeorm';
import type { RequestContext } from '../../platform/graphql/request-context';
import { manyByKey, oneByKey } from '../../platform/graphql/batch-results';
import { Message } from './message.entity';
import { MessageReaction } from './message-reaction.entity';

/** What the API shows of a message: everything but the provider's raw payload, which can be large. */
export const MESSAGE_COLUMNS = [
  'id',
  'conversationId',
  'direction',
  'fromAddress',
  'toAddress',
  'body',
  'type',
  'documentId',
  'status',
  'statusRank',
  'providerMessageId',
  'clientMessageId',
  'replyToId',
  'failureReason',
  'sentByUserId',
  'providerTimestamp',
  'readAt',
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof Message>;

const MESSAGE_SELECT = Object.fromEntries(MESSAGE_COLUMNS.map((column) => [column, true])) as FindOptionsSelect<Message>;

/** Messages by id, e.g. each conversation's last message. */
export const messageByIdLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, Message | null>('message.byId', (manager, options) =>
    new DataLoader(async (ids) => {
      const rows = await manager.getRepository(Message).find({ select: MESSAGE_SELECT, where: { id: In([...ids]) } });
      return oneByKey(ids, rows, (row) => row.id);
    }, options),
  );

/** Each message's current reactions, oldest first (removed ones are kept as '' and left out). */
export const reactionsByMessageLoader = (ctx: RequestContext) =>
  ctx.loaders.get<string, MessageReaction[]>('message.reactions', (manager, options) =>
    new DataLoader(async (ids) => {
      const rows = await manager
        .getRepository(MessageReaction)
        .createQueryBuilder('r')
        .where('r.message_id IN (:...ids)', { ids: [...ids] })
        .andWhere("r.emoji <> ''")
        .orderBy('r.reacted_at', 'ASC')
        .addOrderBy('r.reactor', 'ASC')
        .getMany();
      return manyByKey(ids, rows, (row) => row.messageId);
    }, options),
  );
