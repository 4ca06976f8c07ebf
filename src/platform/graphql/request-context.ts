import type DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import type { TenantRole } from '../control/membership.entity';
import type { ApiKeyScope } from '../auth/api-key-scopes';
import type { PlanLimits } from '../tenancy/tenant-registry';
import type { TenantEvent } from '../realtime/tenant-events';
import type { TenantEventFilter } from '../realtime/tenant-event-stream';
import type { Actor, DomainEventDraft } from '../events/domain-event';

/** Who is calling, taken from a verified token or API key only. */
export type Identity =
  | { kind: 'user'; userId: string; tenantId: string; role: TenantRole }
  | { kind: 'apiKey'; apiKeyId: string; tenantId: string; role: TenantRole; scopes: ApiKeyScope[]; /** The secret's hash: a rotation ends it. */ keyHash: string }
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
  /**
   * Runs `work` in one transaction of this tenant; the domain events it records are written in
   * that transaction and dispatched after commit. Every write that someone could care about goes
   * through here (the one path for domain events).
   */
  transaction<T>(work: (tx: TenantTransaction) => Promise<T>): Promise<T>;
}

export interface TenantTransaction {
  manager: EntityManager;
  /** Records domain events in this transaction; consumers get them after commit. */
  record(...events: DomainEventDraft[]): void;
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
  /** Who the domain events of this request are attributed to: the caller, or the system for jobs and webhooks. */
  actor: Actor;
  log: Logger;
  /** Present when the identity belongs to a tenant; throws UNAUTHENTICATED otherwise. */
  tenant(): TenantScope;
  loaders: LoaderRegistry;
  /** The control database, for identity and tenant administration. */
  control: DataSource;
  /**
   * A control-database transaction whose domain events belong to `tenantId` (members, API keys):
   * recorded in the control database's outbox with the change, moved to the tenant's log and
   * dispatched after commit. `options.actor` names who acted when the caller is not signed in as
   * them (accepting an invitation with its token); otherwise the events name the caller.
   */
  controlTransaction<T>(tenantId: string, work: (tx: TenantTransaction) => Promise<T>, options?: { actor?: Actor }): Promise<T>;
  /** The caller's address (see TRUST_PROXY), for per-address limits; null when unknown. */
  clientAddress?: string | null;
}
