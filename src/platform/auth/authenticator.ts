import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import { ApiKey } from '../control/api-key.entity';
import type { Identity } from '../graphql/request-context';
import type { TenantRegistry } from '../tenancy/tenant-registry';
import type { MembershipRoles } from './membership-roles';
import type { CredentialStatus } from './credential-status';
import type { TokenService } from './token-service';
import { TtlCache } from '../ttl-cache';

export const API_KEY_PREFIX = 'crm_';

export const hashApiKey = (key: string) => crypto.createHash('sha256').update(key).digest('hex');

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
}

/**
 * Turns an Authorization header (`Bearer <jwt>` or `Bearer crm_<api key>`) into an identity.
 * No header means anonymous (null); a bad one is refused, never downgraded to anonymous.
 * A tenant identity is accepted only while its tenant is ACTIVE (TENANT_NOT_ACTIVE otherwise),
 * so a suspension stops every operation at once, not only those that touch tenant data. A user
 * acts with their current role in the tenant, not the one in their token, and not at all once
 * removed from it. A platform admin's token works only while the admin exists. recheck() applies
 * the same cached checks to an identity already admitted, for every operation of an open socket.
 */
export class Authenticator {
  /** Keys whose lastUsedAt this process wrote in the last minute. */
  private readonly recentlyUsed = new TtlCache<string, true>({ ttlMs: 60_000, maxEntries: 100_000 });

  constructor(
    private readonly tokens: TokenService,
    private readonly control: DataSource,
    private readonly registry: TenantRegistry,
    private readonly memberships: MembershipRoles,
    private readonly credentials: CredentialStatus,
  ) {}

  async authenticate(authorization: string | undefined | null): Promise<{ identity: Identity; expiresAt: Date | null } | null> {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authorization must be "Bearer <token>"');
    const credential = match[1];
    const result = credential.startsWith(API_KEY_PREFIX)
      ? await this.apiKeyIdentity(credential)
      : this.tokens.verify(credential);
    return { ...result, identity: await this.recheck(result.identity) };
  }

  /**
   * The identity as it stands now (cached for TENANT_CACHE_TTL_MS): the user's current role, and
   * UNAUTHENTICATED when the member was removed, the API key revoked or the platform admin
   * deleted; TENANT_NOT_ACTIVE when the tenant may not act.
   */
  async recheck(identity: Identity): Promise<Identity> {
    if (identity.kind === 'platformAdmin') {
      if (!(await this.credentials.platformAdminExists(identity.adminId))) {
        throw new AppError(ErrorCode.UNAUTHENTICATED, 'This platform admin no longer exists');
      }
      return identity;
    }
    if (identity.kind === 'apiKey') {
      const key = await this.credentials.apiKey(identity.apiKeyId);
      if (!key || key.revoked || key.tenantId !== identity.tenantId) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This API key was revoked');
      if (key.keyHash !== identity.keyHash) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This API key was rotated: use its new secret');
      if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This API key has expired');
    }
    await this.registry.findActive(identity.tenantId);
    if (identity.kind !== 'user') return identity;
    const role = await this.memberships.role(identity.userId, identity.tenantId);
    if (!role) throw new AppError(ErrorCode.UNAUTHENTICATED, 'You are no longer a member of this organisation');
    return role === identity.role ? identity : { ...identity, role };
  }

  private async apiKeyIdentity(key: string): Promise<{ identity: Identity; expiresAt: Date | null }> {
    const apiKey = await this.control.getRepository(ApiKey).findOneBy({ keyHash: hashApiKey(key) });
    if (!apiKey || apiKey.revokedAt) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid API key');
    if (apiKey.expiresAt && apiKey.expiresAt.getTime() <= Date.now()) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This API key has expired');
    this.touch(apiKey.id);
    return {
      identity: { kind: 'apiKey', apiKeyId: apiKey.id, tenantId: apiKey.tenantId, role: apiKey.role, scopes: apiKey.scopes, keyHash: apiKey.keyHash },
      expiresAt: apiKey.expiresAt,
    };
  }

  /** Records when a key was last used: at most once a minute per key and process, in the background. */
  private touch(apiKeyId: string): void {
    if (this.recentlyUsed.get(apiKeyId)) return;
    this.recentlyUsed.set(apiKeyId, true);
    void this.control
      .query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [apiKeyId])
      .catch(() => this.recentlyUsed.delete(apiKeyId));
  }
}
