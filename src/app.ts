import 'reflect-metadata';
import type http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import { eventListenerConnections, type Config } from './config';
import { controlMigrations } from '../migrations/control';
import { tenantMigrations } from '../migrations/tenant';
import { createLogger, type Logger } from './platform/logger';
import { startEmbeddedPostgres } from './platform/db/embedded-postgres';
import { redactUrl, withDatabase } from './platform/db/connection-url';
import { loadOrCreateSecret } from './platform/auth/secret-store';
import { TokenService } from './platform/auth/token-service';
import { startTenancy } from './platform/tenancy/tenancy-runtime';
import { Authenticator } from './platform/auth/authenticator';
import { MembershipRoles } from './platform/auth/membership-roles';
import { CredentialStatus } from './platform/auth/credential-status';
import { IdentityChanges } from './platform/auth/identity-changes';
import { FailedWebhookEvents } from './platform/webhooks/failed-webhook-events';
import { buildGraphQLSchema } from './platform/graphql/schema-builder';
import { ApiKeyScope, type OperationArea } from './platform/auth/api-key-scopes';
import { createApolloServer } from './platform/graphql/apollo-server';
import { RequestContextFactory } from './platform/graphql/request-context-factory';
import { addRoutes, createHttpServer, sendJson, type Route } from './platform/http/http-server';
import { EXPLORER_PATH } from './platform/http/graphql-explorer';
import { graphqlHttpHandler } from './platform/http/graphql-http-handler';
import { createGraphQLWsServer } from './platform/realtime/graphql-ws-server';
import { operationLabel, PlatformMetrics } from './platform/metrics';
import { MetricsSampler } from './platform/metrics-sampler';
import { metricsRoute } from './platform/http/metrics-route';
import { FileStorage } from './platform/storage/file-storage';
import { SecretBox } from './platform/crypto/secret-box';
import { MediaUrlSigner } from './platform/crypto/media-url-signer';
import { JobQueue } from './platform/jobs/job-queue';
import { RedisTenantEventBus } from './platform/realtime/redis-event-bus';
import { PostgresTenantEventBus } from './platform/realtime/postgres-event-bus';
import type { TenantEventBus } from './platform/realtime/tenant-events';
import { EventDispatcher } from './platform/events/event-dispatcher';
import { ControlEventOutbox } from './platform/events/control-event-outbox';
import { RateLimits } from './platform/rate-limit/rate-limits';
import { requestRateLimit } from './platform/rate-limit/request-rate-limit';
import { TenantActivity } from './platform/tenancy/tenant-activity';
import type { Identity } from './platform/graphql/request-context';
import { clientAddressResolver } from './platform/rate-limit/client-address';
import { DomainEventRow, UndispatchedEventRow } from './platform/events/domain-event.entity';
import { auditEntities, createAuditModule } from './modules/audit/audit.module';
import type { TenantRegistry } from './platform/tenancy/tenant-registry';
import type { TenantRouter } from './platform/tenancy/tenant-router';
import type { TenantProvisioner } from './platform/tenancy/tenant-provisioner';
import type { DatabaseServers } from './platform/tenancy/database-servers';
import type { TenancyMode } from './platform/control/tenant-placement.entity';
import { defineTenantSchema } from './platform/tenancy/tenant-schema';
import type { AppModule } from './platform/app-module';
import { autoRepliesEntities, createAutoRepliesModule } from './modules/auto-replies/auto-replies.module';
import { campaignsEntities, createCampaignsModule } from './modules/campaigns/campaigns.module';
import { contactsEntities, createContactsModule } from './modules/contacts/contacts.module';
import { createDocumentsModule, documentsEntities } from './modules/documents/documents.module';
import { createIdentityModule, identityEntities } from './modules/identity/identity.module';
import { createInboxModule, inboxEntities } from './modules/inbox/inbox.module';
import { createLabelsModule, labelsEntities } from './modules/labels/labels.module';
import { createOrdersModule, ordersEntities } from './modules/orders/orders.module';
import { createPlatformAdminModule, platformAdminEntities } from './modules/platform-admin/platform-admin.module';
import { createQuickRepliesModule, quickRepliesEntities } from './modules/quick-replies/quick-replies.module';
import { createSettingsModule, settingsEntities } from './modules/settings/settings.module';
import { createWhatsappModule, whatsappEntities } from './modules/whatsapp/whatsapp.module';
import { createWebhooksModule, webhooksEntities } from './modules/webhooks/webhooks.module';

