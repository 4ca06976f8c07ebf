import type { DomainEventDraft } from '../../platform/events/domain-event';
import { snapshotOf, snapshotSql } from '../../platform/events/event-payload';
import type { Contact } from './contact.entity';

export const ContactEventType = {
  CREATED: 'contact.created',
  UPDATED: 'contact.updated',
  DELETED: 'contact.deleted',
  RESTORED: 'contact.restored',
} as const;

const CONTACT_FIELDS = [
  'id', 'name', 'phone', 'whatsappId', 'email', 'notes', 'optedOut', 'createdAt', 'updatedAt',
] as const satisfies ReadonlyArray<keyof Contact>;

/** Payload v1: `{ contact }`, plus `changes` (field names) for an update. */
export function contactEvent(
  type: (typeof ContactEventType)[keyof typeof ContactEventType],
  contact: Pick<Contact, (typeof CONTACT_FIELDS)[number]>,
  changes?: string[],
): DomainEventDraft {
  return { type, subjectId: contact.id, payload: { contact: snapshotOf(contact, CONTACT_FIELDS), ...(changes ? { changes } : {}) } };
}

/** contactEvent's `contact` payload in SQL, for statements that create contacts themselves (webhook ingest). */
export const contactPayloadSql = (alias: string) => snapshotSql(alias, CONTACT_FIELDS, ['createdAt', 'updatedAt']);
