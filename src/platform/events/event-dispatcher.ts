import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { outsideLeaseScope, type TenantRouter } from '../tenancy/tenant-router';
import { TtlCache } from '../ttl-cache';
import { deleteInBatches } from '../tenancy/batched-delete';
import type { DomainEvent, DomainEventConsumer } from './domain-event';
import { EVENT_COLUMNS, eventFromRow, type EventRow } from './event-log';

/** Events marked dispatched per UPDATE, and how long marks gather before one is sent. */
const MARK_FLUSH_MS = 200;
/** Undispatched events handed over again per batch by a sweep. */
const SWEEP_BATCH = 500;
/** Sweeps of the whole platform at start-up look at this many tenants at once. */
const SWEEP_CONCURRENCY = 4;
/** A tenant's old events are pruned at most this often by one process. */
const PRUNE_INTERVAL_MS = 6 * 3600_000;
const PRUNE_BATCH = 5_000;

export interface EventDispatcherOptions {
  router: TenantRouter;
  control: DataSource;
  log: Logger;
  /** How long a writer waits for the consumers before it answers anyway (they go on in the background). */
  dispatchTimeoutMs: number;
  /** An event undispatched for this long is handed over again by a sweep (its writer crashed or a consumer failed). */
  redispatchAfterMs: number;
  /** How often this process sweeps the tenants whose dispatch failed here, and the control outbox. */
  sweepIntervalMs: number;
  /** Events older than this are pruned once dispatched; 0 keeps them forever. */
  retentionDays: number;
  /** Told, per event, how long after it was recorded its consumers got it (metrics). */
  observeLag?: (seconds: number) => void;
}

/**
 * After commit, hands a tenant's new events to every consumer, then takes them out of the outbox
 * (batched: one DELETE per tenant every 200 ms). What is not marked — the process died, a
 * consumer failed or stalled — is found again by a sweep: of every active tenant at start-up,
 * and of the tenants whose dispatch failed here every `sweepIntervalMs`. Consumers therefore get
 * each event at least once, in order within a dispatch.
 */
