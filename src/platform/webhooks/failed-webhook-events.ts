import type { DataSource } from 'typeorm';
import { FailedWebhookEvent } from '../control/failed-webhook-event.entity';
import { isTransientDbError } from '../db/pg-errors';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { replaceUnstorableText } from '../unstorable-text';

/** Longest error text kept; payloads are bounded by the webhook body limit. */
const MAX_ERROR_CHARS = 2_000;

export interface FailedWebhookEventInput {
  provider: string;
  tenantId: string | null;
  eventId?: string | null;
  error: unknown;
  payload: unknown;
}

/** The control database's record of signed webhook events that could not be stored. */
export class FailedWebhookEvents {
  constructor(
    private readonly control: DataSource,
    private readonly log: Logger,
  ) {}

  async record(input: FailedWebhookEventInput): Promise<void> {
    const error = describe(input.error).slice(0, MAX_ERROR_CHARS);
    this.log.error({ err: input.error, provider: input.provider, tenantId: input.tenantId, eventId: input.eventId }, 'kept a webhook event that could not be stored');
    await this.control.getRepository(FailedWebhookEvent).insert({
      provider: input.provider.slice(0, 20),
      tenantId: input.tenantId,
      eventId: input.eventId ? storable(input.eventId).slice(0, 255) : null,
      error: storable(error),
      payload: storable(safeJson(input.payload)),
    });
  }

  /** Newest first. */
  latest(first: number): Promise<FailedWebhookEvent[]> {
    return this.control.getRepository(FailedWebhookEvent).find({ order: { createdAt: 'DESC', id: 'DESC' }, take: first });
  }
}

/**
 * Wraps an ingest (one call per webhook) so that each event is stored on its own and an event
 * that fails for a reason other than the database being unavailable is kept as a failed webhook
 * event and counted as ignored, instead of failing the delivery: a validly signed delivery is
 * never answered 5xx for its content, which the provider would redeliver forever. Transient
 * database failures still fail the delivery (answered 503, redelivered later).
 */
export function keepingFailedEvents<
  Target extends { tenantId: string },
  Event extends { provider: string; eventId?: string; raw?: unknown },
  Outcome extends { ignored: number },
>(inner: { ingest(target: Target, events: Event[]): Promise<Outcome> }, failed: Pick<FailedWebhookEvents, 'record'>) {
  return {
    async ingest(target: Target, events: Event[]): Promise<Outcome> {
      let total: Outcome | null = null;
      let kept = 0;
      for (const event of events) {
        let outcome: Outcome;
        try {
          outcome = await inner.ingest(target, [event]);
        } catch (error) {
          if (isTransientDbError(error) || (error instanceof AppError && error.code === ErrorCode.TENANT_NOT_ACTIVE)) throw error;
          await failed.record({ provider: event.provider, tenantId: target.tenantId, eventId: event.eventId, error, payload: event.raw ?? event });
          kept += 1;
          continue;
        }
        total = total ? sum(total, outcome) : outcome;
      }
      const result = (total ?? { stored: 0, duplicates: 0, ignored: 0, retry: 0 }) as Outcome;
      return { ...result, ignored: result.ignored + kept };
    },
  };
}

function sum<T>(a: T, b: T): T {
  const result = { ...a } as Record<string, unknown>;
  for (const [key, value] of Object.entries(b as Record<string, unknown>)) {
    if (typeof value === 'number' && typeof result[key] === 'number') result[key] = (result[key] as number) + value;
  }
  return result as T;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
  }
  return String(error);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    return JSON.stringify({ unserializable: String(error) });
  }
}

const storable = replaceUnstorableText;