/**
 * Every table of a tenant database, from the modules' faces: referenced tables before those that
 * point at them (copies and restores insert in this order).
 */
export const tenantEntities: Function[] = [
  ...identityEntities,
  ...platformAdminEntities,
  ...settingsEntities,
  ...documentsEntities,
  ...contactsEntities,
  ...whatsappEntities,
  ...inboxEntities,
  ...labelsEntities,
  ...quickRepliesEntities,
  ...autoRepliesEntities,
  ...campaignsEntities,
  ...ordersEntities,
  ...auditEntities,
  ...webhooksEntities,
  // The event log: every module's events, written in their transactions.
  DomainEventRow,
  UndispatchedEventRow,
];

/** What every tenant database holds: the product's entities and their migrations. */
export const tenantSchema = defineTenantSchema(tenantEntities, tenantMigrations);

/** The platform services the product modules are built from (each module takes the few it needs). */
export interface PlatformServices {
  config: Config;
  log: Logger;
  control: DataSource;
  tokens: TokenService;
  memberships: MembershipRoles;
  /** Tell it when an identity may have lost access: caches drop it and open sockets are re-checked at once. */
  identityChanges: IdentityChanges;
  authenticator: Authenticator;
  /** Login back-off, sign-up and request limits, shared by every instance. */
  rateLimits: RateLimits;
  registry: TenantRegistry;
  router: TenantRouter;
  provisioner: TenantProvisioner;
  tenancyMode: TenancyMode;
  events: TenantEventBus;
  storage: FileStorage;
  secrets: SecretBox;
  /** Signs the short-lived media URLs that work without an Authorization header. */
  mediaUrls: MediaUrlSigner;
  jobs: JobQueue;
  /** Hands committed domain events to the consumers (for writers that record events in their own SQL). */
  dispatcher: EventDispatcher;
  /** This server's own URL once it listens. */
  ownUrl: () => string | null;
}

/**
 * The product: every module, built in dependency order from the narrow services it needs. The
 * only place that knows them all.
 */
export function createAppModules(platform: PlatformServices): AppModule[] {
  const { config, log, control, tokens, identityChanges, authenticator, registry, router, provisioner, tenancyMode, events, storage, secrets, mediaUrls, jobs, dispatcher, rateLimits } =
    platform;
  const failedWebhookEvents = new FailedWebhookEvents(control, log.child({ component: 'webhooks' }));
  const autoReplies = createAutoRepliesModule({ cacheTtlMs: config.AUTO_REPLY_CACHE_TTL_MS });
  const documents = createDocumentsModule({ maxUploadBytes: config.MAX_UPLOAD_BYTES, storage, authenticator, router, mediaUrls });
  const inbox = createInboxModule({ events, media: documents.media });
  const whatsapp = createWhatsappModule({
    config,
    log,
    control,
    registry,
    router,
    events,
    storage,
    secrets,
    jobs,
    dispatcher,
    ownUrl: platform.ownUrl,
    inbox,
    autoReplies: autoReplies.autoReplies,
    failedWebhookEvents,
  });
  return [
    createIdentityModule({ control, provisioner, tokens, identityChanges, registry, rateLimits, settings: config }),
    createPlatformAdminModule({ control, tokens, provisioner, identityChanges, router, tenancyMode, failedWebhookEvents, rateLimits }),
    createSettingsModule({ secrets, masterConfigChanged: (tenantId) => autoReplies.autoReplies.invalidate(tenantId) }),
    documents,
    createContactsModule(),
    inbox,
    createLabelsModule(),
    whatsapp,
    createQuickRepliesModule(),
    autoReplies,
    createCampaignsModule({
      router,
      jobs,
      outbound: whatsapp.outbound,
      dispatcher,
      events,
      log,
      limits: {
        ratePerMinute: { WAHA: config.CAMPAIGN_RATE_WAHA_PER_MINUTE, CLOUD: config.CAMPAIGN_RATE_CLOUD_PER_MINUTE, SANDBOX: config.CAMPAIGN_RATE_SANDBOX_PER_MINUTE },
        dailyLimit: { WAHA: config.CAMPAIGN_DAILY_LIMIT_WAHA, CLOUD: config.CAMPAIGN_DAILY_LIMIT_CLOUD, SANDBOX: config.CAMPAIGN_DAILY_LIMIT_SANDBOX },
      },
      jobExpireSeconds: config.CAMPAIGN_JOB_EXPIRE_SECONDS,
      concurrency: 2,
    }),
    createOrdersModule(),
    createAuditModule(),
    createWebhooksModule({ router, jobs, secrets, dispatcher, log, settings: config }),
  ];
}

