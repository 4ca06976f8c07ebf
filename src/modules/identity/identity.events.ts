import type { DomainEventDraft } from '../../platform/events/domain-event';
import type { ApiKey } from '../../platform/control/api-key.entity';
import type { TenantRole } from '../../platform/control/membership.entity';

export const IdentityEventType = {
  MEMBER_ADDED: 'member.added',
  MEMBER_ROLE_CHANGED: 'member.role_changed',
  MEMBER_REMOVED: 'member.removed',
  MEMBER_INVITED: 'member.invited',
  MEMBER_INVITATION_REVOKED: 'member.invitation_revoked',
  MEMBER_INVITATION_DECLINED: 'member.invitation_declined',
  API_KEY_CREATED: 'api_key.created',
  API_KEY_REVOKED: 'api_key.revoked',
  API_KEY_ROTATED: 'api_key.rotated',
} as const;

/** Payload v1: `{ member: { userId, role }, previousRole? }`; never a password or an email of another tenant's account. */
export function memberEvent(
  type: (typeof IdentityEventType)['MEMBER_ADDED' | 'MEMBER_ROLE_CHANGED' | 'MEMBER_REMOVED'],
  member: { userId: string; role: TenantRole },
  previousRole?: TenantRole,
): DomainEventDraft {
  return { type, subjectId: member.userId, payload: { member, ...(previousRole ? { previousRole } : {}) } };
}

/** Payload v1: `{ apiKey: { id, name, role, expiresAt, scopes } }`; never the secret or its hash. */
export function apiKeyEvent(
  type: (typeof IdentityEventType)['API_KEY_CREATED' | 'API_KEY_REVOKED' | 'API_KEY_ROTATED'],
  apiKey: Pick<ApiKey, 'id' | 'name' | 'role' | 'expiresAt' | 'scopes'>,
): DomainEventDraft {
  const { id, name, role, expiresAt, scopes } = apiKey;
  return { type, subjectId: id, payload: { apiKey: { id, name, role, expiresAt: expiresAt?.toISOString() ?? null, scopes: scopes ?? null } } };
}

/**
 * Payload v1: `{ invitation: { id, email, role, expiresAt } }`. Never the token (nor its hash); the
 * email is the one the tenant's admin typed, so it tells the tenant nothing of any account.
 */
export function invitationEvent(
  type: (typeof IdentityEventType)['MEMBER_INVITED' | 'MEMBER_INVITATION_REVOKED' | 'MEMBER_INVITATION_DECLINED'],
  invitation: { id: string; email: string; role: TenantRole; expiresAt: Date },
): DomainEventDraft {
  const { id, email, role, expiresAt } = invitation;
  return { type, subjectId: id, payload: { invitation: { id, email, role, expiresAt: expiresAt.toISOString() } } };
}
