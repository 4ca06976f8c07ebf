import type { DataSource } from 'typeorm';
import { TtlCache } from '../ttl-cache';
import { ApiKey } from '../control/api-key.entity';
import { PlatformAdmin } from '../control/platform-admin.entity';
import type { TenantRole } from '../control/membership.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ApiKeyStatus {
  tenantId: string;
  role: TenantRole;
  revoked: boolean;
  expiresAt: Date | null;
  keyHash: string;
}

/**
 * Whether an API key (by id) is still usable and a platform admin still exists, from the control
 * database, cached for the tenant cache's TTL like memberships and tenants. Open sockets re-check
 * their identity against this on every operation, so a revocation or deletion takes effect within
 * the TTL on every instance (at once on the instance that made it, which forgets the entry).
 */
export class CredentialStatus {
  private readonly apiKeys: TtlCache<string, ApiKeyStatus | null>;
  private readonly admins: TtlCache<string, boolean>;

  constructor(
    private readonly control: DataSource,
    ttlMs: number,
  ) {
    this.apiKeys = new TtlCache({ ttlMs, maxEntries: 50_000 });
    this.admins = new TtlCache({ ttlMs, maxEntries: 1_000 });
  }

  /** null: no such key. */
  apiKey(apiKeyId: string): Promise<ApiKeyStatus | null> {
    if (!UUID.test(apiKeyId)) return Promise.resolve(null);
    return this.apiKeys.getOrLoad(apiKeyId, async () => {
      const key = await this.control.getRepository(ApiKey).findOne({
        where: { id: apiKeyId },
        select: { id: true, tenantId: true, role: true, revokedAt: true, expiresAt: true, keyHash: true },
      });
      return key ? { tenantId: key.tenantId, role: key.role, revoked: key.revokedAt !== null, expiresAt: key.expiresAt, keyHash: key.keyHash } : null;
    });
  }

  platformAdminExists(adminId: string): Promise<boolean> {
    if (!UUID.test(adminId)) return Promise.resolve(false);
    return this.admins.getOrLoad(adminId, () => this.control.getRepository(PlatformAdmin).existsBy({ id: adminId }));
  }

  forgetApiKey(apiKeyId: string): void {
    this.apiKeys.delete(apiKeyId);
  }

  forgetPlatformAdmin(adminId: string): void {
    this.admins.delete(adminId);
  }
}
