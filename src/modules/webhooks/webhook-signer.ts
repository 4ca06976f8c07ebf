import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { SecretBox } from '../../platform/crypto/secret-box';
import type { WebhookEndpoint } from './webhook-endpoint.entity';

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64')}`;
}

/** Secrets are sealed per tenant and endpoint: a sealed value copied elsewhere does not open. */
export const secretContext = (tenantId: string, endpointId: string) => `webhook-endpoint:${tenantId}:${endpointId}`;

/**
 * The Standard Webhooks headers of one request: `webhook-signature` holds a `v1,<base64 HMAC>`
 * per secret that signs now (the current one, and the previous one during a rotation's grace
 * period), space-separated; receivers accept a request when any one verifies.
 */
export function signedHeaders(
  secrets: SecretBox,
  tenantId: string,
  endpoint: Pick<WebhookEndpoint, 'id' | 'secretSealed' | 'previousSecretSealed' | 'previousSecretExpiresAt'>,
  messageId: string,
  body: string,
  now: Date = new Date(),
): Record<string, string> {
  const context = secretContext(tenantId, endpoint.id);
  const signing = [secrets.decrypt(endpoint.secretSealed, context)];
  if (endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    signing.push(secrets.decrypt(endpoint.previousSecretSealed, context));
  }
  const signatures = signing.map((secret) => new Webhook(secret).sign(messageId, now, body));
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
