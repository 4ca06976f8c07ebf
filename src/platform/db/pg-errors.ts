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
 * that constraint), check / bad value → VALIDATION_FAILED naming the constraint. Anything else is
 * returned unchanged, to be reported as an internal error.
 */
export function translateDbError(error: unknown, conflictMessages: Record<string, string> = {}): unknown {
  const pg = pgErrorOf(error);
  if (!pg) return error;
  const details = pg.constraint ? { constraint: pg.constraint } : undefined;
  switch (pg.code) {
    case '23505':
      return new AppError(ErrorCode.CONFLICT, (pg.constraint && conflictMessages[pg.constraint]) || 'That already exists', details);
    case '23514':
      return validationFailed(`A value breaks the rule ${pg.constraint ?? 'of the table'}`, details);
    case '23502':
      return validationFailed('A required value is missing', details);
    case '23503':
      return validationFailed('A related record is missing, or still refers to this one', details);
    case '22P02': // invalid text representation, e.g. a malformed uuid
    case '22003': // numeric value out of range
    case '22001': // value too long
      return validationFailed('A value is malformed or out of range');
    default:
      return error;
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
