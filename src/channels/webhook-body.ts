import type { z } from 'zod';
import { MalformedWebhookError } from './channel-errors';
import { storableJson } from './provider-text';

type WebhookProvider = ConstructorParameters<typeof MalformedWebhookError>[0];

/**
 * A raw webhook body (bytes or text) as JSON; anything else is malformed, never half-read. Its
 * text is made storable (storableJson) before any part of it is read, so neither the message nor
 * the raw payload kept with it can hold what PostgreSQL refuses.
 */
export function decodeWebhookBody(provider: WebhookProvider, body: unknown): unknown {
  if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    try {
      return storableJson(JSON.parse(text) as unknown);
    } catch {
      throw new MalformedWebhookError(provider, ['body is not JSON']);
    }
  }
  return storableJson(body);
}

/** Validates part of a webhook body; every problem is reported with its path. */
export function checkWebhookPart<T extends z.ZodType>(provider: WebhookProvider, schema: T, value: unknown, prefix: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new MalformedWebhookError(
      provider,
      parsed.error.issues.map((issue) => {
        const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
        return `${path || '(body)'}: ${issue.message}`;
      }),
    );
  }
  return parsed.data;
}
