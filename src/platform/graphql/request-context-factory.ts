import crypto from 'node:crypto';
import type DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '../errors';
import type { MembershipRoles } from '../auth/membership-roles';
import type { Logger } from '../logger';
import type { TenantLease, TenantRouter } from '../tenancy/tenant-router';
import type { TenantRegistry } from '../tenancy/tenant-registry';
import type { TenantEventBus } from '../realtime/tenant-events';
import { TenantEventStream } from '../realtime/tenant-event-stream';
import type { Identity, LoaderOptions, LoaderRegistry, RequestContext, TenantScope } from './request-context';

export const DEFAULT_SUBSCRIPTION_QUEUE_LIMIT = 256;

/** A context plus the clean-up that returns its tenant connection. */
export interface DisposableContext extends RequestContext {
  dispose(): Promise<void>;
}

/**
 * Builds one context per HTTP request (and per subscription event). The tenant comes from the
 * verified identity only; its connection is leased on first use and released by dispose().
 */
export class RequestContextFactory {
  constructor(
    private readonly deps: {
      router: TenantRouter;
      registry: TenantRegistry;
      control: DataSource;
      memberships: MembershipRoles;
      log: Logger;
      loaderOptions?: LoaderOptions;
      events?: TenantEventBus;
      /** Events one subscriber may have waiting before it is dropped as too slow. */
      subscriptionQueueLimit?: number;
    },
  ) {}

  create(identity: Identity | null, requestId: string = crypto.randomUUID(), clientAddress: string | null = null): DisposableContext {
    const { router, registry, control, memberships } = this.deps;
    const tenantId = identity && identity.kind !== 'platformAdmin' ? identity.tenantId : null;
    const parentLog = this.deps.log;
    // Made on first use: most subscription events never log, and a child logger is not free.
    let log: Logger | null = null;
    let lease: Promise<TenantLease> | null = null;

    const scope: TenantScope | null = tenantId
      ? {
          tenantId,
          manager: async () => {
            lease ??= router.lease(tenantId);
            return (await lease).manager;
          },
          planLimits: async () => (await registry.findActive(tenantId)).planLimits,
          events: async (filter) => {
            const bus = this.deps.events;
            if (!bus) throw new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Live events are not configured');
            await registry.findActive(tenantId);
            return new TenantEventStream(bus, {
              tenantId,
              filter,
              maxQueued: this.deps.subscriptionQueueLimit ?? DEFAULT_SUBSCRIPTION_QUEUE_LIMIT,
              // Suspension, or the subscriber's removal from the tenant, ends the stream; a control
              // database hiccup when a cached entry expires does not (both held when it began).
              assertActive: async () => {
                try {
                  await registry.findActive(tenantId);
                  if (identity?.kind === 'user' && !(await memberships.role(identity.userId, tenantId))) {
                    throw new AppError(ErrorCode.UNAUTHENTICATED, 'You are no longer a member of this organisation');
                  }
                } catch (error) {
                  if (error instanceof AppError) throw error;
                  parentLog.warn({ err: error, tenantId }, 'could not re-check the tenant of a subscription; delivering');
                }
              },
            });
          },
        }
      : null;

    const loaders = new Map<string, Promise<DataLoader<unknown, unknown, unknown>>>();
    const loaderRegistry: LoaderRegistry = {
      get: <K, V, C>(name: string, create: (manager: EntityManager, options: LoaderOptions) => DataLoader<K, V, C>) => {
        let loader = loaders.get(name);
        if (!loader) {
          if (!scope) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in to a tenant first');
          const options = this.deps.loaderOptions ?? { batch: true, cache: true };
          loader = scope.manager().then((manager) => create(manager, options) as DataLoader<unknown, unknown, unknown>);
          loaders.set(name, loader);
        }
        return loader as Promise<DataLoader<K, V, C>>;
      },
    };

    return {
      requestId,
      identity,
      get log() {
        return (log ??= parentLog.child({ requestId, ...(tenantId ? { tenantId } : {}) }));
      },
      control,
      clientAddress,
      loaders: loaderRegistry,
      tenant: () => {
        if (!scope) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in to a tenant first');
        return scope;
      },
      dispose: async () => {
        const pending = lease;
        lease = null;
        loaders.clear();
        if (pending) await pending.then((l) => l.release(), () => undefined);
      },
    };
  }
}
