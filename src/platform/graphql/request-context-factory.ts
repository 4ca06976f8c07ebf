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
import { SYSTEM_ACTOR, type Actor, type DomainEventDraft } from '../events/domain-event';
import type { EventDispatcher } from '../events/event-dispatcher';
import type { ControlEventOutbox } from '../events/control-event-outbox';
import { appendEvents } from '../events/event-log';
import type { Identity, LoaderOptions, LoaderRegistry, RequestContext, TenantScope, TenantTransaction } from './request-context';

export const DEFAULT_SUBSCRIPTION_QUEUE_LIMIT = 20_000;

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
      /** Events one subscriber may have waiting (a memory bound; stalled sockets are dropped by the WebSocket server). */
      subscriptionQueueLimit?: number;
      dispatcher: EventDispatcher;
      controlOutbox: ControlEventOutbox;
    },
  ) {}

  /**
   * A context for work nobody asked for over the API (webhooks, jobs, start-up): the tenant is
   * given, nobody is authenticated, and its domain events are attributed to `actor`.
   */
  system(tenantId: string, actor: Actor = SYSTEM_ACTOR, requestId: string = crypto.randomUUID()): DisposableContext {
    return this.create(null, requestId, { tenantId, actor });
  }

  create(
    identity: Identity | null,
    requestId: string = crypto.randomUUID(),
    system?: { tenantId: string; actor: Actor },
    /** The caller's address (see TRUST_PROXY), for per-address limits. */
    clientAddress: string | null = null,
  ): DisposableContext {
    const { router, registry, control, memberships, dispatcher, controlOutbox } = this.deps;
    const tenantId = system?.tenantId ?? (identity && identity.kind !== 'platformAdmin' ? identity.tenantId : null);
    // Lazy: subscription events run with an identity that hides who the subscriber is, and never write.
    let actorOnce: Actor | null = system?.actor ?? null;
    const actor = () => (actorOnce ??= actorOf(identity));
    const parentLog = this.deps.log;
    // Made on first use: most subscription events never log, and a child logger is not free.
    let log: Logger | null = null;
    let lease: Promise<TenantLease> | null = null;

    const manager = async () => {
      lease ??= router.lease(tenantId!);
      return (await lease).manager;
    };
    const scope: TenantScope | null = tenantId
      ? {
          tenantId,
          manager,
          transaction: async (work) => {
            const { result, events } = await (await manager()).transaction(async (em) => {
              const drafts: DomainEventDraft[] = [];
              const tx: TenantTransaction = { manager: em, record: (...recorded) => void drafts.push(...recorded) };
              const result = await work(tx);
              return { result, events: await appendEvents(em, tenantId, actor(), drafts) };
            });
            await dispatcher.dispatch(tenantId, events);
            return result;
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
      get actor() {
        return actor();
      },
      get log() {
        return (log ??= parentLog.child({ requestId, ...(tenantId ? { tenantId } : {}) }));
      },
      control,
      clientAddress,
      controlTransaction: async (eventTenantId, work, options) => {
        const result = await control.transaction(async (em) => {
          const drafts: DomainEventDraft[] = [];
          const result = await work({ manager: em, record: (...recorded) => void drafts.push(...recorded) });
          await controlOutbox.record(em, eventTenantId, options?.actor ?? actor(), drafts);
          return { result, recorded: drafts.length > 0 };
        });
        // Moved to the tenant's log now; should that fail, the periodic relay moves it later.
        if (result.recorded) {
          await controlOutbox.relay(eventTenantId).catch((error) => parentLog.warn({ err: error, tenantId: eventTenantId }, 'could not relay control events yet'));
        }
        return result.result;
      },
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

function actorOf(identity: Identity | null): Actor {
  switch (identity?.kind) {
    case 'user':
      return { kind: 'USER', id: identity.userId };
    case 'apiKey':
      return { kind: 'API_KEY', id: identity.apiKeyId };
    case 'platformAdmin':
      return { kind: 'PLATFORM_ADMIN', id: identity.adminId };
    default:
      return SYSTEM_ACTOR;
  }
}
