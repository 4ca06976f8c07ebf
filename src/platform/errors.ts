import { GraphQLError } from 'graphql';

/** Stable error codes clients can switch on; messages may change, codes may not. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  TENANT_NOT_FOUND: 'TENANT_NOT_FOUND',
  TENANT_NOT_ACTIVE: 'TENANT_NOT_ACTIVE',
  /** The tenant was archived (its data is in a backup): an operator can unarchive it. */
  TENANT_ARCHIVED: 'TENANT_ARCHIVED',
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

/**
 * Every `extensions.code` a client can receive, with its meaning: the schema's `ErrorCode` enum
 * (see schema-builder). The record's type makes a new ErrorCode fail to compile until described.
 */
export const ERROR_CODE_MEANINGS: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'No valid credential: missing, malformed, expired, revoked or rotated token or API key. Sign in or use a valid key',
  FORBIDDEN: "The caller's role, or the API key's scopes, do not allow this operation (the message names what is missing)",
  TENANT_NOT_FOUND: 'The organisation does not exist',
  TENANT_ARCHIVED: 'The organisation was archived for inactivity; an operator can bring it back (`tenant:unarchive`)',
  TENANT_NOT_ACTIVE: 'The organisation is suspended or not provisioned yet: nothing in it can be read or changed',
  CONNECTION_BUDGET_EXHAUSTED: 'The server is at its database connection limit; retry shortly (HTTP 503 with Retry-After)',
  VALIDATION_FAILED: 'The input is invalid; `extensions.details.fields` lists each field and what is wrong with it. Nothing was stored',
  NOT_FOUND: 'The record does not exist in this organisation (or is not visible to the caller)',
  CONFLICT: 'The change collides with existing data (a duplicate, or a record changed meanwhile). Nothing was stored',
  PLAN_LIMIT_REACHED: "The organisation's plan allows no more of this (contacts, users…)",
  QUERY_TOO_COMPLEX: 'The query is too deep or too costly; ask for fewer fields or smaller pages',
  TOO_MANY_SUBSCRIPTIONS: 'This WebSocket already holds as many subscriptions as it may',
  SUBSCRIBER_TOO_SLOW: 'The subscriber stopped reading live events; its socket was closed with code 4413. Reconnect, resubscribe and refetch (or catch up with the events feed)',
  INVALID_CREDENTIALS: 'Wrong email or password',
  RATE_LIMITED: 'Too many attempts or requests (per API key, per organisation, per address); `extensions.retryAfterSeconds` says when to try again',
  SIGNUP_CLOSED: 'Sign-up is closed, or needs an invitation',
  NO_DATABASE_CAPACITY: 'Every active database server is full or draining: no new organisation can be placed until an operator adds capacity',
  PROVISIONING_FAILED: "The organisation's database could not be created; an operator can retry",
  PROVIDER_ERROR: 'WhatsApp (WAHA or the Cloud API) refused or failed the request',
  BACKUP_INVALID: 'A tenant backup that is incomplete, damaged, of another tenant or of a newer release',
  INTERNAL_SERVER_ERROR: 'An unexpected failure on our side; it was logged. Retry later',
};

/** Codes of requests that never ran (GraphQL and HTTP protocol), passed through from Apollo Server. */
export const PROTOCOL_ERROR_CODE_MEANINGS: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: 'The document is not valid GraphQL syntax',
  GRAPHQL_VALIDATION_FAILED: 'The document does not match the schema (unknown field, wrong argument type…)',
  PERSISTED_QUERY_NOT_FOUND: 'The persisted query hash is unknown; send the full document',
  PERSISTED_QUERY_NOT_SUPPORTED: 'Persisted queries are not supported',
  OPERATION_RESOLUTION_FAILURE: 'The operation to run could not be determined (operationName missing or unknown)',
  BAD_REQUEST: 'The HTTP request is malformed (body not JSON, no query), or a subscription was sent over HTTP instead of graphql-ws',
};
