import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { MessageStatusEvent, SessionStatusEvent } from '../channels/channel-events';
import { ProviderRegistry } from '../channels/provider-registry';
import type { SecretBox } from '../platform/crypto/secret-box';
import type { Route } from '../platform/http/http-server';
import type { JobQueue } from '../platform/jobs/job-queue';
import type { Logger } from '../platform/logger';
import type { TenantEventBus } from '../platform/realtime/tenant-events';
import type { FileStorage } from '../platform/storage/file-storage';
import type { TenantRegistry } from '../platform/tenancy/tenant-registry';
import type { TenantRouter } from '../platform/tenancy/tenant-router';
import { AutoReplies } from './auto-replies/auto-reply.service';
import { MessageIngest } from './messages/message-ingest.service';
import { FailedWebhookEvents, keepingFailedEvents } from '../platform/webhooks/failed-webhook-events';
import { WebhookEventRetention } from './messages/webhook-event-retention';
import { OUTBOUND_DEAD_QUEUE, OUTBOUND_SEND_QUEUE, OutboundMessages } from './messages/outbound-message.service';
import { OutboundSendWorker } from './messages/outbound-send.worker';
import { cloudWebhookRoutes } from './webhooks/cloud-webhook.route';
import { wahaWebhookRoute } from './webhooks/waha-webhook.route';
import { ChannelRouteCache } from './whatsapp-sessions/channel-route-cache';
import { SessionProviders } from './whatsapp-sessions/session-providers';
import { WhatsAppSessions } from './whatsapp-sessions/whatsapp-session.service';

/** The WhatsApp side of the product, shared by resolvers, webhook routes and the send worker. */
export interface WhatsAppServices {
  registry: ProviderRegistry;
  routes: ChannelRouteCache;
  providers: SessionProviders;
  sessions: WhatsAppSessions;
  ingest: MessageIngest;
  outbound: OutboundMessages;
  autoReplies: AutoReplies;
}

export interface WhatsAppModule {
  services: WhatsAppServices;
  /** Webhook routes for the HTTP server. */
  httpRoutes: Route[];
  /** Creates the job queues and starts this instance's send workers. */
  start(): Promise<void>;
  /** Cancels the sandbox's pending simulated acks. */
  dispose(): void;
}

/** How often and how long a sandbox ack that overtook its send's bookkeeping is offered again. */
const SANDBOX_REDELIVERY = { attempts: 5, delayMs: 300 };

/**
 * Wires providers, caches, ingest and the durable outbound queue. WAHA is available when
 * WAHA_URL is set (and is then the default provider), the Cloud API always (each channel brings
 * its credentials), the sandbox always (the default without WAHA).
 */
export function createWhatsAppModule(deps: {
  config: Config;
  log: Logger;
  control: DataSource;
  registry: TenantRegistry;
  router: TenantRouter;
  events: TenantEventBus;
  storage: FileStorage;
  secrets: SecretBox;
  jobs: JobQueue;
  /** This server's own URL, for WAHA's webhook when PUBLIC_URL is not set. */
  ownUrl: () => string | null;
}): WhatsAppModule {
  const { config, log } = deps;
  const moduleLog = log.child({ component: 'whatsapp' });
  let feedSandbox: (event: MessageStatusEvent | SessionStatusEvent, attempt?: number) => void = () => undefined;
  const registry = new ProviderRegistry(config, {
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    sendTimeoutMs: config.PROVIDER_SEND_TIMEOUT_MS,
    maxMediaBytes: config.INBOUND_MEDIA_MAX_BYTES,
    ownUrl: deps.ownUrl,
    sandbox: {
      ackDelaysMs: config.SANDBOX_ACK_DELAYS_MS,
      onStatus: (event) => feedSandbox(event),
      onListenerError: (error) => moduleLog.error({ err: error }, 'sandbox event listener failed'),
    },
  });
  const routes = new ChannelRouteCache(deps.control, { ttlMs: config.CHANNEL_CACHE_TTL_MS });
  const providers = new SessionProviders(registry, deps.secrets, { ttlMs: config.CHANNEL_CACHE_TTL_MS });
  const autoReplies = new AutoReplies({ ttlMs: config.AUTO_REPLY_CACHE_TTL_MS });
  const outbound = new OutboundMessages({
    jobs: deps.jobs,
    events: deps.events,
    planLimits: async (tenantId) => (await deps.registry.find(tenantId)).planLimits,
    log: moduleLog,
  });
  const ingest = new MessageIngest({
    router: deps.router,
    events: deps.events,
    storage: deps.storage,
    providers,
    autoReplies,
    outbound,
    log: moduleLog,
    maxMediaBytes: config.INBOUND_MEDIA_MAX_BYTES,
    retention: new WebhookEventRetention({ router: deps.router, retentionDays: config.WEBHOOK_EVENTS_RETENTION_DAYS, log: moduleLog }),
  });
  const sessions = new WhatsAppSessions({ registry, routes, providers, events: deps.events, log: moduleLog });
  const worker = new OutboundSendWorker({
    router: deps.router,
    jobs: deps.jobs,
    providers,
    storage: deps.storage,
    events: deps.events,
    log: moduleLog,
  });

  // Sandbox acks and session changes take the same path as webhooks: route, then ingest.
  const timers = new Set<NodeJS.Timeout>();
  feedSandbox = (event, attempt = 1) => {
    void (async () => {
      const target = await routes.find('SANDBOX', event.routingKey);
      if (!target) return;
      const result = await ingest.ingestOne(target, event);
      if (result === 'retry' && attempt < SANDBOX_REDELIVERY.attempts) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          feedSandbox(event, attempt + 1);
        }, SANDBOX_REDELIVERY.delayMs * attempt);
        timer.unref();
        timers.add(timer);
      }
    })().catch((error) => moduleLog.error({ err: error }, 'could not store a sandbox event'));
  };

  const services: WhatsAppServices = { registry, routes, providers, sessions, ingest, outbound, autoReplies };
  // Signed deliveries: an event that cannot be stored is kept as a failed webhook event, answered 2xx.
  const webhookIngest = keepingFailedEvents(ingest, new FailedWebhookEvents(deps.control, moduleLog));
  return {
    services,
    httpRoutes: [
      wahaWebhookRoute({ hmacKey: config.WAHA_WEBHOOK_HMAC_KEY, routes, ingest: webhookIngest, log: moduleLog }),
      ...cloudWebhookRoutes({ verifyToken: config.CLOUD_VERIFY_TOKEN, routes, providers, router: deps.router, ingest: webhookIngest, log: moduleLog }),
    ],
    start: async () => {
      const policy = {
        retryLimit: config.OUTBOUND_MAX_ATTEMPTS - 1,
        retryDelaySeconds: config.OUTBOUND_RETRY_DELAY_SECONDS,
        retryBackoff: true,
        expireInSeconds: config.OUTBOUND_JOB_EXPIRE_SECONDS,
      };
      await deps.jobs.define({ name: OUTBOUND_DEAD_QUEUE, ...policy, retryLimit: 3 });
      await deps.jobs.define({ name: OUTBOUND_SEND_QUEUE, ...policy, deadLetter: OUTBOUND_DEAD_QUEUE });
      await worker.start(config.OUTBOUND_CONCURRENCY);
    },
    dispose: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      registry.dispose();
    },
  };
}
