/**
 * Domain events: facts about a tenant's data that a person or a partner could care about
 * (`message.received`, `conversation.assigned`, `member.removed`...). A write records them in the
 * same transaction as the change (the tenant's `domain_events` table); after commit the
 * dispatcher hands them to the consumers: live subscriptions, and later partner webhooks and
 * campaign progress. The same table is the audit log.
 *
 * The platform knows events only by name and JSON payload; each module declares its own types.
 */

/** Who caused an event. */
export type ActorKind = 'USER' | 'API_KEY' | 'PLATFORM_ADMIN' | 'SYSTEM' | 'PROVIDER';

export interface Actor {
  kind: ActorKind;
  /** The user's, key's or admin's id; the provider's name (WAHA, CLOUD, SANDBOX); null for the system. */
  id: string | null;
}

export const SYSTEM_ACTOR: Actor = { kind: 'SYSTEM', id: null };

/** What a write records; id, time and actor are added by the event log. */
export interface DomainEventDraft {
  /** `<aggregate>.<past tense>`, e.g. `conversation.assigned`. */
  type: string;
  /** The payload's shape version; bumped when a field changes meaning or disappears. */
  version?: number;
  /** The row the event is about (a conversation, a contact...), for filtering without the payload. */
  subjectId?: string | null;
  payload: Record<string, unknown>;
}

/** A recorded event, as consumers receive it. */
export interface DomainEvent {
  id: string;
  /** Order of recording within the tenant (gaps possible). */
  seq: string;
  tenantId: string;
  type: string;
  version: number;
  occurredAt: Date;
  actor: Actor;
  subjectId: string | null;
  payload: Record<string, unknown>;
}

/**
 * Something that acts on committed events. `handle` gets them in recording order, at least once:
 * after a crash between commit and dispatch they are handed over again after restart, so a
 * durable consumer must be idempotent (by event id). It must not throw for one bad event: a
 * rejection means "try the whole batch again later".
 */
export interface DomainEventConsumer {
  readonly name: string;
  handle(events: readonly DomainEvent[]): Promise<void>;
}
