import { AsyncLocalStorage } from 'node:async_hooks';
import { AbstractLogger, type LogLevel, type LogMessage, type QueryRunner } from 'typeorm';

/**
 * Counts the SQL statements run on behalf of one request. The counter lives in async context,
 * so it follows the request through resolvers and DataLoader batches without being passed around.
 */
const currentCounter = new AsyncLocalStorage<{ statements: number }>();

export function runCountingSql<T>(fn: () => T): { result: T; counter: { statements: number } } {
  const counter = { statements: 0 };
  return { result: currentCounter.run(counter, fn), counter };
}

export function countSqlStatement(): void {
  const counter = currentCounter.getStore();
  if (counter) counter.statements += 1;
}

/** TypeORM logger that only counts; errors are reported by the caller with context. */
export class SqlStatementLogger extends AbstractLogger {
  override logQuery(): void {
    countSqlStatement();
  }
  protected override writeLog(_level: LogLevel, _message: LogMessage | LogMessage[], _queryRunner?: QueryRunner): void {}
}

/** Statements counted so far in the current request, or null outside one. */
export function currentSqlStatementCount(): number | null {
  return currentCounter.getStore()?.statements ?? null;
}
