import type { TenantEvent } from '../../platform/realtime/tenant-events';
import type { MessageType } from '../messages/message.types';
import type { ConversationType } from '../conversations/conversation.types';
import type { WhatsappSessionType } from '../whatsapp-sessions/whatsapp-session.types';

/**
 * Reads the inbox's live events back into the objects the GraphQL types resolve from.
 * Publishers build them, after commit, in messages/message-events.ts (messageReceived,
 * messageUpdated, conversationUpdated) and whatsapp-sessions/whatsapp-session.events.ts: the
 * row as GraphQL serves it (ISO dates) plus the ids its relation fields load by.
 */

const MESSAGE_DATES = ['providerTimestamp', 'readAt', 'createdAt', 'updatedAt'] as const;
const CONVERSATION_DATES = ['lastMessageAt', 'createdAt', 'updatedAt'] as const;
const SESSION_DATES = ['createdAt', 'updatedAt'] as const;

export const messageFromEvent = (event: TenantEvent) => fromEvent<MessageType>(event, MESSAGE_DATES);
export const conversationFromEvent = (event: TenantEvent) => fromEvent<ConversationType>(event, CONVERSATION_DATES);
export const whatsappSessionFromEvent = (event: TenantEvent) => fromEvent<WhatsappSessionType>(event, SESSION_DATES);

/** One event object reaches every local subscriber of its tenant: revive its row once for all of them. */
const revivedRows = new WeakMap<TenantEvent, unknown>();

/** The snapshot with its dates as Dates again (null when absent). */
function fromEvent<T>(event: TenantEvent, dates: readonly string[]): T {
  let row = revivedRows.get(event) as Record<string, unknown> | undefined;
  if (!row) {
    row = { ...event.payload };
    for (const field of dates) {
      const value = row[field];
      row[field] = typeof value === 'string' ? new Date(value) : null;
    }
    revivedRows.set(event, row);
  }
  return row as T;
}
