import { AppError, ErrorCode } from '../errors';

/** RATE_LIMITED with `extensions.retryAfterSeconds` (whole seconds, at least 1), for Retry-After. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(message: string, msBeforeNext: number) {
    super(ErrorCode.RATE_LIMITED, message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    Object.assign(this.extensions, { retryAfterSeconds: this.retryAfterSeconds });
  }
}
