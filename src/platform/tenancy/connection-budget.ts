import { AppError, ErrorCode } from '../errors';

interface Waiter {
  slots: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Counts connection slots against a fixed budget kept below the server's max_connections.
 * A reservation that does not fit waits (first come, first served) up to a timeout, then fails
 * with CONNECTION_BUDGET_EXHAUSTED; it never hangs forever.
 */
export class ConnectionBudget {
  private used = 0;
  private readonly waiters: Waiter[] = [];
  waits = 0;
  timeouts = 0;

  constructor(
    readonly total: number,
    private readonly waitTimeoutMs: number,
  ) {}

  get inUse(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  tryReserve(slots: number): boolean {
    if (this.waiters.length === 0 && this.used + slots <= this.total) {
      this.used += slots;
      return true;
    }
    return false;
  }

  /**
   * Reserves slots, asking `makeRoom` to free some (evict idle pools) when full,
   * then waiting for a release.
   */
  async reserve(slots: number, makeRoom: (needed: number) => Promise<void>): Promise<void> {
    if (slots > this.total) throw new Error(`Cannot reserve ${slots} slots from a budget of ${this.total}`);
    if (this.tryReserve(slots)) return;
    await makeRoom(this.used + slots - this.total);
    if (this.tryReserve(slots)) return;
    this.waits += 1;
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        slots,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          this.timeouts += 1;
          reject(
            new AppError(
              ErrorCode.CONNECTION_BUDGET_EXHAUSTED,
              'The server is at its database connection budget; retry shortly',
            ),
          );
          this.drain();
        }, this.waitTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  release(slots: number): void {
    this.used = Math.max(0, this.used - slots);
    this.drain();
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.used + this.waiters[0].slots <= this.total) {
      const waiter = this.waiters.shift()!;
      clearTimeout(waiter.timer);
      this.used += waiter.slots;
      waiter.resolve();
    }
  }
}
