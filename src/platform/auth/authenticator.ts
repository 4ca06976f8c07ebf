import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import { ApiKey } from '../control/api-key.entity';
import type { Identity } from '../graphql/request-context';
import type { TenantRegistry } from '../tenancy/tenant-registry';
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
 * so a suspension stops every operation at once, not only those that touch tenant data.
 */
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly control: DataSource,
    private readonly registry: TenantRegistry,
  ) {}

  async authenticate(authorization: string | undefined | null): Promise<{ identity: Identity; expiresAt: Date | null } | null> {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authorization must be "Bearer <token>"');
    const credential = match[1];
    const result = credential.startsWith(API_KEY_PREFIX)
      ? { identity: await this.apiKeyIdentity(credential), expiresAt: null }
      : this.tokens.verify(credential);
    if (result.identity.kind !== 'platformAdmin') await this.registry.findActive(result.identity.tenantId);
    return result;
  }

  private async apiKeyIdentity(key: string): Promise<Identity> {
    const apiKey = await this.control.getRepository(ApiKey).findOneBy({ keyHash: hashApiKey(key) });
    if (!apiKey || apiKey.revokedAt) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid API key');
    return { kind: 'apiKey', apiKeyId: apiKey.id, tenantId: apiKey.tenantId, role: apiKey.role };
  }
}
