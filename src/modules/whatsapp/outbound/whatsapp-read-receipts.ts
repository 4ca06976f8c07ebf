import type { RequestContext } from '../../../platform/graphql/request-context';
import type { Conversation, ReadMessage, ReadReceiptSender } from '../../inbox/inbox.module';
import type { SessionProviders } from '../channels/session-providers';

/**
 * The customer gets a read receipt for the newest message just read (WAHA sendSeen marks the chat
 * up to it; the Cloud API marks earlier messages too). The receipt is a courtesy: it never fails
 * the mutation, nor makes it wait for the provider.
 */
export class WhatsappReadReceipts implements ReadReceiptSender {
  constructor(private readonly providers: SessionProviders) {}

  async sendReadReceipts(ctx: RequestContext, conversation: Conversation, messages: ReadMessage[]): Promise<void> {
    const ids = messages.filter((message) => message.providerMessageId).map((message) => message.id);
    if (ids.length === 0 || !conversation.sessionId) return;
    try {
      const tenantId = ctx.tenant().tenantId;
      const manager = await ctx.tenant().manager();
      const [newest]: Array<{ provider_message_id: string; address: string }> = await manager.query(
        `SELECT m.provider_message_id, COALESCE(ct.phone, ct.whatsapp_id) AS address FROM messages m JOIN contacts ct ON ct.id = $2
          WHERE m.id = ANY($1::uuid[]) ORDER BY m.provider_timestamp DESC NULLS LAST, m.created_at DESC LIMIT 1`,
        [ids, conversation.contactId],
      );
      if (!newest) return;
      // Loaded now: the request's tenant connection is gone once the mutation has answered.
      const { provider } = await this.providers.get(tenantId, conversation.sessionId, manager);
      void provider
        .markSeen({ chatId: newest.address, providerMessageId: newest.provider_message_id })
        .catch((error) => ctx.log.warn({ err: error, conversationId: conversation.id }, 'read receipt not sent'));
    } catch (error) {
      ctx.log.warn({ err: error, conversationId: conversation.id }, 'read receipt not sent');
    }
  }
}
