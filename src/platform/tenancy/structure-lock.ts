import type { DataSource } from 'typeorm';

/**
 * The one advisory lock (on the control database) under which every instance creates shared
 * structure: control migrations, tenant template databases and job queues. Instances starting
 * together on a fresh control database otherwise race on DDL, and pg-boss's queue creation
 * deadlocks (issue 11, finding 10). Session-level, so it holds across statements and transactions;
 * not re-entrant across connections, so lock holders must never wait for another lock holder.
 */
export const STRUCTURE_LOCK_KEY = 72_616_000;

/** Runs `work` while holding the structure lock. */
export type StructureLock = <T>(work: () => Promise<T>) => Promise<T>;

export function controlStructureLock(control: DataSource): StructureLock {
  return async (work) => {
    const runner = control.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [STRUCTURE_LOCK_KEY]);
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [STRUCTURE_LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  };
}
