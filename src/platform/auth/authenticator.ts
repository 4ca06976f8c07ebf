import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import { ApiKey } from '../control/api-key.entity';
import type { Identity } from '../graphql/request-context';
import type { TokenService } from './token-service';

export const API_KEY_PREFIX = 'crm_';

export const hashApiKey = (key: string) => crypto.createHash('sha256').update(key).digest('hex');

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
}

/**
 * Turns an Authorization header (`Bearer <jwt>` or `Bearer crm_<api key>`) into an identity.
 * No header means anonymous (null); a bad one is refused, never downgraded to anonymous.
 */
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly control: DataSource,
  ) {}

  async authenticate(authorization: string | undefined | null): Promise<{ identity: Identity; expiresAt: Date | null } | null> {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authorization must be "Bearer <token>"');
    const credential = match[1];
    if (credential.startsWith(API_KEY_PREFIX)) return { identity: await this.apiKeyIdentity(credential), expiresAt: null };
    return this.tokens.verify(credential);
  }

  private async apiKeyIdentity(key: string): Promise<Identity> {
    const apiKey = await this.control.getRepository(ApiKey).findOneBy({ keyHash: hashApiKey(key) });
    if (!apiKey || apiKey.revokedAt) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid API key');
    return { kind: 'apiKey', apiKeyId: apiKey.id, tenantId: apiKey.tenantId, role: apiKey.role };
  }
}
