/**
 * Events pushed to a tenant's live inboxes. Published only after the change is committed;
 * always scoped to one tenant, and checked again against the subscriber's tenant on delivery.
 */
export type TenantEventType = 'messageReceived' | 'messageUpdated' | 'conversationUpdated' | 'whatsappSessionUpdated' | 'campaignUpdated';

export interface TenantEvent {
  tenantId: string;
  type: TenantEventType;
  /** The conversation concerned, so subscribers can filter without loading anything. */
  conversationId?: string;
  /**
   * A JSON snapshot of the changed row as GraphQL serves it (ids, scalars, ISO dates), so a
   * thousand subscribers do not each query the database per event.
   */
  payload: Record<string, unknown>;
}

export type Unsubscribe = () => void;

/**
 * Fan-out of tenant events across server instances (Redis pub/sub when REDIS_URL is set,
 * otherwise Postgres LISTEN/NOTIFY on the control database) and to local subscribers.
 */
export interface TenantEventBus {
  publish(event: TenantEvent): Promise<void>;
  /** Local delivery of one tenant's events; the callback must not throw or block. */
  subscribe(tenantId: string, onEvent: (event: TenantEvent) => void): Unsubscribe;
  /** Local subscriptions on this instance (all tenants). */
  readonly subscriberCount: number;
  close(): Promise<void>;
}
