import type { DomainEvent, DomainEventConsumer, DomainEventDraft } from '../../platform/events/domain-event';
import { snapshotOf, snapshotSql } from '../../platform/events/event-payload';
import type { TenantEvent, TenantEventBus } from '../../platform/realtime/tenant-events';
import type { Message } from './message.entity';
import type { MessageType } from './message.types';
import type { Conversation } from './conversation.entity';
import type { ConversationType } from './conversation.types';

/**
 * The inbox's live events, made from its domain events by the live consumer below (no write path
 * publishes by hand). The payload is the row as GraphQL serves it (ISO dates) plus the ids its
 * relation fields load by (contactId, sentByUserId, ...), so a thousand subscribers do not each
 * query the row again, and nothing else: no raw provider payload, no secrets.
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
  return { tenantId, type: 'messageReceived', conversationId: message.conversationId, payload: snapshotOf(message, MESSAGE_FIELDS) };
}

/** A message changed: status up the ladder, failure, read by an agent; also a new outbound message. */
export function messageUpdatedEvent(tenantId: string, message: MessageSnapshotSource): TenantEvent {
  return { tenantId, type: 'messageUpdated', conversationId: message.conversationId, payload: snapshotOf(message, MESSAGE_FIELDS) };
}

/** A conversation changed: new last message, unread count, status, assignee. */
export function conversationUpdatedEvent(tenantId: string, conversation: ConversationSnapshotSource): TenantEvent {
  return {
    tenantId,
    type: 'conversationUpdated',
    conversationId: conversation.id,
    payload: snapshotOf(conversation, CONVERSATION_FIELDS),
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

/*
 * Domain events of the inbox (recorded in the change's transaction, see platform/events). Their
 * payloads (version 1) carry the same snapshots as the live events, so the live consumer below
 * publishes without querying, and partners and the audit log see the row as the API shows it.
 */

export const InboxEventType = {
  MESSAGE_RECEIVED: 'message.received',
  MESSAGE_SENT: 'message.sent',
  MESSAGE_STATUS_CHANGED: 'message.status_changed',
  MESSAGE_REACTION_CHANGED: 'message.reaction_changed',
  CONVERSATION_ASSIGNED: 'conversation.assigned',
  CONVERSATION_CLOSED: 'conversation.closed',
  CONVERSATION_REOPENED: 'conversation.reopened',
  CONVERSATION_READ: 'conversation.read',
} as const;

/** An outbound message was accepted (queued for sending) in its conversation. */
export function messageSent(message: MessageSnapshotSource, conversation: ConversationSnapshotSource): DomainEventDraft {
  return {
    type: InboxEventType.MESSAGE_SENT,
    subjectId: message.id,
    payload: { message: snapshotOf(message, MESSAGE_FIELDS), conversation: snapshotOf(conversation, CONVERSATION_FIELDS) },
  };
}

/**
 * Payloads built in SQL, by the statements that record their events themselves (webhook ingest:
 * `message.received`, `.status_changed`, `.reaction_changed`; the send worker): `alias` names a
 * row source with the messages' or conversations' columns.
 */
export const messagePayloadSql = (alias: string) => snapshotSql(alias, MESSAGE_FIELDS, MESSAGE_DATES);
export const conversationPayloadSql = (alias: string) => snapshotSql(alias, CONVERSATION_FIELDS, CONVERSATION_DATES);

/** A conversation was assigned, closed, reopened or read: `type` says which. */
export function conversationChanged(
  type: (typeof InboxEventType)[
    'CONVERSATION_ASSIGNED' | 'CONVERSATION_CLOSED' | 'CONVERSATION_REOPENED' | 'CONVERSATION_READ'
  ],
  conversation: ConversationSnapshotSource,
  details: Record<string, unknown> = {},
): DomainEventDraft {
  return { type, subjectId: conversation.id, payload: { conversation: snapshotOf(conversation, CONVERSATION_FIELDS), ...details } };
}

/**
 * The first consumer of domain events: the live subscriptions. Each inbox event becomes the
 * live events it has always been (names and shapes unchanged), published to every instance.
 */
export function inboxLiveEventsConsumer(bus: TenantEventBus): DomainEventConsumer {
  return {
    name: 'live-subscriptions',
    handle: async (events) => {
      for (const event of events) {
        for (const live of liveEventsOf(event)) await bus.publish(live);
      }
    },
  };
}

function liveEventsOf(event: DomainEvent): TenantEvent[] {
  const { tenantId, payload } = event;
  // Payload snapshots are already what live events carry (ISO dates stay strings).
  const message = payload.message as MessageSnapshotSource | undefined;
  const conversation = payload.conversation as ConversationSnapshotSource | undefined;
  const live: Array<TenantEvent | null> = [];
  switch (event.type) {
    case InboxEventType.MESSAGE_RECEIVED:
      live.push(message ? messageReceivedEvent(tenantId, message) : null, conversation ? conversationUpdatedEvent(tenantId, conversation) : null);
      break;
    case InboxEventType.MESSAGE_SENT:
      // A new outbound message is a messageUpdated (messageReceived is for what the provider brought).
      live.push(message ? messageUpdatedEvent(tenantId, message) : null, conversation ? conversationUpdatedEvent(tenantId, conversation) : null);
      break;
    case InboxEventType.MESSAGE_STATUS_CHANGED:
    case InboxEventType.MESSAGE_REACTION_CHANGED:
      live.push(message ? messageUpdatedEvent(tenantId, message) : null);
      break;
    case InboxEventType.CONVERSATION_ASSIGNED:
    case InboxEventType.CONVERSATION_CLOSED:
    case InboxEventType.CONVERSATION_REOPENED:
    case InboxEventType.CONVERSATION_READ:
      live.push(conversation ? conversationUpdatedEvent(tenantId, conversation) : null);
      break;
  }
  return live.filter((item): item is TenantEvent => item !== null);
}
