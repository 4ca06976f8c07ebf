import 'reflect-metadata';
import type http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import { eventListenerConnections, type Config } from './config';
import type { AppServices } from './app-services';
import { controlMigrations } from '../migrations/control';
import { createLogger, type Logger } from './platform/logger';
import { startEmbeddedPostgres } from './platform/db/embedded-postgres';
import { redactUrl, withDatabase } from './platform/db/connection-url';
import { loadOrCreateSecret } from './platform/auth/secret-store';
import { TokenService } from './platform/auth/token-service';
import { startTenancy } from './platform/tenancy/tenancy-runtime';
import { Authenticator } from './platform/auth/authenticator';
import { MembershipRoles } from './platform/auth/membership-roles';
import { buildGraphQLSchema } from './platform/graphql/schema-builder';
import { createApolloServer } from './platform/graphql/apollo-server';
import { RequestContextFactory } from './platform/graphql/request-context-factory';
import { createHttpServer, sendJson, type Route } from './platform/http/http-server';
import { graphqlHttpHandler } from './platform/http/graphql-http-handler';
import { createGraphQLWsServer } from './platform/realtime/graphql-ws-server';
import { createMetricsRegistry } from './platform/metrics';
import { FileStorage } from './platform/storage/file-storage';
import { SecretBox } from './platform/crypto/secret-box';
import { JobQueue } from './platform/jobs/job-queue';
import { documentContentRoute } from './modules/documents/document-content.route';
import { RedisTenantEventBus } from './platform/realtime/redis-event-bus';
import { PostgresTenantEventBus } from './platform/realtime/postgres-event-bus';
import type { TenantEventBus } from './platform/realtime/tenant-events';
import { createWhatsAppModule } from './modules/whatsapp-services';
import { EventDispatcher } from './platform/events/event-dispatcher';
import { inboxLiveEventsConsumer } from './modules/inbox/inbox-events';
import { ControlEventOutbox } from './platform/events/control-event-outbox';
import { moduleResolvers } from './modules/resolvers';
import { tenantSchema } from './modules/tenant-schema';
import { RateLimits } from './platform/rate-limit/rate-limits';
import { requestRateLimit } from './platform/rate-limit/request-rate-limit';
import { clientAddressResolver } from './platform/rate-limit/client-address';

export interface App {
  config: Config;
  log: Logger;
  services: AppServices;
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
    let controlUrl = config.DATABASE_URL;
    if (!controlUrl) {
      const embedded = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log });
      closers.push(() => embedded.stop());
      controlUrl = withDatabase(embedded.url, `${config.DB_NAME_PREFIX}_control`);
    }
    log.info({ control: redactUrl(controlUrl) }, 'connecting to the control database');
    const tenancy = await startTenancy({
      settings: config,
      controlUrl,
      schema: tenantSchema,
      controlMigrations,
      // The job queue's pool and the event bus's LISTEN connection are part of the budget too.
      reservedConnections: config.JOBS_POOL_SIZE + eventListenerConnections(config),
      log,
    });
    closers.push(() => tenancy.close());
    const { control, budget, servers, registry, router, provisioner, migrator, tenancyMode } = tenancy;
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
    });
    closers.push(() => dispatcher.stop());
    dispatcher.addConsumer(inboxLiveEventsConsumer(events));
    const controlOutbox = new ControlEventOutbox({ control, router, dispatcher, log, intervalMs: config.EVENT_SWEEP_INTERVAL_MS });
    closers.push(async () => controlOutbox.stop());

    const storage = new FileStorage(path.join(config.DATA_DIR, 'media'));
    const secrets = new SecretBox(loadOrCreateSecret(config.DATA_DIR, 'secrets-key', config.SECRETS_KEY));
    const jobs = new JobQueue({
      connectionString: controlUrl,
      schema: config.JOBS_SCHEMA,
      poolSize: config.JOBS_POOL_SIZE,
      pollingIntervalSeconds: config.JOBS_POLLING_INTERVAL_SECONDS,
      maintenanceIntervalSeconds: config.JOBS_MAINTENANCE_INTERVAL_SECONDS,
      log,
    });
    let ownUrl: string | null = null;
    const whatsapp = createWhatsAppModule({ config, log, control, registry, router, events, storage, secrets, jobs, ownUrl: () => ownUrl });
    closers.push(async () => whatsapp.dispose());
    // Runs before the tenant pools close (closers run in reverse): running sends finish, or are
    // failed for a later retry that reconciles with the provider first.
    closers.push(() => jobs.stop(10_000));

    const memberships = new MembershipRoles(control, config.TENANT_CACHE_TTL_MS);
    const rateLimits = new RateLimits(config, control);
    closers.push(() => rateLimits.close());
    const clientAddress = clientAddressResolver(config.TRUST_PROXY);
    const services: AppServices = {
      config,
      log,
      control,
      tokens,
      memberships,
      budget,
      servers,
      registry,
      router,
      provisioner,
      migrator,
      tenancyMode,
      events,
      storage,
      secrets,
      jobs,
      whatsapp: whatsapp.services,
      rateLimits,
    };
    const schema = await buildGraphQLSchema({ resolvers: moduleResolvers, services });
    const authenticator = new Authenticator(tokens, control, registry, memberships);
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
    const metrics = createMetricsRegistry(() => router.figures());

    let shuttingDown = false;
    const routes: Route[] = [
      { method: 'GET', path: '/healthz', handler: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
      {
        method: 'GET',
        path: '/readyz',
        handler: async (_req, res) => {
          const ok = !shuttingDown && (await control.query('SELECT 1').then(() => true, () => false));
          sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready' });
        },
      },
      {
        method: 'GET',
        path: '/metrics',
        handler: async (_req, res) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(await metrics.metrics());
        },
      },
      documentContentRoute({ authenticator, router, storage }),
      ...whatsapp.httpRoutes,
    ];
    const httpServer = createHttpServer(routes, log);
    const ws = createGraphQLWsServer({
      httpServer,
      schema,
      authenticator,
      contexts,
      limits,
      log,
      maxSubscriptionsPerSocket: config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      clientAddress,
      requestLimit: requestRateLimit(rateLimits),
    });
    const apollo = createApolloServer({
      schema,
      httpServer,
      limits,
      introspection: config.GRAPHQL_INTROSPECTION,
      exposeSqlCount: config.EXPOSE_SQL_COUNT,
      log,
      onDrain: () => ws.close(),
    });
    await apollo.start();
    closers.push(() => apollo.stop());
    const graphql = graphqlHttpHandler({
      apollo,
      authenticator,
      contexts,
      countSqlStatements: config.EXPOSE_SQL_COUNT,
      clientAddress,
      requestLimit: requestRateLimit(rateLimits),
    });
    const graphqlBodyLimit = Math.ceil((config.MAX_UPLOAD_BYTES * 4) / 3) + 64 * 1024;
    routes.push(
      { method: 'POST', path: '/graphql', handler: graphql, maxBodyBytes: graphqlBodyLimit },
      { method: 'GET', path: '/graphql', handler: graphql },
    );

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.PORT, config.HOST, () => resolve());
    });
    const { port } = httpServer.address() as AddressInfo;
    const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
    ownUrl = url;

    // Sends resume once the server listens (so sandbox acks and webhooks can be stored).
    await jobs.start();
    await whatsapp.start();
    dispatcher.start();
    controlOutbox.start();
    log.info({ url: `${url}/graphql`, tenancyMode }, 'server ready');

    return {
      config,
      log,
      services,
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
