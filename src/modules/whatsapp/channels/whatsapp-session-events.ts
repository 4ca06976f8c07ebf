import type { TenantEvent } from '../../../platform/realtime/tenant-events';
import { snapshotOf } from '../../../platform/events/event-payload';
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
