import { findByIdOrFail } from '../../platform/db/entity-lookup';
import { keysetPage } from '../../platform/graphql/keyset-pagination';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Conversation } from './conversation.entity';
import { Message } from './message.entity';
import { MESSAGE_COLUMNS } from './message.loaders';

/** Reading a conversation's messages; sending and ingest live with the channels. */
export class MessageService {
  /** Newest first, served by IDX_messages_conversation_page (conversation_id, created_at DESC, id DESC). */
  async list(ctx: RequestContext, conversationId: string, args: ConnectionArgs): Promise<Connection<Message>> {
    const manager = await ctx.tenant().manager();
    await findByIdOrFail(manager, Conversation, conversationId, 'Conversation');
    const query = () =>
      manager
        .getRepository(Message)
        .createQueryBuilder('m')
        .select(MESSAGE_COLUMNS.map((column) => `m.${column}`))
        .where('m.conversation_id = :conversationId', { conversationId });
    return keysetPage(query(), args, { alias: 'm', column: 'created_at', type: 'timestamptz', direction: 'DESC' }, () => query().getCount());
  }
}
