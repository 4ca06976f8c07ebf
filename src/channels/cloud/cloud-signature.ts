import { hexDigestMatches, hmacHex, singleHeader, type RawBody } from '../webhook-signature';

export const CLOUD_SIGNATURE_HEADER = 'x-hub-signature-256';

/** `X-Hub-Signature-256` for a body: `sha256=` + hex HMAC-SHA256(app secret, raw body). */
export function signCloudBody(rawBody: RawBody, appSecret: string): string {
  return `sha256=${hmacHex('sha256', appSecret, rawBody)}`;
}

/**
 * Checks Meta's `X-Hub-Signature-256` against the raw body in constant time. Missing, repeated,
 * unprefixed or malformed headers are false; never throws.
 */
export function verifyCloudSignature(
  rawBody: RawBody,
  signatureHeader: string | string[] | null | undefined,
  appSecret: string,
): boolean {
  try {
    const header = singleHeader(signatureHeader)?.trim();
    if (!header || !appSecret) return false;
    const separator = header.indexOf('=');
    if (separator < 0 || header.slice(0, separator).toLowerCase() !== 'sha256') return false;
    return hexDigestMatches(hmacHex('sha256', appSecret, rawBody), header.slice(separator + 1));
  } catch {
    return false;
  }
}