/**
 * The API-key scope area of each module's operations (see ApiKeyScope); modules not listed
 * (identity, settings, audit, platform admin) are outside every area: ADMIN keys only, or
 * READ_ONLY keys for their queries.
 */
const MODULE_AREAS: Record<string, OperationArea> = {
  inbox: ApiKeyScope.INBOX,
  whatsapp: ApiKeyScope.INBOX,
  documents: ApiKeyScope.INBOX,
  'quick-replies': ApiKeyScope.INBOX,
  'auto-replies': ApiKeyScope.INBOX,
  contacts: ApiKeyScope.CONTACTS,
  labels: ApiKeyScope.CONTACTS,
  orders: ApiKeyScope.ORDERS,
  campaigns: ApiKeyScope.CAMPAIGNS,
  webhooks: ApiKeyScope.WEBHOOKS,
};

/** The schema of the modules' resolvers, with the scope area of every operation. */
export function buildAppSchema(modules: readonly AppModule[]): Promise<GraphQLSchema> {
  const areas = new Map<object, OperationArea>();
  for (const module of modules) {
    const area = MODULE_AREAS[module.name];
    if (area) for (const resolver of module.resolvers) areas.set(resolver, area);
  }
  return buildGraphQLSchema({ resolvers: modules.flatMap((module) => module.resolvers), areas, fieldAreas: { viewer: 'ANY', me: 'ANY' } });
}

/** What tests, benches and operator tooling may reach into: a few platform services, no module internals. */
export interface AppPlatform {
  control: DataSource;
  router: TenantRouter;
  registry: TenantRegistry;
  /** Live events to subscribers, across instances. */
  events: TenantEventBus;
  secrets: SecretBox;
  provisioner: TenantProvisioner;
  /** Postgres servers tenants live on. */
  servers: DatabaseServers;
  /** Signs tokens (tests mint identities without the sign-up flow). */
  tokens: TokenService;
  /** What a platform admin's removal or another instance's change would announce. */
  identityChanges: IdentityChanges;
  /** Where new tenants go (TENANCY_MODE resolved at start-up). */
  tenancyMode: TenancyMode;
}

export interface App {
  config: Config;
  log: Logger;
  platform: AppPlatform;
  schema: GraphQLSchema;
  httpServer: http.Server;
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  stop(): Promise<void>;
}

/** A tenant still PROVISIONING after this was left half-done by a stopped process. */
const PROVISIONING_STUCK_AFTER_MS = 10 * 60_000;

