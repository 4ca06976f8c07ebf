import { GraphQLError } from 'graphql';

/** Stable error codes clients can switch on; messages may change, codes may not. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  TENANT_NOT_FOUND: 'TENANT_NOT_FOUND',
  TENANT_NOT_ACTIVE: 'TENANT_NOT_ACTIVE',
  CONNECTION_BUDGET_EXHAUSTED: 'CONNECTION_BUDGET_EXHAUSTED',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PLAN_LIMIT_REACHED: 'PLAN_LIMIT_REACHED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** One WebSocket holds as many subscriptions as it may. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** A subscriber fell so far behind that its buffer filled; it is dropped. */
  SUBSCRIBER_TOO_SLOW: 'SUBSCRIBER_TOO_SLOW',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** Too many attempts or requests; `extensions.retryAfterSeconds` says when to try again. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Sign-up is closed (SIGNUP_MODE=closed) or needs a platform admin's invitation (invite). */
  SIGNUP_CLOSED: 'SIGNUP_CLOSED',
  PROVISIONING_FAILED: 'PROVISIONING_FAILED',
  /** Every active database server is full (its capacity of tenants placed): an operator must add or undrain one. */
  NO_DATABASE_CAPACITY: 'NO_DATABASE_CAPACITY',
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  /** A tenant backup that is incomplete, damaged, of another tenant or of a newer release. */
  BACKUP_INVALID: 'BACKUP_INVALID',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An expected failure: reported to the client with its code, not logged as a crash. */
export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message, { extensions: { code, ...(details ? { details } : {}) } });
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const validationFailed = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorCode.VALIDATION_FAILED, message, details);

/** VALIDATION_FAILED for one input field, in the same `details.fields` shape as class-validator errors. */
export const invalidField = (field: string, message: string) =>
  validationFailed(message, { fields: [{ field, messages: [message] }] });
