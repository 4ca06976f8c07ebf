import { z } from 'zod';
import path from 'node:path';
import proxyAddr from 'proxy-addr';
import type { TrustProxy } from './platform/rate-limit/client-address';

/** Booleans from the environment: only explicit spellings, so a typo fails validation. */
const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalUrl = z.string().url().optional();

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().default('0.0.0.0'),
    DATA_DIR: z.string().default('./.data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    /**
     * Set when DATABASE_URL points at a connection pooler (PgBouncer, transaction pooling): the
     * server itself, for everything that needs a session (the control database, LISTEN, advisory
     * locks, migrations, provisioning, moves). Tenant requests then go through DATABASE_URL.
     */
    DIRECT_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    /** auto: a database per tenant when the role may create databases, else a schema per tenant. */
    TENANCY_MODE: z.enum(['auto', 'database', 'schema']).default('auto'),
    /** Prefix of every database and schema this deployment creates; lets deployments share a server. */
    DB_NAME_PREFIX: z
      .string()
      .regex(/^[a-z][a-z0-9]{0,15}$/, 'must be 1-16 lowercase letters or digits, starting with a letter')
      .default('crm'),
    TENANT_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(2),
    SCHEMA_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    CONNECTION_BUDGET: z.coerce.number().int().min(2).max(10000).default(60),
    CONTROL_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
    TENANT_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
    CONNECTION_WAIT_TIMEOUT_MS: z.coerce.number().int().min(10).default(5_000),
    TENANT_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5_000),

    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_ISSUER: z.string().default('whatsapp-crm'),
    JWT_AUDIENCE: z.string().default('whatsapp-crm-api'),
    JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(12 * 3600),

    GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
    GRAPHQL_MAX_COST: z.coerce.number().int().min(10).default(5_000),
    GRAPHQL_INTROSPECTION: envBoolean.optional(),
    /** GraphiQL at /graphiql; default: on outside production. */
    GRAPHQL_EXPLORER: envBoolean.optional(),
    /** Origins (scheme://host[:port], comma-separated, or `*`) whose pages may call the API; default: the Vite dev server outside production, none in production. */
    CORS_ORIGINS: z
      .string()
      .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine(isOrigin, 'must be comma-separated origins such as https://app.example.com, or *')))
      .optional(),
    /** Adds the number of SQL statements a request ran to `extensions.sqlStatements` (tests, benches). */
    EXPOSE_SQL_COUNT: envBoolean.default(false),
    /** Benchmarking aid: `false` makes every DataLoader load one by one (the naive N+1 baseline). */
    DATALOADER_BATCHING: envBoolean.default(true),
    MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
    /** Lifetime of the signed media URLs of `Message.media` (they work without an Authorization header). */
    MEDIA_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(7 * 24 * 3600).default(300),

    PUBLIC_URL: optionalUrl,
    /** Set: live events fan out through Redis pub/sub; unset: Postgres LISTEN/NOTIFY on the control database. */
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
    /**
     * Events one subscription may have waiting, a memory bound only (events are shared between a
     * tenant's subscribers): a subscriber is dropped for not reading by the two settings below.
     */
    SUBSCRIPTION_QUEUE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
    /** A WebSocket whose unsent bytes make no progress for this long is closed (4413: reconnect and refetch). */
    SUBSCRIBER_STALL_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /** A WebSocket holding more unsent bytes than this is closed at once (4413). */
    SUBSCRIBER_MAX_BUFFERED_BYTES: z.coerce.number().int().min(64 * 1024).default(4 * 1024 * 1024),
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).max(1_000).default(25),
    WAHA_URL: optionalUrl,
    WAHA_API_KEY: z.string().optional(),
    WAHA_WEBHOOK_HMAC_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    CLOUD_API_URL: z.string().url().default('https://graph.facebook.com/v21.0'),
    CLOUD_VERIFY_TOKEN: z.string().optional(),
    /** Key for secrets stored in tenant databases (Cloud API tokens); generated like JWT_SECRET when absent. */
    SECRETS_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Timeouts of provider calls: session management and lookups, and sends. */
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    PROVIDER_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    /** Inbound media larger than this is not copied (the message is stored without it). */
    INBOUND_MEDIA_MAX_BYTES: z.coerce.number().int().min(1024).default(100 * 1024 * 1024),
    /** Ingested webhook events are remembered (for deduplication) this many days; 0 keeps them forever. */
    WEBHOOK_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
    /** Simulated ack delays of the sandbox provider: SENT, DELIVERED, READ (ms). */
    SANDBOX_ACK_DELAYS_MS: z
      .string()
      .regex(/^\d+,\d+,\d+$/, 'must be three comma-separated millisecond values')
      .default('150,400,1200')
      .transform((value) => value.split(',').map(Number) as [number, number, number]),

    /** pg-boss lives in the control database, in this schema. */
    JOBS_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase identifier').default('jobs'),
    JOBS_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(3),
    JOBS_POLLING_INTERVAL_SECONDS: z.coerce.number().min(0.5).default(1),
    /** How often expired (crashed) jobs are put back for retry. */
    JOBS_MAINTENANCE_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(30),
    /** Attempts of one outbound send before the message is FAILED. */
    OUTBOUND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
    /** First retry delay; doubles with each attempt (with jitter). */
    OUTBOUND_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).default(5),
    /** A send attempt still running after this is presumed dead (process killed) and retried. */
    OUTBOUND_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).default(120),
    OUTBOUND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** Campaign messages a minute per channel by default, shared by every campaign on it (WAHA sends are jittered). */
    CAMPAIGN_RATE_WAHA_PER_MINUTE: z.coerce.number().int().min(1).max(60_000).default(20),
    CAMPAIGN_RATE_CLOUD_PER_MINUTE: z.coerce.number().int().min(1).max(60_000).default(4_800),
    CAMPAIGN_RATE_SANDBOX_PER_MINUTE: z.coerce.number().int().min(1).max(60_000).default(6_000),
    /** Unique customers a campaign may reach per channel in a moving 24 hours (Cloud: per business account); 0 = no cap. */
    CAMPAIGN_DAILY_LIMIT_WAHA: z.coerce.number().int().min(0).default(1_000),
    CAMPAIGN_DAILY_LIMIT_CLOUD: z.coerce.number().int().min(0).default(250),
    CAMPAIGN_DAILY_LIMIT_SANDBOX: z.coerce.number().int().min(0).default(0),
    /** A campaign sender's job (one slice of sending) still running after this is presumed dead and taken over. */
    CAMPAIGN_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(3).default(120),
    /** Lifetime of cached channel routes, provider credentials and auto-reply rules. */
    CHANNEL_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
    AUTO_REPLY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(10_000),

    /** Domain events (the audit log) are kept this many days once dispatched; 0 keeps them forever. */
    EVENT_LOG_RETENTION_DAYS: z.coerce.number().int().min(0).max(36500).default(365),
    /** A write waits this long at most for the event consumers (live pushes) before it answers. */
    EVENT_DISPATCH_TIMEOUT_MS: z.coerce.number().int().min(1).default(2_000),
    /** An event still undispatched after this (its writer died, a consumer failed) is dispatched again by a sweep. */
    EVENT_REDISPATCH_AFTER_MS: z.coerce.number().int().min(0).default(10_000),
    /** How often failed dispatches and control-database events are swept. */
    EVENT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
    /**
     * Whether X-Forwarded-For names the client: `false` (the socket's peer), `true` (any proxy:
     * the left-most address), a hop count, or a comma list of proxy addresses/CIDRs (`loopback`...).
     */
    TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
    /** Failed logins an account may have before lock-outs start (counted over 24 h; a success resets). */
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),
    /** Failed logins one client address may have (over an hour) before its lock-outs start. */
    LOGIN_ADDRESS_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(50),
    /** First lock-out; each further failure doubles it, up to LOGIN_LOCKOUT_MAX_SECONDS. */
    LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).default(60),
    LOGIN_LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).default(3600),
    /** Sign-ups per client address per hour; 0 turns the limit off. */
    SIGNUP_RATE_LIMIT: z.coerce.number().int().min(0).default(20),
    /** open: anyone signs up; invite: only with a platform admin's sign-up invitation; closed: nobody. */
    SIGNUP_MODE: z.enum(['open', 'invite', 'closed']).default('open'),
    /** GraphQL requests (HTTP requests and WebSocket operations) per minute; 0 turns a limit off. */
    API_KEY_RATE_LIMIT: z.coerce.number().int().min(0).default(1_200),
    TENANT_RATE_LIMIT: z.coerce.number().int().min(0).default(6_000),
    /** Outgoing webhooks may target private, loopback and link-local addresses (default: outside production only). */
    WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).optional().transform((value) => (value === undefined ? undefined : value === 'true')),
    /** Seconds before each retry of a failed webhook delivery, comma-separated; after the last one the delivery fails. */
    WEBHOOK_RETRY_DELAYS_SECONDS: z
      .string()
      .default('5,300,1800,7200,18000,36000,36000')
      .transform((value, ctx) => {
        const delays = value.split(',').map((part) => Number(part.trim()));
        if (delays.length === 0 || delays.some((delay) => !Number.isFinite(delay) || delay < 0)) {
          ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of seconds' });
          return z.NEVER;
        }
        return delays;
      }),
    /** One webhook request waits this long at most for an answer. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** An endpoint whose deliveries have failed for this long (nothing succeeded since) is disabled. */
    WEBHOOK_DISABLE_AFTER_SECONDS: z.coerce.number().int().min(1).default(5 * 24 * 3600),
    /** Webhook requests this process runs at once, and at most per endpoint (a slow endpoint never holds up the others). */
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
    WEBHOOK_ENDPOINT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    /** How long a member invitation (and a sign-up invitation) can be accepted. */
    INVITATION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(168),
    /** Passwords shorter than this, or weaker than this zxcvbn score (0-4), are refused. */
    PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(10),
    PASSWORD_MIN_SCORE: z.coerce.number().int().min(0).max(4).default(3),
    /** Set: /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** How often job queue depths, tenant database sizes and server connections are sampled for /metrics. */
    METRICS_SAMPLE_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    if (env.NODE_ENV === 'production' && !env.SECRETS_KEY) {
      ctx.addIssue({ code: 'custom', path: ['SECRETS_KEY'], message: 'is required when NODE_ENV=production' });
    }
    if (env.WAHA_URL && !env.WAHA_WEBHOOK_HMAC_KEY) {
      ctx.addIssue({ code: 'custom', path: ['WAHA_WEBHOOK_HMAC_KEY'], message: 'is required when WAHA_URL is set' });
    }
    if (env.DIRECT_DATABASE_URL && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DIRECT_DATABASE_URL'], message: 'needs DATABASE_URL (the pooler) too' });
    }
    const reserved = nonTenantConnections(env) + env.TENANT_POOL_SIZE;
    if (env.CONNECTION_BUDGET < reserved) {
      ctx.addIssue({
        code: 'custom',
        path: ['CONNECTION_BUDGET'],
        message: `must be at least CONTROL_POOL_SIZE + JOBS_POOL_SIZE + TENANT_POOL_SIZE${env.REDIS_URL ? '' : ' + 1 (the LISTEN connection)'} (${reserved})`,
      });
    }
    // An attempt (reconcile lookup + send + id lookup) must end before its job is presumed dead,
    // or a slow attempt and its retry could both send.
    const attemptMs = 2 * env.PROVIDER_TIMEOUT_MS + env.PROVIDER_SEND_TIMEOUT_MS + 5_000;
    if (env.OUTBOUND_JOB_EXPIRE_SECONDS * 1000 < attemptMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['OUTBOUND_JOB_EXPIRE_SECONDS'],
        message: `must cover 2 x PROVIDER_TIMEOUT_MS + PROVIDER_SEND_TIMEOUT_MS + 5 s (${Math.ceil(attemptMs / 1000)} s)`,
      });
    }
  });

