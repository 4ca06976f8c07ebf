import type { DomainEventDraft } from '../../platform/events/domain-event';
import type { ContactGroup } from './contact-group.entity';

export const ContactGroupEventType = {
  CREATED: 'contact_group.created',
  UPDATED: 'contact_group.updated',
  DELETED: 'contact_group.deleted',
  CONTACTS_ADDED: 'contact_group.contacts_added',
  CONTACTS_REMOVED: 'contact_group.contacts_removed',
} as const;

/** Payload v1: `{ group: { id, name, description } }`, plus `contactIds` that actually joined or left. */
export function contactGroupEvent(
  type: (typeof ContactGroupEventType)[keyof typeof ContactGroupEventType],
  group: ContactGroup,
  contactIds?: string[],
): DomainEventDraft {
  return {
    type,
    subjectId: group.id,
    payload: { group: { id: group.id, name: group.name, description: group.description }, ...(contactIds ? { contactIds } : {}) },
  };
}
