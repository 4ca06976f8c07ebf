import { timingSafeEqual, createHash } from 'node:crypto';

export type VerifyChallengeResult =
  | { ok: true; status: 200; body: string }
  | { ok: false; status: 403 | 400; reason: string };

/**
 * Meta's subscription check: `GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`.
 * Answer 200 with the challenge as plain text when the token matches ours, else 403.
 * `query` may be URLSearchParams or a parsed query object.
 */
export function answerVerifyChallenge(
  query: URLSearchParams | Record<string, unknown>,
  verifyToken: string | undefined,
): VerifyChallengeResult {
  const get = (name: string): string | undefined => {
    const value = query instanceof URLSearchParams ? query.get(name) : query[name];
    return typeof value === 'string' ? value : undefined;
  };
  const mode = get('hub.mode');
  const token = get('hub.verify_token');
  const challenge = get('hub.challenge');
  if (!verifyToken) return { ok: false, status: 403, reason: 'no verify token configured' };
  if (mode !== 'subscribe' || token === undefined || challenge === undefined) {
    return { ok: false, status: 400, reason: 'not a subscription check' };
  }
  if (!sameSecret(token, verifyToken)) return { ok: false, status: 403, reason: 'verify token mismatch' };
  // Echo only what Meta sends (digits); never reflect arbitrary markup.
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(challenge)) return { ok: false, status: 400, reason: 'bad challenge' };
  return { ok: true, status: 200, body: challenge };
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
