import crypto from 'node:crypto';

/** Why a signed media URL was refused. */
export type MediaUrlRefusal = 'INVALID_SIGNATURE' | 'EXPIRED';

export interface SignedMediaUrl {
  /** Relative to the API's origin: `/media/<tenantId>/<documentId>?exp=<unix>&sig=<base64url>`. */
  url: string;
  expiresAt: Date;
}

const EXP = /^\d{1,12}$/;
const SIG = /^[A-Za-z0-9_-]{43}$/;

/**
 * Short-lived URLs for stored files that a browser can load without an Authorization header
 * (`<img src>`): HMAC-SHA256 over `tenantId.documentId.exp` with a key derived (HKDF) from the
 * secrets key, so the URL names its tenant and cannot be bent to another document, tenant or time.
 * Tenant-agnostic: it signs ids; what they name is the caller's business.
 *
 * The expiry is rounded up to a step of a fifth of the lifetime, so the same document gets the
 * same URL for a while and browsers can reuse their cached copy across refetches; a URL therefore
 * lives between ttl and 1.2 x ttl.
 */
export class MediaUrlSigner {
  private readonly key: Buffer;
  private readonly stepSeconds: number;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 32) throw new Error('The secrets key must be at least 32 characters');
    this.key = Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), 'whatsapp-crm media-url v1', 32));
    this.stepSeconds = Math.max(1, Math.floor(ttlSeconds / 5));
  }

  sign(tenantId: string, documentId: string): SignedMediaUrl {
    const nowSeconds = Math.floor(this.now() / 1000);
    const exp = Math.ceil((nowSeconds + this.ttlSeconds) / this.stepSeconds) * this.stepSeconds;
    const sig = this.signature(tenantId, documentId, String(exp));
    return { url: `${MEDIA_PATH_PREFIX}${tenantId}/${documentId}?exp=${exp}&sig=${sig}`, expiresAt: new Date(exp * 1000) };
  }

  /** The seconds the URL has left, or why it is refused. The signature is checked before the time. */
  verify(
    tenantId: string,
    documentId: string,
    exp: string | null,
    sig: string | null,
  ): { ok: true; remainingSeconds: number } | { ok: false; reason: MediaUrlRefusal } {
    if (!exp || !sig || !EXP.test(exp) || !SIG.test(sig)) return { ok: false, reason: 'INVALID_SIGNATURE' };
    const expected = Buffer.from(this.signature(tenantId, documentId, exp), 'base64url');
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: 'INVALID_SIGNATURE' };
    const remainingSeconds = Number(exp) - Math.floor(this.now() / 1000);
    if (remainingSeconds <= 0) return { ok: false, reason: 'EXPIRED' };
    return { ok: true, remainingSeconds };
  }

  private signature(tenantId: string, documentId: string, exp: string): string {
    return crypto.createHmac('sha256', this.key).update(`${tenantId}.${documentId}.${exp}`).digest('base64url');
  }
}

export const MEDIA_PATH_PREFIX = '/media/';
