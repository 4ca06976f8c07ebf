import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { MessageStatusEvent, SessionStatusEvent } from '../../channels/channel-events';
import { ProviderRegistry } from '../../channels/provider-registry';
import type { AppModule } from '../../platform/app-module';
import type { SecretBox } from '../../platform/crypto/secret-box';
import type { JobQueue } from '../../platform/jobs/job-queue';
import type { Logger } from '../../platform/logger';
import type { EventDispatcher } from '../../platform/events/event-dispatcher';
import type { TenantEventBus } from '../../platform/realtime/tenant-events';
import type { FileStorage } from '../../platform/storage/file-storage';
import type { TenantRegistry } from '../../platform/tenancy/tenant-registry';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import { keepingFailedEvents, type FailedWebhookEvents } from '../../platform/webhooks/failed-webhook-events';
import type { InboxModule } from '../inbox/inbox.module';
import { ChannelRouteCache } from './channels/channel-route-cache';
import { cloudWebhookRoutes } from './channels/cloud-webhook.route';
import { SessionProviders } from './channels/session-providers';
import { wahaWebhookRoute } from './channels/waha-webhook.route';
import { whatsappSessionLiveConsumer } from './channels/whatsapp-session-events';
import { WhatsappSessionSubscriptionResolver } from './channels/whatsapp-session-subscription.resolver';
import { WhatsappSession } from './channels/whatsapp-session.entity';
import { WhatsappSessionResolver } from './channels/whatsapp-session.resolver';
import { WhatsAppSessions } from './channels/whatsapp-session.service';
import { WhatsappSettings } from './channels/whatsapp-settings.entity';
import { WhatsappSettingsResolver } from './channels/whatsapp-settings.resolver';
import { ChannelEventIngest } from './inbound/channel-event-ingest';
import type { InboundAutoReplies } from './inbound/inbound-auto-replies';
import { InboundMessageHandler } from './inbound/inbound-message.handler';
import { MessageStatusHandler } from './inbound/message-status.handler';
import { ReactionHandler } from './inbound/reaction.handler';
import { SessionStatusHandler } from './inbound/session-status.handler';
import { WebhookEvent } from './inbound/webhook-event.entity';
import { WebhookEventRetention } from './inbound/webhook-event-retention';
import { OUTBOUND_DEAD_QUEUE, OUTBOUND_SEND_QUEUE, OutboundMessages } from './outbound/outbound-message.service';
import { OutboundMessageResolver } from './outbound/outbound-message.resolver';
import { OutboundSendWorker } from './outbound/outbound-send.worker';
import { PlanUsageResolver } from './outbound/plan-usage.resolver';
import { UsageCounter } from './outbound/usage-counter.entity';
import { WhatsappReadReceipts } from './outbound/whatsapp-read-receipts';

export { WhatsappProvider, WhatsappSession, WhatsappSessionStatus } from './channels/whatsapp-session.entity';
export type { QueuedMessageDraft } from './outbound/outbound-message.service';
export type { BusinessHours, Weekday } from './channels/whatsapp-settings.entity';
export type { InboundAutoReplies, InboundAutoReplyPlan, InboundAutoReplyRule } from './inbound/inbound-auto-replies';

/** What a bulk sender (campaigns) uses of the durable outbound queue: its messages are ordinary outbound messages. */
export type OutboundQueue = Pick<OutboundMessages, 'claimMonthlyMessage' | 'insertQueued' | 'insertQueuedMany' | 'enqueueMany' | 'cancelMany' | 'wake'>;

export interface WhatsappModule extends AppModule {
  readonly outbound: OutboundQueue;
}

/** Channels and their settings, then the webhook dedup keys and the monthly usage counters. */
export const whatsappEntities = [WhatsappSession, WhatsappSettings, WebhookEvent, UsageCounter];

/** How often and how long a sandbox ack that overtook its send's bookkeeping is offered again. */
const SANDBOX_REDELIVERY = { attempts: 5, delayMs: 300 };

/**
 * The WhatsApp wing: channels (sessions, settings, routes, webhooks), inbound events (one handler
 * per kind) and outbound sends (a durable queue). It writes into the inbox; the inbox does not
 * know it. WAHA is available when WAHA_URL is set (and is then the default provider), the Cloud
 * API always (each channel brings its credentials), the sandbox always (the default without WAHA).
 */
