import { z } from 'zod';
import path from 'node:path';

/** Booleans from the environment: only explicit spellings, so a typo fails validation. */
const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalUrl = z.string().url().optional();

const configSchema = z
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
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    TENANCY_MODE: z.enum(['database', 'schema']).default('database'),
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
    /** Adds the number of SQL statements a request ran to `extensions.sqlStatements` (tests, benches). */
    EXPOSE_SQL_COUNT: envBoolean.default(false),
    /** Benchmarking aid: `false` makes every DataLoader load one by one (the naive N+1 baseline). */
    DATALOADER_BATCHING: envBoolean.default(true),
    MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),

    PUBLIC_URL: optionalUrl,
    /** Set: live events fan out through Redis pub/sub; unset: Postgres LISTEN/NOTIFY on the control database. */
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
    /** Events one subscription may have waiting for its socket; past it the subscriber is dropped. */
    SUBSCRIPTION_QUEUE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(256),
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).max(1_000).default(25),
    WAHA_URL: optionalUrl,
    WAHA_API_KEY: z.string().optional(),
    WAHA_WEBHOOK_HMAC_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    CLOUD_API_URL: z.string().url().default('https://graph.facebook.com/v21.0'),
    CLOUD_VERIFY_TOKEN: z.string().optional(),
    /** Key for secrets stored in tenant databases (Cloud API tokens); generated like JWT_SECRET when absent. */
    SECRETS_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
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
    const reserved = env.CONTROL_POOL_SIZE + env.TENANT_POOL_SIZE + eventListenerConnections(env);
    if (env.CONNECTION_BUDGET < reserved) {
      ctx.addIssue({
        code: 'custom',
        path: ['CONNECTION_BUDGET'],
        message: `must be at least CONTROL_POOL_SIZE + TENANT_POOL_SIZE${env.REDIS_URL ? '' : ' + 1 (the LISTEN connection)'} (${reserved})`,
      });
    }
  });

/** Without Redis, each instance holds one extra control-database connection for LISTEN. */
export function eventListenerConnections(config: { REDIS_URL?: string }): number {
  return config.REDIS_URL ? 0 : 1;
}

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends Omit<RawConfig, 'DATA_DIR' | 'GRAPHQL_INTROSPECTION'> {
  DATA_DIR: string;
  GRAPHQL_INTROSPECTION: boolean;
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
    isProduction: raw.NODE_ENV === 'production',
  };
}
