import crypto from 'node:crypto';

/** What an incoming X-Request-Id may be to be kept: short, printable, no spaces or quotes. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@\/+=-]{1,64}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The id a request is logged and answered under: the caller's (or the proxy's) X-Request-Id when
 * it is sane, so a trace spans hops; else a fresh UUID. Anything odd (too long, control
 * characters, several values) is replaced, never echoed, so it cannot forge log lines or headers.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : crypto.randomUUID();
}
