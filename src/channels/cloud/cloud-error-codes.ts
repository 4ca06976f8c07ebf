import { ProviderError } from '../channel-errors';
import { retryAfterMs, type ProviderHttpFailure } from '../provider-http';

/**
 * Graph API errors worth retrying later, whatever the HTTP status (Meta answers rate limits with 400).
 *   1 / 2 unknown / service error, 4 / 80007 app / account rate limit, 130429 throughput limit,
 *   131000 something went wrong, 131016 service unavailable, 131048 spam rate limit,
 *   131056 pair rate limit (same customer too often), 131057 account in maintenance, 133004 server unavailable.
 */
const RETRYABLE_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 131057, 133004]);

/**
 * Errors that will not go away by retrying, even on a 5xx, e.g.
 *   131047 re-engagement: more than 24 h since the customer wrote, only templates may be sent;
 *   131026 undeliverable; 131051 unsupported type; 190 token expired; 100 invalid parameter.
 */
const PERMANENT_CODES = new Set([100, 190, 10, 200, 368, 131026, 131031, 131047, 131051, 131052, 132000, 132001]);

/** Suggested pauses when Meta gives no Retry-After. */
const DEFAULT_PAUSE_MS: Readonly<Record<number, number>> = {
  130429: 1_000,
  131056: 6_000,
  131048: 60_000,
  4: 60_000,
  80007: 60_000,
};

export const CLOUD_REENGAGEMENT_REQUIRED = '131047';

interface GraphError {
  message?: unknown;
  code?: unknown;
  error_subcode?: unknown;
  error_data?: { details?: unknown };
}

/** Whether a Graph/WhatsApp error code may succeed on a later attempt. */
export function isRetryableCloudCode(code: number, httpStatus?: number): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  if (PERMANENT_CODES.has(code)) return false;
  return httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429);
}

/** Graph API error body `{error: {message, type, code, error_data: {details}, fbtrace_id}}` → ProviderError. */
export function classifyCloudFailure(operation: string, failure: ProviderHttpFailure, isSend: boolean): ProviderError {
  const graph = (failure.body as { error?: GraphError } | null)?.error;
  const code = typeof graph?.code === 'number' ? graph.code : Number(graph?.code);
  const hasCode = Number.isFinite(code) && code > 0;
  const details = graph?.error_data?.details;
  const message =
    [graph?.message, details].filter((part): part is string => typeof part === 'string' && part.length > 0).join(' — ') ||
    `HTTP ${failure.status}`;
  const retryable = hasCode
    ? isRetryableCloudCode(code, failure.status)
    : failure.status >= 500 || failure.status === 429 || failure.status === 408;
  return new ProviderError({
    provider: 'CLOUD',
    operation,
    providerCode: hasCode ? String(code) : `HTTP_${failure.status}`,
    message: message.slice(0, 500),
    retryable,
    httpStatus: failure.status,
    outcomeUnknown: isSend && failure.status >= 500 && !(hasCode && PERMANENT_CODES.has(code)),
    retryAfterMs: retryAfterMs(failure.headers) ?? (hasCode ? DEFAULT_PAUSE_MS[code] : undefined),
  });
}