export class EventDispatcher {
  private readonly consumers: DomainEventConsumer[] = [];
  private readonly marks = new Map<string, string[]>();
  private readonly failedTenants = new Set<string>();
  private readonly recentlyPruned = new TtlCache<string, true>({ ttlMs: PRUNE_INTERVAL_MS, maxEntries: 100_000 });
  private readonly inFlight = new Set<Promise<unknown>>();
  private flushTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: EventDispatcherOptions) {}

  addConsumer(consumer: DomainEventConsumer): void {
    this.consumers.push(consumer);
  }

  /**
   * Hands committed events to the consumers. Waits for them at most `dispatchTimeoutMs`; never
   * throws (a failure leaves the events to a sweep).
   */
  async dispatch(tenantId: string, events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const work = this.track(
      this.deliver(tenantId, events).then((delivered) => {
        if (delivered) this.markLater(tenantId, events);
        else this.failedTenants.add(tenantId);
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.dispatchTimeoutMs);
      timer.unref();
    });
    await Promise.race([work, timeout]);
    clearTimeout(timer);
  }

  /** Starts the background sweeps: every active tenant once now, then failed ones periodically. */
  start(): void {
    this.track(
      this.sweepAllTenants().catch((error) => this.options.log.error({ err: error }, 'could not sweep undispatched events')),
    );
    this.sweepTimer = setInterval(() => {
      const tenants = [...this.failedTenants];
      this.failedTenants.clear();
      this.track(this.sweepTenants(tenants).catch((error) => this.options.log.warn({ err: error }, 'event sweep failed')));
    }, this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Waits for dispatches in flight and writes the last marks; later dispatches are dropped (sweeps find them). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.allSettled([...this.inFlight]);
    await this.flushMarks();
  }

  /** Hands over again what a tenant's log holds undispatched for longer than `redispatchAfterMs`. */
  async sweep(tenantId: string): Promise<number> {
    let total = 0;
    for (;;) {
      const handed = await this.options.router.withTenant(tenantId, (manager) =>
        manager.transaction(async (tx) => {
          // Rows another instance is sweeping right now are skipped, not waited for.
          const rows: EventRow[] = await tx.query(
            `SELECT ${EVENT_COLUMNS.replace(/(\w+)/g, 'e.$1')} FROM domain_events_undispatched u JOIN domain_events e ON e.seq = u.seq
              WHERE u.recorded_at < clock_timestamp() - make_interval(secs => $1)
              ORDER BY u.seq LIMIT $2 FOR UPDATE OF u SKIP LOCKED`,
            [this.options.redispatchAfterMs / 1000, SWEEP_BATCH],
          );
          if (rows.length === 0) return 0;
          const events = rows.map((row) => eventFromRow(tenantId, row));
          if (!(await this.deliver(tenantId, events))) throw new Error('a consumer failed; the events stay for the next sweep');
          await tx.query('DELETE FROM domain_events_undispatched WHERE seq = ANY($1::bigint[])', [events.map((e) => e.seq)]);
          return rows.length;
        }),
      );
      total += handed;
      if (handed < SWEEP_BATCH) break;
    }
    if (total > 0) this.options.log.warn({ tenantId, events: total }, 'dispatched events left undispatched earlier');
    return total;
  }

  private async sweepAllTenants(): Promise<void> {
    const tenants: Array<{ id: string }> = await this.options.control.query(`SELECT id FROM tenants WHERE status = 'ACTIVE'`);
    await this.sweepTenants(tenants.map((tenant) => tenant.id));
  }

  private async sweepTenants(tenantIds: string[]): Promise<void> {
    const queue = [...tenantIds];
    const worker = async () => {
      for (let tenantId = queue.shift(); tenantId && !this.stopped; tenantId = queue.shift()) {
        await this.sweep(tenantId).catch((error) => {
          this.failedTenants.add(tenantId);
          this.options.log.warn({ err: error, tenantId }, 'could not sweep a tenant’s undispatched events');
        });
      }
    };
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
  }

  private async deliver(tenantId: string, events: readonly DomainEvent[]): Promise<boolean> {
    const observeLag = this.options.observeLag;
    if (observeLag) {
      const now = Date.now();
      for (const event of events) observeLag(Math.max(0, now - event.occurredAt.getTime()) / 1000);
    }
    let delivered = true;
    for (const consumer of this.consumers) {
      try {
        await consumer.handle(events);
      } catch (error) {
        delivered = false;
        this.options.log.error({ err: error, tenantId, consumer: consumer.name, events: events.length }, 'an event consumer failed');
      }
    }
    return delivered;
  }

  private markLater(tenantId: string, events: readonly DomainEvent[]): void {
    const pending = this.marks.get(tenantId);
    if (pending) pending.push(...events.map((event) => event.seq));
    else this.marks.set(tenantId, events.map((event) => event.seq));
    // The timer outlives the request that dispatched: it must not share that request's lease.
    this.flushTimer ??= outsideLeaseScope(() =>
      setTimeout(() => {
        this.flushTimer = null;
        this.track(this.flushMarks());
      }, MARK_FLUSH_MS),
    );
  }

  private async flushMarks(): Promise<void> {
    const marks = [...this.marks];
    this.marks.clear();
    await Promise.all(
      marks.map(async ([tenantId, seqs]) => {
        try {
          await this.options.router.withTenant(tenantId, (manager) =>
            manager.query('DELETE FROM domain_events_undispatched WHERE seq = ANY($1::bigint[])', [seqs]),
          );
          this.pruneWhenDue(tenantId);
        } catch (error) {
          // Unmarked events are dispatched again by a sweep: consumers are idempotent.
          this.failedTenants.add(tenantId);
          this.options.log.warn({ err: error, tenantId }, 'could not mark events dispatched');
        }
      }),
    );
  }

  /** Old events are deleted in the background, at most every 6 hours per tenant and process. */
  private pruneWhenDue(tenantId: string): void {
    if (this.options.retentionDays <= 0 || this.recentlyPruned.get(tenantId)) return;
    this.recentlyPruned.set(tenantId, true);
    this.track(
      this.prune(tenantId).catch((error) => this.options.log.warn({ err: error, tenantId }, 'could not prune old events')),
    );
  }

  /** Deletes the tenant's dispatched events older than the retention; resolves to how many. */
  prune(tenantId: string): Promise<number> {
    return deleteInBatches(
      this.options.router,
      tenantId,
      `DELETE FROM domain_events WHERE seq = ANY (ARRAY(
         SELECT seq FROM domain_events e
          WHERE occurred_at < now() - make_interval(days => $1)
            AND NOT EXISTS (SELECT 1 FROM domain_events_undispatched u WHERE u.seq = e.seq) LIMIT $2))`,
      [this.options.retentionDays],
      PRUNE_BATCH,
    );
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }
}
