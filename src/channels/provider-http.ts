import type { ProviderKind } from './channel-events';
import { ProviderError } from './channel-errors';

/** A non-2xx answer, handed to the provider's own classifier. */
export interface ProviderHttpFailure {
  status: number;
  /** Parsed JSON, the text when it is not JSON, or null when empty. */
  body: unknown;
  headers: Headers;
}

export interface ProviderHttpRequest {
  provider: ProviderKind;
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as is (multipart uploads). */
  body?: FormData;
  timeoutMs: number;
  /** The request sends a message: a failure after it may have left is reported as `outcomeUnknown`. */
  isSend?: boolean;
  /** Statuses the caller handles itself (e.g. 404 on a lookup) instead of an error. */
  acceptStatuses?: number[];
  classifyFailure: (failure: ProviderHttpFailure) => ProviderError;
  /** Default 'error': provider APIs do not redirect, and a redirect must not carry our key elsewhere. */
  redirect?: 'error' | 'follow' | 'manual';
  fetchImpl?: typeof fetch;
}

/** Connection errors raised before the request could have reached the provider. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_INVALID_URL']);

/**
 * One HTTP call to a provider with a hard timeout. Returns the response when its status is 2xx
 * or accepted; otherwise throws the classifier's ProviderError. Network failures and timeouts
 * become retryable ProviderErrors.
 */
export async function providerRequest(request: ProviderHttpRequest): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  let body: string | FormData | undefined;
  if (request.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.body) {
    body = request.body;
  }
  const doFetch = request.fetchImpl ?? fetch;
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: request.method,
      headers,
      body,
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: request.redirect ?? 'error',
    });
  } catch (error) {
    throw networkError(request, error);
  }
  if (response.ok || request.acceptStatuses?.includes(response.status)) return response;
  const failureBody = await readBody(response).catch(() => null);
  throw request.classifyFailure({ status: response.status, body: failureBody, headers: response.headers });
}

/** Turns a fetch rejection (timeout, refused, reset) into a retryable ProviderError. */
export function networkError(
  request: Pick<ProviderHttpRequest, 'provider' | 'operation' | 'isSend' | 'timeoutMs'>,
  error: unknown,
): ProviderError {
  if (error instanceof ProviderError) return error;
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderError({
      provider: request.provider,
      operation: request.operation,
      providerCode: 'TIMEOUT',
      message: `no answer within ${request.timeoutMs} ms`,
      retryable: true,
      outcomeUnknown: request.isSend ?? false,
      cause: error,
    });
  }
  const code = errorCode(error);
  return new ProviderError({
    provider: request.provider,
    operation: request.operation,
    providerCode: 'NETWORK',
    message: code ? `network error ${code}` : `network error: ${(error as Error)?.message ?? String(error)}`,
    retryable: true,
    outcomeUnknown: (request.isSend ?? false) && !(code && NOT_SENT_CODES.has(code)),
    cause: error,
  });
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The body as JSON, as text when it is not JSON, or null when empty. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Reads a success body; a failure to read it (timeout mid-body) is a ProviderError. */
export async function readSuccessBody(
  response: Response,
  request: Pick<ProviderHttpRequest, 'provider' | 'operation' | 'isSend' | 'timeoutMs'>,
): Promise<unknown> {
  try {
    return await readBody(response);
  } catch (error) {
    throw networkError(request, error);
  }
}

/** Reads at most `maxBytes`, failing early on a larger declared or actual size. */
export async function readBytesLimited(
  response: Response,
  maxBytes: number,
  request: Pick<ProviderHttpRequest, 'provider' | 'operation' | 'timeoutMs'>,
): Promise<Buffer> {
  const tooLarge = () =>
    new ProviderError({
      provider: request.provider,
      operation: request.operation,
      providerCode: 'MEDIA_TOO_LARGE',
      message: `media larger than ${maxBytes} bytes`,
      retryable: false,
    });
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof ProviderError) {
      await response.body.cancel().catch(() => undefined);
      throw error;
    }
    throw networkError({ ...request, isSend: false }, error);
  }
  return Buffer.concat(chunks, total);
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Generic HTTP-status rule: 5xx, 408 and 429 may succeed later; other 4xx will not. */
export function isRetryableHttpStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
