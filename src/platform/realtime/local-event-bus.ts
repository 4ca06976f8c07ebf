import type { Logger } from '../logger';
import type { TenantEvent, TenantEventBus, Unsubscribe } from './tenant-events';

/**
 * Delivers events to subscribers in this process only. Cross-instance buses wrap it: they
 * publish to the broker and call deliver() for whatever the broker hands back.
 */
export class LocalTenantEventBus implements TenantEventBus {
  /** Emptied sets are removed, so the map only holds tenants with live subscribers. */
  private readonly subscribers = new Map<string, Set<(event: TenantEvent) => void>>();

  constructor(private readonly log: Logger) {}

  async publish(event: TenantEvent): Promise<void> {
    this.deliver(event);
  }

  deliver(event: TenantEvent): void {
    const callbacks = this.subscribers.get(event.tenantId);
    if (!callbacks) return;
    for (const callback of callbacks) {
      try {
        callback(event);
      } catch (error) {
        this.log.error({ err: error, tenantId: event.tenantId }, 'a subscriber failed on an event');
      }
    }
  }

  subscribe(tenantId: string, onEvent: (event: TenantEvent) => void): Unsubscribe {
    let callbacks = this.subscribers.get(tenantId);
    if (!callbacks) this.subscribers.set(tenantId, (callbacks = new Set()));
    callbacks.add(onEvent);
    return () => {
      callbacks!.delete(onEvent);
      if (callbacks!.size === 0 && this.subscribers.get(tenantId) === callbacks) this.subscribers.delete(tenantId);
    };
  }

  /** Whether anyone here listens to this tenant, or with no tenant, to any. */
  hasSubscribers(tenantId?: string): boolean {
    return tenantId === undefined ? this.subscribers.size > 0 : this.subscribers.has(tenantId);
  }

  get subscriberCount(): number {
    let count = 0;
    for (const callbacks of this.subscribers.values()) count += callbacks.size;
    return count;
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }
}
