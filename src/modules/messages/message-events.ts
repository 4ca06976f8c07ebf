import { jsonSnapshot } from '../../platform/db/raw-rows';
import type { TenantEvent } from '../../platform/realtime/tenant-events';
import type { Conversation } from '../conversations/conversation.entity';
import type { Message } from './message.entity';

/** Fields of the GraphQL Message type (plus the ids its field resolvers need). */
const MESSAGE_FIELDS = [
  'id',
  'conversationId',
  'direction',
  'fromAddress',
  'toAddress',
  'body',
  'type',
  'status',
  'failureReason',
  'providerTimestamp',
  'readAt',
  'createdAt',
  'updatedAt',
  'sentByUserId',
  'documentId',
  'replyToId',
] as const satisfies readonly (keyof Message)[];

/** Fields of the GraphQL Conversation type (plus the ids its field resolvers need). */
const CONVERSATION_FIELDS = [
  'id',
  'status',
  'unreadCount',
  'lastMessageAt',
  'sessionId',
  'createdAt',
  'updatedAt',
  'contactId',
  'lastMessageId',
  'assigneeUserId',
] as const satisfies readonly (keyof Conversation)[];

/** A new message in a conversation: a customer's, or an outbound one (agent, auto-reply, the linked phone). */
export function messageReceived(tenantId: string, message: Message): TenantEvent {
  return { tenantId, type: 'messageReceived', conversationId: message.conversationId, payload: jsonSnapshot(message, MESSAGE_FIELDS) };
}

/** A message changed, e.g. its delivery status moved up the ladder. */
export function messageUpdated(tenantId: string, message: Message): TenantEvent {
  return { tenantId, type: 'messageUpdated', conversationId: message.conversationId, payload: jsonSnapshot(message, MESSAGE_FIELDS) };
}

export function conversationUpdated(tenantId: string, conversation: Conversation): TenantEvent {
  return {
    tenantId,
    type: 'conversationUpdated',
    conversationId: conversation.id,
    payload: jsonSnapshot(conversation, CONVERSATION_FIELDS),
  };
}
