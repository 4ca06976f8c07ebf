import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Actor, DomainEvent, DomainEventConsumer, DomainEventDraft } from '../../platform/events/domain-event';
import type { EventDispatcher } from '../../platform/events/event-dispatcher';
import { appendEvents } from '../../platform/events/event-log';
import type { Logger } from '../../platform/logger';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import { InboxEventType, messageSent, MessageType } from '../inbox/inbox.module';
import type { OutboundQueue } from '../whatsapp/whatsapp.module';

/** Tenant config keys (setTenantConfig): the words that opt a customer out, and the one confirmation they get. */
export const OPT_OUT_KEYWORDS_KEY = 'campaigns.optOutKeywords';
export const OPT_OUT_CONFIRMATION_KEY = 'campaigns.optOutConfirmation';
export const DEFAULT_OPT_OUT_KEYWORDS = ['STOP'];
export const DEFAULT_OPT_OUT_CONFIRMATION = 'You will not receive our campaigns any more.';

export const CONTACT_OPTED_OUT = 'contact.opted_out';
export const CONTACT_OPTED_IN = 'contact.opted_in';

const OPT_OUT_ACTOR: Actor = { kind: 'SYSTEM', id: 'campaign-opt-outs' };

/** A contact's opt-out changed. Payload v1: `{ contact: { id, optedOut }, reason }`. */
export function optOutChanged(contactId: string, optedOut: boolean, reason: string): DomainEventDraft {
  return { type: optedOut ? CONTACT_OPTED_OUT : CONTACT_OPTED_IN, subjectId: contactId, payload: { contact: { id: contactId, optedOut }, reason } };
}

/** The tenant's keywords (any language), upper-cased; the default when none are set or the value is not a list of words. */
export async function optOutKeywords(manager: EntityManager): Promise<string[]> {
  const [row]: Array<{ value: unknown }> = await manager.query('SELECT value FROM tenant_config WHERE key = $1', [OPT_OUT_KEYWORDS_KEY]);
  const value = row?.value;
  if (!Array.isArray(value)) return DEFAULT_OPT_OUT_KEYWORDS;
  const words = value.filter((word): word is string => typeof word === 'string' && word.trim().length > 0).map((word) => word.trim().toUpperCase());
  return words.length > 0 ? words : DEFAULT_OPT_OUT_KEYWORDS;
}

/** A message is an opt-out when it is one keyword alone (case, spaces and end punctuation aside). */
export function isOptOut(body: string | null, keywords: readonly string[]): boolean {
  if (!body) return false;
  const word = body.trim().replace(/[.!?]+$/, '').trim().toUpperCase();
  return keywords.includes(word);
}

/**
 * A customer who writes an opt-out keyword is marked opted out and gets one confirmation (stored
 * and sent like any outbound message, in the same transaction as the flag: at-least-once delivery
 * of the event cannot confirm twice, since only the change of the flag confirms). Inbound
 * customer messages only: what the business writes never opts anyone out.
 */
export function optOutConsumer(deps: { router: TenantRouter; outbound: OutboundQueue; dispatcher: Pick<EventDispatcher, 'dispatch'>; log: Logger }): DomainEventConsumer {
  return {
    name: 'campaign-opt-outs',
    handle: async (events: readonly DomainEvent[]) => {
      const received = events.filter((event) => event.type === InboxEventType.MESSAGE_RECEIVED);
      if (received.length === 0) return;
      const tenantId = received[0].tenantId;
      const keywords = await deps.router.withTenant(tenantId, (manager) => optOutKeywords(manager));
      for (const event of received) {
        const message = event.payload.message as { direction: string; body: string | null; fromAddress: string } | undefined;
        const conversation = event.payload.conversation as { id: string; contactId: string; sessionId: string | null } | undefined;
        if (!message || !conversation || message.direction !== 'INBOUND' || !isOptOut(message.body, keywords)) continue;
        await optOut(deps, tenantId, conversation);
      }
    },
  };
}

async function optOut(
  deps: { router: TenantRouter; outbound: OutboundQueue; dispatcher: Pick<EventDispatcher, 'dispatch'> },
  tenantId: string,
  conversation: { id: string; contactId: string; sessionId: string | null },
): Promise<void> {
  const messageId = randomUUID();
  let queued = false;
  try {
    const events = await deps.router.withTenant(tenantId, (manager) =>
      manager.transaction(async (tx) => {
        const [changed]: [Array<{ id: string; address: string }>, number] = await tx.query(
          `UPDATE contacts SET opted_out = true, updated_at = now() WHERE id = $1 AND NOT opted_out RETURNING id, COALESCE(phone, whatsapp_id) AS address`,
          [conversation.contactId],
        );
        if (changed.length === 0) return [];
        const drafts: DomainEventDraft[] = [optOutChanged(conversation.contactId, true, 'keyword')];
        const [session]: Array<{ phone_number: string | null; external_session_id: string; status: string }> = conversation.sessionId
          ? await tx.query('SELECT phone_number, external_session_id, status FROM whatsapp_sessions WHERE id = $1', [conversation.sessionId])
          : [];
        const quota = session && changed[0].address ? await deps.outbound.claimMonthlyMessage(tx, tenantId) : { ok: false };
        if (session && quota.ok) {
          const [row]: Array<{ value: unknown }> = await tx.query('SELECT value FROM tenant_config WHERE key = $1', [OPT_OUT_CONFIRMATION_KEY]);
          const body = typeof row?.value === 'string' && row.value.trim() ? row.value : DEFAULT_OPT_OUT_CONFIRMATION;
          await deps.outbound.enqueueMany(tenantId, [{ id: messageId }]);
          queued = true;
          const stored = await deps.outbound.insertQueued(tx, {
            id: messageId,
            conversationId: conversation.id,
            fromAddress: session.phone_number ?? session.external_session_id,
            toAddress: changed[0].address,
            body,
            type: MessageType.TEXT,
          });
          drafts.push(messageSent(stored.message, stored.conversation));
        }
        return appendEvents(tx, tenantId, OPT_OUT_ACTOR, drafts);
      }),
    );
    await deps.dispatcher.dispatch(tenantId, events);
    if (queued) deps.outbound.wake();
  } catch (error) {
    if (queued) await deps.outbound.cancelMany([messageId]);
    throw error;
  }
}
