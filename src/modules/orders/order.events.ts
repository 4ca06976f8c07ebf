import type { DomainEventDraft } from '../../platform/events/domain-event';
import { snapshotOf } from '../../platform/events/event-payload';
import type { Order } from './order.entity';

export const OrderEventType = {
  CREATED: 'order.created',
  STATUS_CHANGED: 'order.status_changed',
  ITEMS_CHANGED: 'order.items_changed',
} as const;

const ORDER_FIELDS = ['id', 'contactId', 'status', 'currency', 'totalCents', 'notes', 'createdAt', 'updatedAt'] as const satisfies ReadonlyArray<
  keyof Order
>;

/** Payload v1: `{ order }` (with its total after the change), plus what the type needs (`previousStatus`, `items`). */
export function orderEvent(
  type: (typeof OrderEventType)[keyof typeof OrderEventType],
  order: Pick<Order, (typeof ORDER_FIELDS)[number]>,
  details: Record<string, unknown> = {},
): DomainEventDraft {
  return { type, subjectId: order.id, payload: { order: snapshotOf(order, ORDER_FIELDS), ...details } };
}
