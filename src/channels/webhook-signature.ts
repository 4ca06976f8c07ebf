import { createHmac, timingSafeEqual } from 'node:crypto';

export type RawBody = Buffer | Uint8Array | string;

/** Lowercase hex HMAC of the exact bytes received. */
export function hmacHex(algorithm: 'sha256' | 'sha512', key: string, rawBody: RawBody): string {
  return createHmac(algorithm, key).update(rawBody).digest('hex');
}

/** A header value as one string; repeated headers (an array) are rejected. */
export function singleHeader(value: string | string[] | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  return value;
}

/**
 * Constant-time comparison of a received hex digest with the expected one. Anything that is not
 * hex of exactly the expected length is false without comparing; never throws.
 */
export function hexDigestMatches(expectedHex: string, receivedHex: string): boolean {
  if (receivedHex.length !== expectedHex.length || !/^[0-9a-fA-F]+$/.test(receivedHex)) return false;
  const expected = Buffer.from(expectedHex, 'hex');
  const received = Buffer.from(receivedHex, 'hex');
  return received.length === expected.length && timingSafeEqual(expected, received);
}
