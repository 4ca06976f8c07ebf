import PgBoss from 'pg-boss';
import type { Logger } from '../logger';

export type Job<T> = PgBoss.JobWithMetadata<T>;

export interface QueueDefinition {
  name: string;
  /** Attempts after the first. */
  retryLimit: number;
  /** Seconds before the first retry. */
  retryDelaySeconds: number;
  /** Doubles the delay on each retry (with jitter). */
  retryBackoff: boolean;
  /** An attempt running longer than this is presumed dead (e.g. the process was killed) and retried. */
  expireInSeconds: number;
  /** Where a job goes once its last attempt failed or expired. */
  deadLetter?: string;
}

export interface JobQueueOptions {
  /** The control database: jobs are durable there, next to the tenants they belong to. */
  connectionString: string;
  schema: string;
  poolSize: number;
  pollingIntervalSeconds: number;
  maintenanceIntervalSeconds: number;
  log: Logger;
  /**
   * Held while pg-boss creates its schema and while queues are created or updated: instances
   * starting together on a fresh database otherwise deadlock in pg-boss's queue creation.
   * Without one, start-up must not race.
   */
  structureLock?: <T>(work: () => Promise<T>) => Promise<T>;
}

/**
 * Durable jobs on pg-boss 10 in its own schema of the control database. A job survives the
 * process: one that was running when the process died expires and is retried by whichever
 * instance runs maintenance next (its `retryCount` then says an earlier attempt had started).
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private readonly workerIds = new Map<string, string[]>();
  private started = false;

  constructor(private readonly options: JobQueueOptions) {
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      schema: options.schema,
      max: options.poolSize,
      application_name: 'crm-jobs',
      pollingIntervalSeconds: options.pollingIntervalSeconds,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
      // No cron jobs here; skip the clock monitor's queries.
      schedule: false,
    });
    this.boss.on('error', (error) => options.log.error({ err: error }, 'job queue error'));
  }

  async start(): Promise<void> {
    await this.underStructureLock(() => this.boss.start());
    this.started = true;
  }

  /** Creates the queue or updates its retry policy; safe when several instances start at once. */
  async define(queue: QueueDefinition): Promise<void> {
    const policy = {
      retryLimit: queue.retryLimit,
      retryDelay: queue.retryDelaySeconds,
      retryBackoff: queue.retryBackoff,
      expireInSeconds: queue.expireInSeconds,
      ...(queue.deadLetter ? { deadLetter: queue.deadLetter } : {}),
    };
    await this.underStructureLock(async () => {
      await this.boss.createQueue(queue.name, { name: queue.name, ...policy });
      await this.boss.updateQueue(queue.name, { name: queue.name, ...policy });
    });
  }

  private underStructureLock<T>(work: () => Promise<T>): Promise<T> {
    return this.options.structureLock ? this.options.structureLock(work) : work();
  }

  /** Adds a job (not started before `options.startAfter`); it is in the database when this resolves. */
  async send(name: string, data: object, options: { startAfter?: Date } = {}): Promise<string> {
    const id = await this.boss.send(name, data, options.startAfter ? { startAfter: options.startAfter } : {});
    if (!id) throw new Error(`job queue ${name} refused the job`);
    return id;
  }

  /** Adds many jobs of one queue in one statement, with ids chosen by the caller (to cancel them if need be). */
  async insert(name: string, jobs: ReadonlyArray<{ id: string; data: object; startAfter?: Date }>): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(jobs.map((job) => ({ id: job.id, name, data: job.data, ...(job.startAfter ? { startAfter: job.startAfter } : {}) })));
  }

  /** Best effort: jobs whose data was never committed (they would find nothing to do anyway). */
  async cancel(name: string, id: string | string[]): Promise<void> {
    if (Array.isArray(id) && id.length === 0) return;
    await this.boss.cancel(name, id as string).catch((error) => this.options.log.warn({ err: error, name, id }, 'could not cancel a job'));
  }

  /**
   * Runs `handler` for each job, `concurrency` at a time in this process. A handler that throws
   * fails the attempt (retried with backoff until the queue's retry limit).
   */
  async work<T>(name: string, concurrency: number, handler: (job: Job<T>) => Promise<void>): Promise<void> {
    const ids: string[] = [];
    for (let i = 0; i < concurrency; i += 1) {
      ids.push(
        await this.boss.work<T>(name, { batchSize: 1, includeMetadata: true }, async ([job]) => {
          await handler(job);
        }),
      );
    }
    this.workerIds.set(name, ids);
  }

  /** Wakes this process's idle workers of a queue now instead of at their next poll. */
  notify(name: string): void {
    for (const id of this.workerIds.get(name) ?? []) this.boss.notifyWorker(id);
  }

  /** The job with its state, for tests and operators. */
  getJob<T>(name: string, id: string): Promise<Job<T> | null> {
    return this.boss.getJobById<T>(name, id);
  }

  /**
   * Stops fetching, waits up to `timeoutMs` for running jobs, then fails what is still running
   * (it is retried later, and the retry reconciles with the provider before sending again).
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
  }
}
