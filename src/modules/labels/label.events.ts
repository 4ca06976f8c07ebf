import type { DomainEventDraft } from '../../platform/events/domain-event';
import type { Label } from './label.entity';

export const LabelEventType = {
  CREATED: 'label.created',
  UPDATED: 'label.updated',
  DELETED: 'label.deleted',
  CONTACT_LABELED: 'contact.labeled',
  CONTACT_UNLABELED: 'contact.unlabeled',
  CONVERSATION_LABELED: 'conversation.labeled',
  CONVERSATION_UNLABELED: 'conversation.unlabeled',
} as const;

/**
 * Payload v1: `{ label: { id, name, color } }`; putting a label on or off a contact or a
 * conversation is about that row (`subjectId`), with its id in `contactId` / `conversationId`.
 */
export function labelEvent(type: (typeof LabelEventType)[keyof typeof LabelEventType], label: Label, ownerId?: string): DomainEventDraft {
  const payload: Record<string, unknown> = { label: { id: label.id, name: label.name, color: label.color } };
  if (type === LabelEventType.CONTACT_LABELED || type === LabelEventType.CONTACT_UNLABELED) payload.contactId = ownerId;
  if (type === LabelEventType.CONVERSATION_LABELED || type === LabelEventType.CONVERSATION_UNLABELED) payload.conversationId = ownerId;
  return { type, subjectId: ownerId ?? label.id, payload };
}
