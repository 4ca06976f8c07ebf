import type { Identity } from '../graphql/request-context';
import type { RateLimits } from './rate-limits';

/**
 * The hook of the auth path, called once the identity is known: counts one operation (an HTTP
 * GraphQL request, a WebSocket operation) and refuses it with RATE_LIMITED past
 * API_KEY_RATE_LIMIT or TENANT_RATE_LIMIT.
 */
export function requestRateLimit(limits: RateLimits): (identity: Identity) => Promise<void> {
  return (identity) => limits.request(identity);
}
