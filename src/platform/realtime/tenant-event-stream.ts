import { AppError, ErrorCode } from '../errors';
import type { TenantEvent, TenantEventBus, TenantEventType, Unsubscribe } from './tenant-events';

/** Which of a tenant's events one subscription wants. */
export interface TenantEventFilter {
  types: readonly TenantEventType[];
  /** Further narrowing, e.g. one conversation; must be cheap and must not throw. */
  accept?: (event: TenantEvent) => boolean;
}

interface Waiter {
  resolve(event: TenantEvent | null): void;
  reject(error: unknown): void;
}

/**
 * One subscription's view of its tenant's events: a bounded queue between the bus, which pushes
 * synchronously, and the GraphQL executor, which pulls only as fast as the socket drains.
 *
 * - It listens to one tenant only, and drops anything else a bus might hand it.
 * - Before each event is handed out the tenant must still be active (a cached registry check),
 *   so a suspended tenant's subscriptions end with TENANT_NOT_ACTIVE.
 * - When `maxQueued` events wait, the subscriber is too slow: the stream lets go of its queue and
 *   the bus at once (memory stays bounded even if nobody ever pulls again), fails with
 *   SUBSCRIBER_TOO_SLOW, and tells its overflow handler, which the WebSocket server uses to
 *   drop the socket of a peer that stopped reading.
 * - return() works while a next() is pending (unlike an async generator's), so closing a socket
 *   unsubscribes at once instead of after the tenant's next event.
 */
export class TenantEventStream implements AsyncIterableIterator<TenantEvent> {
  private queue: TenantEvent[] = [];
  private waiters: Waiter[] = [];
  private failure: unknown = null;
  private finished = false;
  private unsubscribe: Unsubscribe | null;
  private overflowHandler: (() => void) | null = null;

  constructor(
    bus: TenantEventBus,
    private readonly options: {
      tenantId: string;
      filter: TenantEventFilter;
      maxQueued: number;
      /** Throws (TENANT_NOT_ACTIVE) when the tenant may no longer be served. */
      assertActive: () => Promise<unknown>;
    },
  ) {
    this.unsubscribe = bus.subscribe(options.tenantId, (event) => this.push(event));
  }

  /** Called once, synchronously, when the queue overflows. */
  onOverflow(handler: () => void): void {
    this.overflowHandler = handler;
  }

  get queued(): number {
    return this.queue.length;
  }

  async next(): Promise<IteratorResult<TenantEvent, undefined>> {
    const event = await this.take();
    if (!event) return { done: true, value: undefined };
    try {
      await this.options.assertActive();
    } catch (error) {
      this.fail(error);
      this.failure = null;
      throw error;
    }
    return { done: false, value: event };
  }

  /**
   * The next event and up to `max - 1` more that already wait behind it (one tenant check for
   * all), so a subscriber that fell behind catches up in batches: their relation fields load in
   * one statement per batch instead of one per event. Empty when the stream ended.
   */
  async nextBatch(max: number): Promise<TenantEvent[]> {
    const first = await this.take();
    if (!first) return [];
    const batch = [first, ...this.queue.splice(0, Math.max(0, max - 1))];
    try {
      await this.options.assertActive();
    } catch (error) {
      this.fail(error);
      this.failure = null;
      throw error;
    }
    return batch;
  }

  async return(): Promise<IteratorResult<TenantEvent, undefined>> {
    this.finish();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<TenantEvent, undefined>> {
    this.finish();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private push(event: TenantEvent): void {
    if (this.finished) return;
    if (event.tenantId !== this.options.tenantId) return;
    const { types, accept } = this.options.filter;
    if (!types.includes(event.type) || (accept && !accept(event))) return;
    const waiter = this.waiters.shift();
    if (waiter) return waiter.resolve(event);
    if (this.queue.length >= this.options.maxQueued) return this.overflow();
    this.queue.push(event);
  }

  private take(): Promise<TenantEvent | null> {
    const event = this.queue.shift();
    if (event) return Promise.resolve(event);
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.finished) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private overflow(): void {
    const handler = this.overflowHandler;
    this.fail(
      new AppError(ErrorCode.SUBSCRIBER_TOO_SLOW, `More than ${this.options.maxQueued} events waited for this subscriber`),
    );
    handler?.();
  }

  /** Ends the stream with an error: the next pull (or the pending one) rejects, later ones are done. */
  private fail(error: unknown): void {
    if (this.finished) return;
    this.failure = error;
    this.release();
    const waiters = this.waiters;
    this.waiters = [];
    if (waiters.length > 0) {
      this.failure = null;
      waiters[0].reject(error);
      for (const waiter of waiters.slice(1)) waiter.resolve(null);
    }
  }

  private finish(): void {
    this.failure = null;
    this.release();
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve(null);
  }

  private release(): void {
    this.finished = true;
    this.queue = [];
    this.overflowHandler = null;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    unsubscribe?.();
  }
}