function parseTrustProxy(value: string, ctx: z.RefinementCtx): TrustProxy {
  const lower = value.trim().toLowerCase();
  if (['false', '0', 'no'].includes(lower)) return false;
  if (['true', 'yes'].includes(lower)) return true;
  if (/^\d+$/.test(lower)) return Number(lower);
  const list = lower.split(',').map((item) => item.trim()).filter(Boolean);
  try {
    proxyAddr.compile(list);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `must be true, false, a hop count or proxy addresses (${(error as Error).message})` });
    return z.NEVER;
  }
  return list;
}

/**
 * Connections an instance holds outside tenant pools, taken off CONNECTION_BUDGET before tenants
 * get any: the control pool, the job queue's pool and, without Redis, the LISTEN connection.
 */
export function nonTenantConnections(config: { CONTROL_POOL_SIZE: number; JOBS_POOL_SIZE: number; REDIS_URL?: string }): number {
  return config.CONTROL_POOL_SIZE + config.JOBS_POOL_SIZE + eventListenerConnections(config);
}

/** Without Redis, each instance holds one extra control-database connection for LISTEN. */
export function eventListenerConnections(config: { REDIS_URL?: string }): number {
  return config.REDIS_URL ? 0 : 1;
}

/** The web app's dev server (Vite), allowed to call the API outside production unless CORS_ORIGINS says otherwise. */
export const DEV_WEB_ORIGIN = 'http://localhost:5173';

