import { QueryFailedError } from 'typeorm';
import { AppError, ErrorCode, validationFailed } from '../errors';

interface PgError {
  code: string;
  constraint?: string;
}

/** The PostgreSQL error under a TypeORM QueryFailedError (or a bare pg error), if any. */
export function pgErrorOf(error: unknown): PgError | null {
  if (error instanceof AppError) return null;
  const candidate = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  if (candidate && typeof candidate === 'object' && typeof (candidate as PgError).code === 'string' && /^[0-9A-Z]{5}$/.test((candidate as PgError).code)) {
    return candidate as PgError;
  }
  return null;
}

/**
 * Turns constraint violations into stable codes: unique → CONFLICT (with the message given for
 * that constraint), check / bad value → VALIDATION_FAILED. Clients never see a constraint or
 * table name (the schema is not their contract); the constraint stays on the error, unexposed,
 * as `constraint` for logs and tests. Anything else is returned unchanged, to be reported as an
 * internal error.
 */
export function translateDbError(error: unknown, conflictMessages: Record<string, string> = {}): unknown {
  const pg = pgErrorOf(error);
  if (!pg) return error;
  const translated = translate(pg, conflictMessages);
  if (translated instanceof AppError && pg.constraint) Object.defineProperty(translated, 'constraint', { value: pg.constraint, enumerable: false });
  return translated ?? error;
}

function translate(pg: PgError, conflictMessages: Record<string, string>): AppError | null {
  switch (pg.code) {
    case '23505':
      return new AppError(ErrorCode.CONFLICT, (pg.constraint && conflictMessages[pg.constraint]) || 'That already exists');
    case '23514':
      return validationFailed('A value breaks a rule of this record');
    case '23502':
      return validationFailed('A required value is missing');
    case '23503':
      return validationFailed('A related record is missing, or still refers to this one');
    case '22P02': // invalid text representation, e.g. a malformed uuid
    case '22003': // numeric value out of range
    case '22001': // value too long
      return validationFailed('A value is malformed or out of range');
    default:
      return null;
  }
}

/** Runs `work`, translating constraint violations (see translateDbError). */
export async function withDbErrors<T>(work: () => Promise<T>, conflictMessages?: Record<string, string>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDbError(error, conflictMessages);
  }
}

/** SQLSTATEs of a database that is down, full, restarting or busy: worth trying again shortly. */
const TRANSIENT_SQLSTATE = /^(08...|53...|57P0[1-3]|40001|40P01|55P03|57014)$/;
/** Node and pg errors of a connection that failed or broke. */
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const TRANSIENT_MESSAGE = /Connection terminated|is not currently accepting connections|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established|Cannot use a pool after calling end/i;

/**
 * Whether an error means the database could not be reached or served this now (connection
 * refused, too many connections, shutting down, deadlock, lock or statement timeout), as
 * opposed to something wrong with the request: the caller should answer "try again" (503
 * with Retry-After), never 500.
 */
export function isTransientDbError(error: unknown): boolean {
  if (error instanceof AppError) return error.code === ErrorCode.CONNECTION_BUDGET_EXHAUSTED;
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const pg = pgErrorOf(current);
    if (pg && TRANSIENT_SQLSTATE.test(pg.code)) return true;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message)) return true;
    // AggregateError (a refused connection to every address) and wrapped causes.
    const inner = current as { errors?: unknown[]; cause?: unknown; driverError?: unknown };
    if (Array.isArray(inner.errors) && inner.errors.some(isTransientDbError)) return true;
    current = inner.driverError ?? inner.cause;
  }
  return false;
}

/** Seconds a client should wait before trying again after a transient database failure. */
export const TRANSIENT_RETRY_AFTER_SECONDS = 5;
