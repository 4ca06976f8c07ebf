import type { EntityManager } from 'typeorm';
import { camelizeRow } from '../../platform/db/raw-rows';
import { notFound } from '../../platform/errors';
import type { Conversation } from './conversation.entity';

export interface ConversationRead {
  conversation: Conversation;
  /** The newest message this call marked read (for the provider's read receipt); null when nothing was unread. */
  newestReadProviderMessageId: string | null;
  contactPhone: string;
}

/**
 * Marks every unread inbound message of a conversation read and zeroes its unread count, in one
 * statement (the partial index IDX_messages_unread_inbound finds exactly the unread ones).
 */
export async function markConversationRead(manager: EntityManager, conversationId: string): Promise<ConversationRead> {
  const [rows]: [Array<Record<string, unknown>>, number] = await manager.query(
    `WITH newly_read AS (
       UPDATE messages SET read_at = now()
        WHERE conversation_id = $1 AND direction = 'INBOUND' AND read_at IS NULL
       RETURNING provider_message_id, provider_timestamp, created_at
     )
     UPDATE conversations c SET unread_count = 0, updated_at = now()
       FROM contacts ct
      WHERE c.id = $1 AND ct.id = c.contact_id
     RETURNING c.*, ct.phone AS contact_phone,
       (SELECT provider_message_id FROM newly_read WHERE provider_message_id IS NOT NULL
         ORDER BY provider_timestamp DESC NULLS LAST, created_at DESC LIMIT 1) AS newest_read`,
    [conversationId],
  );
  const row = rows[0];
  if (!row) throw notFound('Conversation');
  const { contact_phone: contactPhone, newest_read: newest, ...conversation } = row;
  return {
    conversation: camelizeRow<Conversation>(conversation),
    newestReadProviderMessageId: (newest as string | null) ?? null,
    contactPhone: contactPhone as string,
  };
}