/** `*`, or exactly an origin: a scheme, a host and maybe a port, no path. */
function isOrigin(value: string): boolean {
  if (value === '*') return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends Omit<RawConfig, 'DATA_DIR' | 'GRAPHQL_INTROSPECTION' | 'GRAPHQL_EXPLORER' | 'CORS_ORIGINS' | 'WEBHOOK_ALLOW_PRIVATE'> {
  DATA_DIR: string;
  WEBHOOK_ALLOW_PRIVATE: boolean;
  GRAPHQL_INTROSPECTION: boolean;
  GRAPHQL_EXPLORER: boolean;
  CORS_ORIGINS: string[];
  isProduction: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const raw = parsed.data;
  return {
    ...raw,
    DATA_DIR: path.resolve(raw.DATA_DIR),
    GRAPHQL_INTROSPECTION: raw.GRAPHQL_INTROSPECTION ?? raw.NODE_ENV !== 'production',
    GRAPHQL_EXPLORER: raw.GRAPHQL_EXPLORER ?? raw.NODE_ENV !== 'production',
    CORS_ORIGINS: raw.CORS_ORIGINS ?? (raw.NODE_ENV === 'production' ? [] : [DEV_WEB_ORIGIN]),
    isProduction: raw.NODE_ENV === 'production',
    WEBHOOK_ALLOW_PRIVATE: raw.WEBHOOK_ALLOW_PRIVATE ?? raw.NODE_ENV !== 'production',
  };
}
