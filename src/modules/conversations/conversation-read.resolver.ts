import { isUUID } from 'class-validator';
import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { AppServices } from '../../app-services';
import { notFound } from '../../platform/errors';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import { conversationUpdated } from '../messages/message-events';
import { markConversationRead } from './conversation-read.service';
import { ConversationType } from './conversation.types';

@Resolver()
export class ConversationReadResolver {
  constructor(private readonly services: AppServices) {}

  @Authorized(Access.WORK)
  @Mutation(() => ConversationType, {
    description: "Marks the conversation's inbound messages read (unreadCount 0) and sends the customer a read receipt",
  })
  async markConversationRead(@Arg('conversationId', () => ID) conversationId: string, @Ctx() ctx: RequestContext): Promise<ConversationType> {
    if (!isUUID(conversationId)) throw notFound('Conversation');
    const tenant = ctx.tenant();
    const manager = await tenant.manager();
    const read = await markConversationRead(manager, conversationId);
    await this.services.events.publish(conversationUpdated(tenant.tenantId, read.conversation));
    const sessionId = read.conversation.sessionId;
    if (read.newestReadProviderMessageId && sessionId) {
      // The receipt is a courtesy to the customer: it never fails the mutation, nor waits for the
      // provider. (The handle is loaded now: the request's tenant connection is gone afterwards.)
      const { provider } = await this.services.whatsapp.providers.get(tenant.tenantId, sessionId, manager);
      void provider
        .markSeen({ chatId: read.contactPhone, providerMessageId: read.newestReadProviderMessageId })
        .catch((error) => ctx.log.warn({ err: error, conversationId }, 'read receipt not sent'));
    }
    return read.conversation as unknown as ConversationType;
  }
}
