import crypto from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimiterStore } from './rate-limit-store';
import { RateLimitedError } from './rate-limited-error';

export interface LoginBackOffPolicy {
  /** Failures of one account before its lock-outs start. */
  maxAccountFailures: number;
  /** Failures from one client address before its lock-outs start. */
  maxAddressFailures: number;
  /** The first lock-out; each further failure doubles it. */
  lockoutSeconds: number;
  maxLockoutSeconds: number;
}

/** What begin() counted, for succeeded()/failed(). */
export interface LoginAttempt {
  readonly account: string;
  readonly address: string;
  readonly accountFailures: number;
  readonly addressFailures: number;
}

const UNLIMITED = 1_000_000_000;
const ACCOUNT_WINDOW_SECONDS = 24 * 3600;
const ADDRESS_WINDOW_SECONDS = 3600;

/**
 * Password attempts per account and per client address, with growing back-off. An attempt is
 * counted as a failure before the password is checked (so a burst of parallel guesses cannot
 * all slip in before any failure is recorded) and refunded if it succeeds. The first N counted
 * failures are free; the N-th opens a lock-out window, and past it each attempt must open the
 * next window itself (an atomic take of the window's single point), twice as long as the last:
 * while a window is open every attempt is refused with RATE_LIMITED, even with the right password.
 * A success clears the account's failures (not the address's: one good account must not
 * launder an address's guesses at others).
 */
export class LoginAttemptGuard {
  private readonly accountFailures: RateLimiterAbstract;
  private readonly addressFailures: RateLimiterAbstract;
  private readonly gate: RateLimiterAbstract;

  constructor(
    store: RateLimiterStore,
    scope: string,
    private readonly policy: LoginBackOffPolicy,
    private readonly onRefused: () => void = () => undefined,
  ) {
    this.accountFailures = store.limiter({ keyPrefix: `${scope}-fail-acct`, points: UNLIMITED, duration: ACCOUNT_WINDOW_SECONDS });
    this.addressFailures = store.limiter({ keyPrefix: `${scope}-fail-addr`, points: UNLIMITED, duration: ADDRESS_WINDOW_SECONDS });
    this.gate = store.limiter({ keyPrefix: `${scope}-lock`, points: 1, duration: policy.lockoutSeconds });
  }

  /** Counts the attempt; throws RATE_LIMITED while the account or the address is locked out. */
  async begin(email: string, clientAddress: string | null): Promise<LoginAttempt> {
    // Emails can be longer than a key may be; a digest also keeps them out of the counters.
    const account = `acct:${crypto.createHash('sha256').update(email).digest('hex')}`;
    const address = `addr:${clientAddress ?? 'unknown'}`;
    const addressFailures = await this.enter(this.addressFailures, address, this.policy.maxAddressFailures);
    let accountFailures: number;
    try {
      accountFailures = await this.enter(this.accountFailures, account, this.policy.maxAccountFailures);
    } catch (error) {
      await this.addressFailures.reward(address, 1);
      throw error;
    }
    return { account, address, accountFailures, addressFailures };
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    await Promise.all([
      this.accountFailures.delete(attempt.account),
      this.gate.delete(attempt.account),
      this.addressFailures.reward(attempt.address, 1),
    ]);
  }

  /** The attempt that reaches the free failures opens the first lock-out. */
  async failed(attempt: LoginAttempt): Promise<void> {
    const opens = [
      attempt.accountFailures === this.policy.maxAccountFailures ? attempt.account : null,
      attempt.addressFailures === this.policy.maxAddressFailures ? attempt.address : null,
    ];
    await Promise.all(
      opens.map((key) => key && this.gate.consume(key, 1, { customDuration: this.policy.lockoutSeconds }).catch(ignoreRefusal)),
    );
  }

  private async enter(failures: RateLimiterAbstract, key: string, free: number): Promise<number> {
    const counted = (await failures.penalty(key, 1)).consumedPoints;
    if (counted <= free) return counted;
    // Past the free failures: allowed only when no lock-out window is open, and then this
    // attempt opens the next one (twice the last), so parallel guesses get one try per window.
    const window = Math.min(this.policy.maxLockoutSeconds, this.policy.lockoutSeconds * 2 ** Math.min(30, counted - free));
    try {
      await this.gate.consume(key, 1, { customDuration: window });
      return counted;
    } catch (refusal) {
      await failures.reward(key, 1); // a refused attempt was never tried
      if (refusal instanceof RateLimiterRes) {
        this.onRefused();
        throw new RateLimitedError('Too many failed sign-in attempts; try again later', refusal.msBeforeNext);
      }
      throw refusal;
    }
  }
}

function ignoreRefusal(refusal: unknown): void {
  if (!(refusal instanceof RateLimiterRes)) throw refusal;
}