/** Boots everything in order: database → control plane → tenancy → GraphQL over HTTP and WS. */
export async function startApp(config: Config, options: { log?: Logger } = {}): Promise<App> {
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      await close().catch((error) => log.error({ err: error }, 'error during shutdown'));
    }
    closers.length = 0;
  };

  try {
    // With DIRECT_DATABASE_URL, DATABASE_URL is a pooler that only tenant requests go through.
    let controlUrl = config.DIRECT_DATABASE_URL ?? config.DATABASE_URL;
    if (!controlUrl) {
      const embedded = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log });
      closers.push(() => embedded.stop());
      controlUrl = withDatabase(embedded.url, `${config.DB_NAME_PREFIX}_control`);
    }
    log.info({ control: redactUrl(controlUrl) }, 'connecting to the control database');
    const tenancy = await startTenancy({
      settings: config,
      controlUrl,
      pooledUrl: config.DIRECT_DATABASE_URL ? config.DATABASE_URL : null,
      schema: tenantSchema,
      controlMigrations,
      // The job queue's pool and the event bus's LISTEN connection are part of the budget too.
      reservedConnections: config.JOBS_POOL_SIZE + eventListenerConnections(config),
      log,
    });
    closers.push(() => tenancy.close());
    const { control, servers, registry, router, provisioner, tenancyMode } = tenancy;
    // In the background (start-up does not wait), but finished before the pools close.
    const resuming = provisioner
      .resumeInterrupted(PROVISIONING_STUCK_AFTER_MS)
      .then((resumed) => resumed.length > 0 && log.warn({ resumed }, 'provisioned tenants that a stopped process had left half-done'))
      .catch((error) => log.error({ err: error }, 'could not look for interrupted tenant provisioning'));
    closers.push(() => resuming);

    const tokens = new TokenService({
      secret: loadOrCreateSecret(config.DATA_DIR, 'jwt-secret', config.JWT_SECRET),
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.JWT_TTL_SECONDS,
    });

    const metrics = new PlatformMetrics(() => router.figures());
    const sampler = new MetricsSampler({
      metrics,
      control,
      admins: tenancy.admins,
      controlUrl,
      jobsSchema: config.JOBS_SCHEMA,
      intervalMs: config.METRICS_SAMPLE_INTERVAL_MS,
      log: log.child({ component: 'metrics' }),
    });
    closers.push(() => sampler.stop());

    const events = await createEventBus(config, controlUrl, control, log);
    closers.push(() => events.close());
    const dispatcher = new EventDispatcher({
      router,
      control,
      log: log.child({ component: 'events' }),
      dispatchTimeoutMs: config.EVENT_DISPATCH_TIMEOUT_MS,
      redispatchAfterMs: config.EVENT_REDISPATCH_AFTER_MS,
      sweepIntervalMs: config.EVENT_SWEEP_INTERVAL_MS,
      retentionDays: config.EVENT_LOG_RETENTION_DAYS,
      observeLag: (seconds) => metrics.eventDispatchLag.observe(seconds),
    });
    closers.push(() => dispatcher.stop());
    const controlOutbox = new ControlEventOutbox({ control, router, dispatcher, log, intervalMs: config.EVENT_SWEEP_INTERVAL_MS });
    closers.push(async () => controlOutbox.stop());

    const storage = new FileStorage(path.join(config.DATA_DIR, 'media'));
    const secretsKey = loadOrCreateSecret(config.DATA_DIR, 'secrets-key', config.SECRETS_KEY);
    const secrets = new SecretBox(secretsKey);
    const mediaUrls = new MediaUrlSigner(secretsKey, config.MEDIA_URL_TTL_SECONDS);
    const jobs = new JobQueue({
      connectionString: controlUrl,
      schema: config.JOBS_SCHEMA,
      poolSize: config.JOBS_POOL_SIZE,
      pollingIntervalSeconds: config.JOBS_POLLING_INTERVAL_SECONDS,
      maintenanceIntervalSeconds: config.JOBS_MAINTENANCE_INTERVAL_SECONDS,
      log,
      structureLock: tenancy.structureLock,
    });
    let ownUrl: string | null = null;
    const memberships = new MembershipRoles(control, config.TENANT_CACHE_TTL_MS);
    const credentials = new CredentialStatus(control, config.TENANT_CACHE_TTL_MS);
    const identityChanges = new IdentityChanges({ memberships, credentials, registry });
    const authenticator = new Authenticator(tokens, control, registry, memberships, credentials);
    const rateLimits = new RateLimits(config, control, (limit) => metrics.rateLimitRefusals.inc({ limit }));
    closers.push(() => rateLimits.close());
    const clientAddress = clientAddressResolver(config.TRUST_PROXY);
    // Every authenticated GraphQL request or WebSocket operation counts as the tenant's activity.
    const activity = new TenantActivity(control, log);
    const limitRequest = requestRateLimit(rateLimits);
    const requestLimit = async (identity: Identity) => {
      if (identity.kind !== 'platformAdmin') activity.touch(identity.tenantId);
      await limitRequest(identity);
    };
    const modules = createAppModules({
      config,
      log,
      control,
      tokens,
      memberships,
      identityChanges,
      authenticator,
      rateLimits,
      registry,
      router,
      provisioner,
      tenancyMode,
      events,
      storage,
      secrets,
      mediaUrls,
      jobs,
      dispatcher,
      ownUrl: () => ownUrl,
    });
    closers.push(async () => {
      for (const module of [...modules].reverse()) await module.stop?.();
    });
    // Runs before the tenant pools close (closers run in reverse): running sends finish, or are
    // failed for a later retry that reconciles with the provider first.
    closers.push(() => jobs.stop(10_000));

    for (const consumer of modules.flatMap((module) => module.eventConsumers)) dispatcher.addConsumer(consumer);
    const schema = await buildAppSchema(modules);
    const batching = config.DATALOADER_BATCHING;
    const contexts = new RequestContextFactory({
      router,
      registry,
      control,
      memberships,
      log,
      loaderOptions: { batch: batching, cache: batching },
      events,
      subscriptionQueueLimit: config.SUBSCRIPTION_QUEUE_LIMIT,
      dispatcher,
      controlOutbox,
    });
    const limits = { maxDepth: config.GRAPHQL_MAX_DEPTH, maxCost: config.GRAPHQL_MAX_COST };

    let shuttingDown = false;
    const routes: Route[] = [
      { method: 'GET', path: '/healthz', handler: (_request, reply) => sendJson(reply, 200, { status: 'ok' }) },
      {
        method: 'GET',
        path: '/readyz',
        handler: async (_request, reply) => {
          const ok = !shuttingDown && (await control.query('SELECT 1').then(() => true, () => false));
          return sendJson(reply, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready' });
        },
      },
      metricsRoute(metrics.registry, config.METRICS_TOKEN),
      ...modules.flatMap((module) => module.routes),
    ];
    const http = await createHttpServer({
      log,
      corsOrigins: config.CORS_ORIGINS,
      explorer: config.GRAPHQL_EXPLORER,
      staticRoot: path.resolve(__dirname, '..', '..', 'web', 'dist'),
    });
    const httpServer = http.server;
    const ws = createGraphQLWsServer({
      httpServer,
      schema,
      authenticator,
      contexts,
      limits,
      log,
      maxSubscriptionsPerSocket: config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      identityChanges,
      recheckIntervalMs: config.TENANT_CACHE_TTL_MS,
      introspection: config.GRAPHQL_INTROSPECTION,
      stallMs: config.SUBSCRIBER_STALL_MS,
      maxBufferedBytes: config.SUBSCRIBER_MAX_BUFFERED_BYTES,
      clientAddress,
      requestLimit,
      observeOperation: (operation, ok, seconds) => metrics.observeOperation(operationLabel(operation), 'ws', ok, seconds),
    });
    metrics.watchSockets(ws.figures);
    const apollo = createApolloServer({
      schema,
      httpServer: http,
      limits,
      introspection: config.GRAPHQL_INTROSPECTION,
      exposeSqlCount: config.EXPOSE_SQL_COUNT,
      log,
      onDrain: () => ws.close(),
      metrics,
    });
    await apollo.start();
    closers.push(() => apollo.stop());
    const graphql = graphqlHttpHandler({
      apollo,
      authenticator,
      contexts,
      countSqlStatements: config.EXPOSE_SQL_COUNT,
      explorerPath: config.GRAPHQL_EXPLORER ? EXPLORER_PATH : undefined,
      clientAddress,
      requestLimit,
    });
    const graphqlBodyLimit = Math.ceil((config.MAX_UPLOAD_BYTES * 4) / 3) + 64 * 1024;
    routes.push(
      { method: 'POST', path: '/graphql', handler: graphql, maxBodyBytes: graphqlBodyLimit },
      { method: 'GET', path: '/graphql', handler: graphql },
    );
    addRoutes(http, routes, (provider, status) => metrics.observeWebhook(provider, status));

    await http.listen({ port: config.PORT, host: config.HOST });
    const { port } = httpServer.address() as AddressInfo;
    const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
    ownUrl = url;

    // Sends resume once the server listens (so sandbox acks and webhooks can be stored).
    await jobs.start();
    for (const module of modules) for (const job of module.jobs) await jobs.define(job.queue);
    for (const module of modules) for (const job of module.jobs) await job.work?.();
    for (const module of modules) await module.start?.();
    dispatcher.start();
    controlOutbox.start();
    sampler.start();
    log.info({ url: `${url}/graphql`, tenancyMode }, 'server ready');

    return {
      config,
      log,
      platform: { control, router, registry, events, secrets, provisioner, servers, tokens, identityChanges, tenancyMode },
      schema,
      httpServer,
      url,
      stop: async () => {
        shuttingDown = true;
        await closeAll();
        log.info('server stopped');
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Redis pub/sub when REDIS_URL is set, else LISTEN/NOTIFY on the control database. */
async function createEventBus(config: Config, controlUrl: string, control: DataSource, log: Logger): Promise<TenantEventBus> {
  if (config.REDIS_URL) {
    log.info({ redis: redactUrl(config.REDIS_URL) }, 'live events fan out through Redis');
    return RedisTenantEventBus.connect({ url: config.REDIS_URL, namePrefix: config.DB_NAME_PREFIX, log });
  }
  log.info('live events fan out through Postgres LISTEN/NOTIFY on the control database');
  return PostgresTenantEventBus.connect({ url: controlUrl, control, namePrefix: config.DB_NAME_PREFIX, log });
}
