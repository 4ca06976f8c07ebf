import { hexDigestMatches, hmacHex, singleHeader, type RawBody } from '../webhook-signature';

export const WAHA_SIGNATURE_HEADER = 'x-webhook-hmac';
export const WAHA_SIGNATURE_ALGORITHM_HEADER = 'x-webhook-hmac-algorithm';

/** `X-Webhook-Hmac` for a body: lowercase hex HMAC-SHA512(key, raw body). */
export function signWahaBody(rawBody: RawBody, key: string): string {
  return hmacHex('sha512', key, rawBody);
}

/**
 * Checks WAHA's `X-Webhook-Hmac` against the raw body, in constant time. Verify the bytes as
 * received, before any JSON parsing: re-serialised JSON does not hash the same. A missing,
 * repeated, malformed or wrong-length header, or an algorithm other than sha512, is false.
 */
export function verifyWahaSignature(
  rawBody: RawBody,
  signatureHeader: string | string[] | null | undefined,
  key: string,
  algorithmHeader?: string | string[] | null,
): boolean {
  try {
    const signature = singleHeader(signatureHeader);
    if (!signature || !key) return false;
    if (algorithmHeader !== undefined && algorithmHeader !== null) {
      const algorithm = singleHeader(algorithmHeader);
      if (!algorithm || algorithm.trim().toLowerCase() !== 'sha512') return false;
    }
    return hexDigestMatches(signWahaBody(rawBody, key), signature.trim());
  } catch {
    return false;
  }
}
