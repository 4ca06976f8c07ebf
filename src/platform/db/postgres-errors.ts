import { AppError, ErrorCode } from '../errors';

/** SQLSTATE and constraint of a failed statement; TypeORM wraps pg's error in `driverError`. */
export function postgresErrorOf(error: unknown): { code: string; constraint: string | null } | null {
  const candidate = (error as { driverError?: unknown })?.driverError ?? error;
  const code = (candidate as { code?: unknown })?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return null;
  const constraint = (candidate as { constraint?: unknown }).constraint;
  return { code, constraint: typeof constraint === 'string' ? constraint : null };
}

export const UNIQUE_VIOLATION = '23505';

/**
 * Runs `work`, turning a unique violation into CONFLICT with the message given for its
 * constraint, so a race between two writers reads like the check that lost it.
 */
export async function conflictOnUniqueViolation<T>(work: () => Promise<T>, messages: Record<string, string>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const pg = postgresErrorOf(error);
    if (pg?.code === UNIQUE_VIOLATION) {
      const message = (pg.constraint && messages[pg.constraint]) ?? 'That already exists';
      throw new AppError(ErrorCode.CONFLICT, message, pg.constraint ? { constraint: pg.constraint } : undefined);
    }
    throw error;
  }
}
