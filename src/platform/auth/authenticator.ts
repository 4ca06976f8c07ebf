import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import { ApiKey } from '../control/api-key.entity';
import type { Identity } from '../graphql/request-context';
import type { TenantRegistry } from '../tenancy/tenant-registry';
import type { MembershipRoles } from './membership-roles';
import type { TokenService } from './token-service';

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
 * removed from it.
 */
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly control: DataSource,
    private readonly registry: TenantRegistry,
    private readonly memberships: MembershipRoles,
  ) {}

  async authenticate(authorization: string | undefined | null): Promise<{ identity: Identity; expiresAt: Date | null } | null> {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authorization must be "Bearer <token>"');
    const credential = match[1];
    const result = credential.startsWith(API_KEY_PREFIX)
      ? { identity: await this.apiKeyIdentity(credential), expiresAt: null }
      : this.tokens.verify(credential);
    const { identity } = result;
    if (identity.kind !== 'platformAdmin') await this.registry.findActive(identity.tenantId);
    if (identity.kind !== 'user') return result;
    const role = await this.memberships.role(identity.userId, identity.tenantId);
    if (!role) throw new AppError(ErrorCode.UNAUTHENTICATED, 'You are no longer a member of this organisation');
    return { ...result, identity: { ...identity, role } };
  }

  private async apiKeyIdentity(key: string): Promise<Identity> {
    const apiKey = await this.control.getRepository(ApiKey).findOneBy({ keyHash: hashApiKey(key) });
    if (!apiKey || apiKey.revokedAt) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid API key');
    return { kind: 'apiKey', apiKeyId: apiKey.id, tenantId: apiKey.tenantId, role: apiKey.role };
  }
}
