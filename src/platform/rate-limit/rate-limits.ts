import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { Identity } from '../graphql/request-context';
import { LoginAttemptGuard } from './login-attempt-guard';
import { createRateLimiterStore, type RateLimiterStore } from './rate-limit-store';
import { RateLimitedError } from './rate-limited-error';

/** The configuration's limits (see src/config.ts for their meaning and defaults). */
export interface RateLimitSettings {
  LOGIN_MAX_FAILURES: number;
  LOGIN_ADDRESS_MAX_FAILURES: number;
  LOGIN_LOCKOUT_SECONDS: number;
  LOGIN_LOCKOUT_MAX_SECONDS: number;
  SIGNUP_RATE_LIMIT: number;
  API_KEY_RATE_LIMIT: number;
  TENANT_RATE_LIMIT: number;
  /** Set: counters in Redis; unset: in the control database. */
  REDIS_URL?: string;
  DB_NAME_PREFIX: string;
}

/**
 * Every abuse limit of the server, over one store that all instances share (Postgres or Redis).
 * Signed provider webhooks never pass through here.
 */
export class RateLimits {
  /** Users' passwords: `login`, and `signUp` or `acceptInvitationToken` with an existing account's email. */
  readonly login: LoginAttemptGuard;
  /** Platform admins' `platformLogin`. */
  readonly platformLogin: LoginAttemptGuard;
  private readonly store: RateLimiterStore;
  private readonly signUps: RateLimiterAbstract | null;
  private readonly apiKeyRequests: RateLimiterAbstract | null;
  private readonly tenantRequests: RateLimiterAbstract | null;

  constructor(
    config: RateLimitSettings,
    control: DataSource,
    /** Told of every refusal (metrics), by limit. */
    private readonly onRefused: (limit: 'api_key' | 'tenant' | 'signup' | 'login') => void = () => undefined,
  ) {
    this.store = createRateLimiterStore({ control, redisUrl: config.REDIS_URL, namePrefix: config.DB_NAME_PREFIX });
    const policy = {
      maxAccountFailures: config.LOGIN_MAX_FAILURES,
      maxAddressFailures: config.LOGIN_ADDRESS_MAX_FAILURES,
      lockoutSeconds: config.LOGIN_LOCKOUT_SECONDS,
      maxLockoutSeconds: Math.max(config.LOGIN_LOCKOUT_SECONDS, config.LOGIN_LOCKOUT_MAX_SECONDS),
    };
    const loginRefused = () => onRefused('login');
    this.login = new LoginAttemptGuard(this.store, 'login', policy, loginRefused);
    this.platformLogin = new LoginAttemptGuard(this.store, 'platform-login', policy, loginRefused);
    const perWindow = (keyPrefix: string, points: number, duration: number) =>
      points > 0 ? this.store.limiter({ keyPrefix, points, duration }) : null;
    this.signUps = perWindow('signup', config.SIGNUP_RATE_LIMIT, 3600);
    this.apiKeyRequests = perWindow('req-key', config.API_KEY_RATE_LIMIT, 60);
    this.tenantRequests = perWindow('req-tenant', config.TENANT_RATE_LIMIT, 60);
  }

  /** One sign-up attempt from this address (SIGNUP_RATE_LIMIT an hour). */
  async signUp(clientAddress: string | null): Promise<void> {
    await take(this.signUps, `addr:${clientAddress ?? 'unknown'}`, 'Too many sign-ups from your address; try again later', () => this.onRefused('signup'));
  }

  /** One GraphQL operation of this identity: per API key and per tenant, each per minute. */
  async request(identity: Identity): Promise<void> {
    if (identity.kind === 'platformAdmin') return;
    if (identity.kind === 'apiKey') await take(this.apiKeyRequests, identity.apiKeyId, 'Too many requests with this API key', () => this.onRefused('api_key'));
    await take(this.tenantRequests, identity.tenantId, 'Too many requests for this organisation', () => this.onRefused('tenant'));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

async function take(limiter: RateLimiterAbstract | null, key: string, message: string, refused: () => void): Promise<void> {
  if (!limiter) return;
  try {
    await limiter.consume(key, 1);
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) {
      refused();
      throw new RateLimitedError(message, refusal.msBeforeNext);
    }
    throw refusal;
  }
}

