import type { MembershipRoles } from './membership-roles';
import type { CredentialStatus } from './credential-status';
import type { TenantRegistry } from '../tenancy/tenant-registry';

/** What changed: every identity it may concern must be checked again. */
export type IdentityChange =
  | { kind: 'member'; userId: string; tenantId: string }
  | { kind: 'apiKey'; apiKeyId: string; tenantId: string }
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'platformAdmin'; adminId: string };

type Listener = (change: IdentityChange) => void;

/**
 * The in-process notice that an identity may have lost access (member removed or their role
 * changed, API key revoked, tenant suspended, platform admin deleted). Resolvers call it after
 * their change commits: it drops the cached answers here and tells listeners (the graphql-ws
 * server, which re-checks and closes the matching sockets at once). Other instances notice
 * within TENANT_CACHE_TTL_MS, when their cached entries expire and their sockets are re-checked.
 */
export class IdentityChanges {
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly caches: { memberships: MembershipRoles; credentials: CredentialStatus; registry: TenantRegistry },
  ) {}

  memberChanged(userId: string, tenantId: string): void {
    this.caches.memberships.forget(userId, tenantId);
    this.emit({ kind: 'member', userId, tenantId });
  }

  apiKeyRevoked(apiKeyId: string, tenantId: string): void {
    this.caches.credentials.forgetApiKey(apiKeyId);
    this.emit({ kind: 'apiKey', apiKeyId, tenantId });
  }

  tenantChanged(tenantId: string): void {
    this.caches.registry.invalidate(tenantId);
    this.emit({ kind: 'tenant', tenantId });
  }

  platformAdminRemoved(adminId: string): void {
    this.caches.credentials.forgetPlatformAdmin(adminId);
    this.emit({ kind: 'platformAdmin', adminId });
  }

  /** Returns the unsubscribe function. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: IdentityChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
