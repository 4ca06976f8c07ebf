import type { FastifyReply } from 'fastify';
import { MalformedWebhookError } from '../../../channels/channel-errors';
import { sendJson } from '../../../platform/http/http-server';
import { AppError, ErrorCode } from '../../../platform/errors';
import { TRANSIENT_RETRY_AFTER_SECONDS } from '../../../platform/db/pg-errors';
import type { Logger } from '../../../platform/logger';
import type { IngestOutcome } from '../inbound/ingest-result';

/** Tenant-side conditions that pass: the provider should deliver again later. */
const TRANSIENT = new Set<string>([ErrorCode.TENANT_NOT_ACTIVE, ErrorCode.CONNECTION_BUDGET_EXHAUSTED]);

/**
 * 2xx only when every event is durable (or deliberately skipped); 503 asks the provider to
 * deliver again (both providers retry non-2xx answers), which is safe since storage is idempotent.
 */
export function sendIngestOutcome(res: FastifyReply, outcome: IngestOutcome): FastifyReply {
  if (outcome.retry > 0) {
    return sendJson(res, 503, { error: 'try again later', ...outcome }, { 'retry-after': String(TRANSIENT_RETRY_AFTER_SECONDS) });
  }
  return sendJson(res, 200, { ok: true, ...outcome });
}

/** Maps a failure while handling a webhook to its answer; unexpected errors are rethrown (503 when the database is unavailable, else 500). */
export function sendWebhookError(res: FastifyReply, error: unknown, log: Pick<Logger, 'warn'>): FastifyReply {
  if (error instanceof MalformedWebhookError) {
    log.warn({ provider: error.provider, problems: error.problems.slice(0, 5) }, 'malformed webhook rejected');
    return sendJson(res, 400, { error: 'malformed webhook', problems: error.problems.slice(0, 5) });
  }
  if (error instanceof AppError && TRANSIENT.has(error.code)) {
    return sendJson(res, 503, { error: error.message, code: error.code }, { 'retry-after': String(TRANSIENT_RETRY_AFTER_SECONDS) });
  }
  throw error;
}
