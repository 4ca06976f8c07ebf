import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError, ErrorCode } from '../errors';
import { TenantRole } from '../control/membership.entity';
import type { Identity } from '../graphql/request-context';
import { TtlCache } from '../ttl-cache';

const ALGORITHM = 'HS256';
const ROLES = new Set<string>(Object.values(TenantRole));

type UserClaims = { typ: 'user'; tid: string; role: TenantRole };
type AdminClaims = { typ: 'platform_admin' };

/**
 * Signs and verifies access tokens. The algorithm is pinned (no `none`, no RS/HS confusion),
 * and issuer, audience and expiry are always checked; tenant and role come from here only.
 */
export class TokenService {
  /**
   * The secret as a KeyObject, made once: given a string, jsonwebtoken first tries to parse it as
   * a PEM public key on every verify and fails (about 1.3 ms per request, against 0.04 ms).
   */
  private readonly key: crypto.KeyObject;
  /**
   * Tokens that verified, with what they hold: a client sends the same token with every request,
   * and verifying it again (HMAC, base64 and JSON) is a tenth of a millisecond each time. Only good
   * tokens are kept, each no longer than its own expiry (and a minute); the checks that can change
   * (membership, role, tenant status) run on every request regardless (Authenticator.recheck).
   */
  private readonly verified = new TtlCache<string, { identity: Identity; expiresAt: Date }>({
    ttlMs: 60_000,
    maxEntries: 10_000,
    ttlFor: (value) => Math.min(60_000, value.expiresAt.getTime() - Date.now()),
  });

  constructor(
    private readonly options: { secret: string; issuer: string; audience: string; ttlSeconds: number },
  ) {
    this.key = crypto.createSecretKey(Buffer.from(options.secret, 'utf8'));
  }

  signUser(identity: { userId: string; tenantId: string; role: TenantRole }): { token: string; expiresAt: Date } {
    const claims: UserClaims = { typ: 'user', tid: identity.tenantId, role: identity.role };
    return this.sign(identity.userId, claims);
  }

  signPlatformAdmin(adminId: string): { token: string; expiresAt: Date } {
    const claims: AdminClaims = { typ: 'platform_admin' };
    return this.sign(adminId, claims);
  }

  /** The identity in a token plus its expiry; UNAUTHENTICATED for anything not exactly right. */
  verify(token: string): { identity: Identity; expiresAt: Date } {
    const known = this.verified.get(token);
    if (known && known.expiresAt.getTime() > Date.now()) return known;
    const result = this.verifyAfresh(token);
    Object.freeze(result.identity);
    this.verified.set(token, result);
    return result;
  }

  private verifyAfresh(token: string): { identity: Identity; expiresAt: Date } {
    let payload: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        complete: false,
      });
      if (typeof decoded === 'string') throw new Error('unexpected string payload');
      payload = decoded;
    } catch (error) {
      const reason = error instanceof jwt.TokenExpiredError ? 'Token expired' : 'Invalid token';
      throw new AppError(ErrorCode.UNAUTHENTICATED, reason);
    }
    const expiresAt = new Date((payload.exp ?? 0) * 1000);
    if (typeof payload.sub !== 'string' || !payload.exp) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid token');
    if (payload.typ === 'user' && typeof payload.tid === 'string' && ROLES.has(payload.role)) {
      return { identity: { kind: 'user', userId: payload.sub, tenantId: payload.tid, role: payload.role }, expiresAt };
    }
    if (payload.typ === 'platform_admin') return { identity: { kind: 'platformAdmin', adminId: payload.sub }, expiresAt };
    throw new AppError(ErrorCode.UNAUTHENTICATED, 'Invalid token');
  }

  private sign(subject: string, claims: object): { token: string; expiresAt: Date } {
    const token = jwt.sign(claims, this.key, {
      algorithm: ALGORITHM,
      subject,
      issuer: this.options.issuer,
      audience: this.options.audience,
      expiresIn: this.options.ttlSeconds,
    });
    return { token, expiresAt: new Date(Date.now() + this.options.ttlSeconds * 1000) };
  }
}
