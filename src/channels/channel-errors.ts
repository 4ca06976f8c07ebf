import { AppError, ErrorCode } from '../platform/errors';
import type { ProviderKind } from './channel-events';

export interface ProviderErrorInit {
  provider: ProviderKind;
  /** What we were doing: `sendText`, `startSession`, `fetchMedia`, ... */
  operation: string;
  /** The provider's error code when it gave one (`131047`, `HTTP_422`), else ours (`TIMEOUT`, `NETWORK`). */
  providerCode: string;
  message: string;
  /** True when the same request may succeed later (5xx, 429, rate limits, network). */
  retryable: boolean;
  httpStatus?: number;
  /**
   * True when a send may have reached WhatsApp although we saw an error (timeout after the request
   * left, connection reset, 5xx, unreadable success body). The outbound queue must reconcile such a
   * send before retrying it, or the customer may get the message twice.
   */
  outcomeUnknown?: boolean;
  /** Provider's hint for when to try again. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A provider call failed. `retryable` and `outcomeUnknown` drive the outbound queue's decision. */
export class ProviderError extends AppError {
  readonly provider: ProviderKind;
  readonly operation: string;
  readonly providerCode: string;
  readonly retryable: boolean;
  readonly httpStatus?: number;
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs?: number;

  constructor(init: ProviderErrorInit) {
    super(ErrorCode.PROVIDER_ERROR, `${init.provider} ${init.operation} failed: ${init.message}`, {
      provider: init.provider,
      operation: init.operation,
      providerCode: init.providerCode,
      retryable: init.retryable,
    });
    this.name = 'ProviderError';
    this.provider = init.provider;
    this.operation = init.operation;
    this.providerCode = init.providerCode;
    this.retryable = init.retryable;
    this.httpStatus = init.httpStatus;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    this.retryAfterMs = init.retryAfterMs;
    if (init.cause !== undefined) (this as { cause?: unknown }).cause = init.cause;
  }
}

/** The provider cannot do this at all (e.g. templates on WAHA, QR codes on the Cloud API). */
export function unsupportedOperation(provider: ProviderKind, operation: string, why: string): ProviderError {
  return new ProviderError({ provider, operation, providerCode: 'UNSUPPORTED', message: why, retryable: false });
}

/**
 * A webhook body that does not have the shape the provider documents. Nothing from it is
 * accepted: the route answers 400 and the provider's retry (or an operator) deals with it.
 */
export class MalformedWebhookError extends AppError {
  constructor(
    readonly provider: ProviderKind,
    readonly problems: string[],
  ) {
    super(ErrorCode.VALIDATION_FAILED, `Malformed ${provider} webhook: ${problems.slice(0, 5).join('; ')}`, {
      provider,
      problems: problems.slice(0, 20),
    });
    this.name = 'MalformedWebhookError';
  }
}
