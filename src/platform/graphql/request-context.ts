import type DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import type { TenantRole } from '../control/membership.entity';
import type { PlanLimits } from '../tenancy/tenant-registry';
import type { TenantEvent } from '../realtime/tenant-events';
import type { TenantEventFilter } from '../realtime/tenant-event-stream';

/** Who is calling, taken from a verified token or API key only. */
export type Identity =
  | { kind: 'user'; userId: string; tenantId: string; role: TenantRole }
  | { kind: 'apiKey'; apiKeyId: string; tenantId: string; role: TenantRole }
  | { kind: 'platformAdmin'; adminId: string };

/** The caller's tenant, resolved lazily: only resolvers that touch tenant data open a connection. */
export interface TenantScope {
  readonly tenantId: string;
  /** EntityManager bound to this tenant's database or schema for the rest of the request. */
  manager(): Promise<EntityManager>;
  /** The plan's limits (null = unlimited), from the control database. */
  planLimits(): Promise<PlanLimits>;
  /**
   * This tenant's live events from now on, for a subscription's `subscribe`: bounded per
   * subscriber, checked against this tenant and its status per event. Fails with
   * TENANT_NOT_ACTIVE at once when the tenant is not active.
   */
  events(filter: TenantEventFilter): Promise<AsyncIterableIterator<TenantEvent>>;
}

/** Pass to `new DataLoader(batch, options)`; batching is off only for the no-DataLoader benchmark. */
export interface LoaderOptions {
  batch: boolean;
  cache: boolean;
}

/**
 * Request-scoped DataLoaders, created on first use and dropped with the request; never shared
 * across requests or tenants.
 */
export interface LoaderRegistry {
  get<K, V, C = K>(
    name: string,
    create: (manager: EntityManager, options: LoaderOptions) => DataLoader<K, V, C>,
  ): Promise<DataLoader<K, V, C>>;
}

export interface RequestContext {
  requestId: string;
  identity: Identity | null;
  log: Logger;
  /** Present when the identity belongs to a tenant; throws UNAUTHENTICATED otherwise. */
  tenant(): TenantScope;
  loaders: LoaderRegistry;
  /** The control database, for identity and tenant administration. */
  control: DataSource;
  /** The caller's address (see TRUST_PROXY), for per-address limits; null when unknown. */
  clientAddress?: string | null;
}
