import type { TenantEvent, TenantEventBus } from '../../../platform/realtime/tenant-events';
import type { DomainEvent, DomainEventConsumer, DomainEventDraft } from '../../../platform/events/domain-event';
import { snapshotOf, snapshotSql } from '../../../platform/events/event-payload';
import { rowFromEvent } from '../../inbox/inbox.module';
import type { WhatsappSession } from './whatsapp-session.entity';
import type { WhatsappSessionType } from './whatsapp-session.types';

const SESSION_FIELDS = [
  'id', 'provider', 'name', 'externalSessionId', 'status', 'engine', 'qrCode', 'phoneNumber', 'lastError', 'createdAt', 'updatedAt',
] as const satisfies ReadonlyArray<keyof WhatsappSession>;
const SESSION_DATES = ['createdAt', 'updatedAt'] as const;

export type WhatsappSessionSnapshotSource = Pick<WhatsappSession, (typeof SESSION_FIELDS)[number]>;

/** A WhatsApp channel changed status, QR or number. */
export function whatsappSessionUpdatedEvent(tenantId: string, session: WhatsappSessionSnapshotSource): TenantEvent {
  return { tenantId, type: 'whatsappSessionUpdated', payload: snapshotOf(session, SESSION_FIELDS) };
}

export const whatsappSessionFromEvent = (event: TenantEvent) => rowFromEvent<WhatsappSessionType>(event, SESSION_FIELDS, SESSION_DATES);

export const WHATSAPP_SESSION_STATUS_CHANGED = 'whatsapp_session.status_changed';

/** Domain event: a channel was connected, changed status, QR code or number, or was stopped. Payload v1: `{ session }`. */
export function whatsappSessionStatusChanged(session: WhatsappSessionSnapshotSource): DomainEventDraft {
  return { type: WHATSAPP_SESSION_STATUS_CHANGED, subjectId: session.id, payload: { session: snapshotOf(session, SESSION_FIELDS) } };
}

/** The same payload in SQL, for the webhook statement that records its event itself. */
export const sessionPayloadSql = (alias: string) => snapshotSql(alias, SESSION_FIELDS, SESSION_DATES);

/** Channel changes reach the `whatsappSessionUpdated` subscribers (the live consumer of this module's events). */
export function whatsappSessionLiveConsumer(bus: TenantEventBus): DomainEventConsumer {
  return {
    name: 'live-whatsapp-sessions',
    handle: async (events: readonly DomainEvent[]) => {
      for (const event of events) {
        const session = event.payload.session as Record<string, unknown> | undefined;
        if (event.type === WHATSAPP_SESSION_STATUS_CHANGED && session) {
          await bus.publish({ tenantId: event.tenantId, type: 'whatsappSessionUpdated', payload: session });
        }
      }
    },
  };
}
