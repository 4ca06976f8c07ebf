import { findByIdOrFail } from '../../platform/db/entity-lookup';
import { keysetPage } from '../../platform/graphql/keyset-pagination';
import type { BackwardArgs, Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Conversation } from './conversation.entity';
import { Message } from './message.entity';
import { MESSAGE_COLUMNS } from './message.loaders';

/** Reading a conversation's messages; sending and ingest live with the channels. */
export class MessageService {
  /**
   * A conversation's messages, newest first ('newest') or in chronological order ('chronological',
   * the history view: `last` gives the newest, `before` the older ones). Both directions and both
   * orders are served by IDX_messages_conversation_page (conversation_id, created_at DESC, id DESC).
   * NOT_FOUND when there is no such conversation, unless the caller already holds it.
   */
  async list(
    ctx: RequestContext,
    conversationId: string,
    args: ConnectionArgs & BackwardArgs,
    options: { order?: 'newest' | 'chronological'; conversationKnown?: boolean } = {},
  ): Promise<Connection<Message>> {
    const manager = await ctx.tenant().manager();
    if (!options.conversationKnown) await findByIdOrFail(manager, Conversation, conversationId, 'Conversation');
    const query = () =>
      manager
        .getRepository(Message)
        .createQueryBuilder('m')
        .select(MESSAGE_COLUMNS.map((column) => `m.${column}`))
        .where('m.conversation_id = :conversationId', { conversationId });
    const direction = options.order === 'chronological' ? 'ASC' : 'DESC';
    return keysetPage(query(), args, { alias: 'm', column: 'created_at', type: 'timestamptz', direction }, () => query().getCount());
  }
}