export function createWhatsappModule(deps: {
  config: Config;
  log: Logger;
  control: DataSource;
  registry: TenantRegistry;
  router: TenantRouter;
  /** Live events, for this module's subscription consumer. */
  events: TenantEventBus;
  /** Hands the events that webhook and send statements record to the consumers, after commit. */
  dispatcher: Pick<EventDispatcher, 'dispatch'>;
  storage: FileStorage;
  secrets: SecretBox;
  jobs: JobQueue;
  /** This server's own URL, for WAHA's webhook when PUBLIC_URL is not set. */
  ownUrl: () => string | null;
  inbox: Pick<InboxModule, 'readReceipts'>;
  autoReplies: InboundAutoReplies;
  /** Where signed webhook events that cannot be stored are kept. */
  failedWebhookEvents: Pick<FailedWebhookEvents, 'record'>;
}): WhatsappModule {
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
  const outbound = new OutboundMessages({
    jobs: deps.jobs,
    planLimits: async (tenantId) => (await deps.registry.find(tenantId)).planLimits,
    log: moduleLog,
  });
  const writers = { router: deps.router, dispatcher: deps.dispatcher };
  const ingest = new ChannelEventIngest({
    handlers: {
      message: new InboundMessageHandler({
        ...writers,
        storage: deps.storage,
        providers,
        autoReplies: deps.autoReplies,
        outbound,
        log: moduleLog,
        maxMediaBytes: config.INBOUND_MEDIA_MAX_BYTES,
      }),
      status: new MessageStatusHandler(writers),
      reaction: new ReactionHandler(writers),
      session: new SessionStatusHandler({ ...writers, providers }),
    },
    retention: new WebhookEventRetention({ router: deps.router, retentionDays: config.WEBHOOK_EVENTS_RETENTION_DAYS, log: moduleLog }),
  });
  const sessions = new WhatsAppSessions({ registry, routes, providers, log: moduleLog });
  const worker = new OutboundSendWorker({
    router: deps.router,
    jobs: deps.jobs,
    providers,
    storage: deps.storage,
    dispatcher: deps.dispatcher,
    log: moduleLog,
  });
  deps.inbox.readReceipts.add(new WhatsappReadReceipts(providers));

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

  // Signed deliveries: an event that cannot be stored is kept as a failed webhook event, answered 2xx.
  const webhookIngest = keepingFailedEvents(ingest, deps.failedWebhookEvents);
  const policy = {
    retryLimit: config.OUTBOUND_MAX_ATTEMPTS - 1,
    retryDelaySeconds: config.OUTBOUND_RETRY_DELAY_SECONDS,
    retryBackoff: true,
    expireInSeconds: config.OUTBOUND_JOB_EXPIRE_SECONDS,
  };
  return {
    name: 'whatsapp',
    outbound,
    resolvers: [
      new WhatsappSettingsResolver(deps.autoReplies),
      new WhatsappSessionResolver({ sessions, providers, ingest }),
      new WhatsappSessionSubscriptionResolver(),
      new OutboundMessageResolver(outbound),
      new PlanUsageResolver(),
    ],
    routes: [
      wahaWebhookRoute({ hmacKey: config.WAHA_WEBHOOK_HMAC_KEY, routes, ingest: webhookIngest, log: moduleLog }),
      ...cloudWebhookRoutes({ verifyToken: config.CLOUD_VERIFY_TOKEN, routes, providers, router: deps.router, ingest: webhookIngest, log: moduleLog }),
    ],
    jobs: [
      { queue: { name: OUTBOUND_DEAD_QUEUE, ...policy, retryLimit: 3 } },
      // Sends resume once the server listens (so sandbox acks and webhooks can be stored).
      { queue: { name: OUTBOUND_SEND_QUEUE, ...policy, deadLetter: OUTBOUND_DEAD_QUEUE }, work: () => worker.start(config.OUTBOUND_CONCURRENCY) },
    ],
    eventConsumers: [whatsappSessionLiveConsumer(deps.events)],
    // Cancels the sandbox's pending simulated acks.
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      registry.dispose();
    },
  };
}
