import { jsonSnapshot } from '../../platform/db/raw-rows';
import type { TenantEvent } from '../../platform/realtime/tenant-events';
import type { WhatsappSession } from './whatsapp-session.entity';

/** Fields of the GraphQL WhatsappSession type; credentials are never among them. */
const SESSION_FIELDS = [
  'id',
  'provider',
  'name',
  'externalSessionId',
  'status',
  'qrCode',
  'phoneNumber',
  'engine',
  'lastError',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof WhatsappSession)[];

export function whatsappSessionUpdated(tenantId: string, session: WhatsappSession): TenantEvent {
  return { tenantId, type: 'whatsappSessionUpdated', payload: jsonSnapshot(session, SESSION_FIELDS) };
}
