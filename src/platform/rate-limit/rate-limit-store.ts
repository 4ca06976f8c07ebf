import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';

export interface LimiterOptions {
  /** Namespace of the keys, e.g. `signup`. */
  keyPrefix: string;
  /** Points a key may consume per window. */
  points: number;
  /** Window, in seconds. */
  duration: number;
}

/** Makes rate-limiter-flexible limiters over one shared store; close() releases it. */
export interface RateLimiterStore {
  limiter(options: LimiterOptions): RateLimiterAbstract;
  close(): Promise<void>;
}

/** The control database's `rate_limits` table (created by a control migration). */
export const RATE_LIMITS_TABLE = 'rate_limits';

/** A Redis command slower than this counts as failed: this instance then counts alone, in memory. */
const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * Counters every instance shares: in Redis when REDIS_URL is set, otherwise in the control
 * database (through its pool: no extra connections). Redis is not otherwise needed to serve a
 * request, so while it is down or stalled each instance counts in its own memory instead of
 * holding every request up (rate-limiter-flexible's insurance limiter).
 */
export function createRateLimiterStore(options: { control: DataSource; redisUrl?: string; namePrefix: string }): RateLimiterStore {
  if (options.redisUrl) {
    const redis = new Redis(options.redisUrl, { commandTimeout: REDIS_COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', () => undefined); // reconnects by itself; meanwhile the memory limiters count
    return {
      limiter: (limiter) =>
        new RateLimiterRedis({
          storeClient: redis,
          ...limiter,
          keyPrefix: `${options.namePrefix}:rl:${limiter.keyPrefix}`,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory({ ...limiter, keyPrefix: `${options.namePrefix}:rl:${limiter.keyPrefix}` }),
        }),
      close: async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  }
  const limiters: RateLimiterAbstract[] = [];
  return {
    limiter: (limiter) => {
      const created = new RateLimiterPostgres({
        storeClient: options.control,
        storeType: 'typeorm',
        tableName: RATE_LIMITS_TABLE,
        tableCreated: true,
        // One limiter sweeps expired rows (every 5 minutes); the rest would repeat its work.
        clearExpiredByTimeout: limiters.length === 0,
        ...limiter,
      });
      limiters.push(created);
      return created;
    },
    close: async () => {
      for (const limiter of limiters) clearTimeout((limiter as unknown as { _clearExpiredTimeoutId?: NodeJS.Timeout })._clearExpiredTimeoutId);
    },
  };
}
