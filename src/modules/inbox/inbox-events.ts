import type { TenantEvent } from '../../platform/realtime/tenant-events';
import type { Message } from './message.entity';
import type { MessageType } from './message.types';
import type { Conversation } from './conversation.entity';
import type { ConversationType } from './conversation.types';

/**
 * The inbox's live events. Publishers (webhooks, sends, agents) build them here from the
 * committed row, after commit:
 *
 *   await events.publish(messageReceivedEvent(tenantId, message));
 *
 * The payload is the row as GraphQL serves it (ISO dates) plus the ids its relation fields load
 * by (contactId, sentByUserId, ...), so a thousand subscribers do not each query the row again,
 * and nothing else: no raw provider payload, no secrets.
 */

const MESSAGE_FIELDS = [
  'id', 'conversationId', 'direction', 'fromAddress', 'toAddress', 'body', 'type', 'status', 'failureReason',
  'providerTimestamp', 'readAt', 'createdAt', 'updatedAt', 'sentByUserId', 'documentId', 'replyToId',
] as const satisfies ReadonlyArray<keyof Message>;
const MESSAGE_DATES = ['providerTimestamp', 'readAt', 'createdAt', 'updatedAt'] as const;

const CONVERSATION_FIELDS = [
  'id', 'status', 'unreadCount', 'lastMessageAt', 'sessionId', 'createdAt', 'updatedAt', 'contactId', 'lastMessageId',
  'assigneeUserId',
] as const satisfies ReadonlyArray<keyof Conversation>;
const CONVERSATION_DATES = ['lastMessageAt', 'createdAt', 'updatedAt'] as const;


export type MessageSnapshotSource = Pick<Message, (typeof MESSAGE_FIELDS)[number]>;
export type ConversationSnapshotSource = Pick<Conversation, (typeof CONVERSATION_FIELDS)[number]>;

/** An inbound message was stored. */
export function messageReceivedEvent(tenantId: string, message: MessageSnapshotSource): TenantEvent {
  return { tenantId, type: 'messageReceived', conversationId: message.conversationId, payload: snapshotRow(message, MESSAGE_FIELDS) };
}

/** A message changed: status up the ladder, failure, read by an agent; also a new outbound message. */
export function messageUpdatedEvent(tenantId: string, message: MessageSnapshotSource): TenantEvent {
  return { tenantId, type: 'messageUpdated', conversationId: message.conversationId, payload: snapshotRow(message, MESSAGE_FIELDS) };
}

/** A conversation changed: new last message, unread count, status, assignee. */
export function conversationUpdatedEvent(tenantId: string, conversation: ConversationSnapshotSource): TenantEvent {
  return {
    tenantId,
    type: 'conversationUpdated',
    conversationId: conversation.id,
    payload: snapshotRow(conversation, CONVERSATION_FIELDS),
  };
}

export const messageFromEvent = (event: TenantEvent) => rowFromEvent<MessageType>(event, MESSAGE_FIELDS, MESSAGE_DATES);
export const conversationFromEvent = (event: TenantEvent) =>
  rowFromEvent<ConversationType>(event, CONVERSATION_FIELDS, CONVERSATION_DATES);

/** One event object reaches every local subscriber of its tenant: revive its row once for all of them. */
const revivedRows = new WeakMap<TenantEvent, unknown>();

export function rowFromEvent<T>(event: TenantEvent, fields: readonly string[], dates: readonly string[]): T {
  let row = revivedRows.get(event);
  if (!row) revivedRows.set(event, (row = revive(event.payload, fields, dates)));
  return row as T;
}

/** The JSON payload of a live event: the given fields of the row, dates as ISO strings. */
export function snapshotRow<Row>(row: Row, fields: ReadonlyArray<keyof Row>): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const field of fields) {
    const value = row[field];
    payload[field as string] = value instanceof Date ? value.toISOString() : (value ?? null);
  }
  return payload;
}

/** Back to the object the GraphQL type's resolvers expect: known fields only, dates as Dates. */
function revive<T>(payload: Record<string, unknown>, fields: readonly string[], dates: readonly string[]): T {
  const row: Record<string, unknown> = {};
  for (const field of fields) row[field] = payload[field] ?? null;
  for (const field of dates) {
    const value = row[field];
    row[field] = typeof value === 'string' ? new Date(value) : null;
  }
  return row as T;
}
