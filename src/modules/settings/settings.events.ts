import type { DomainEventDraft } from '../../platform/events/domain-event';

export const SETTINGS_CHANGED = 'settings.changed';

/**
 * Payload v1: which settings (`scope`: TENANT_CONFIG, MASTER_CONFIG, WHATSAPP_SETTINGS), the key
 * or channel, and the new values. A secret's value never appears: only that it was set.
 */
export function settingsChanged(scope: 'TENANT_CONFIG' | 'MASTER_CONFIG' | 'WHATSAPP_SETTINGS', details: Record<string, unknown>): DomainEventDraft {
  return { type: SETTINGS_CHANGED, payload: { scope, ...details } };
}
