import type { EntityManager } from 'typeorm';
import type { DomainEvent, DomainEventConsumer } from '../../platform/events/domain-event';
import type { EventDispatcher } from '../../platform/events/event-dispatcher';
import { appendEvents } from '../../platform/events/event-log';
import type { SecretBox } from '../../platform/crypto/secret-box';
import type { Job, JobQueue } from '../../platform/jobs/job-queue';
import type { Logger } from '../../platform/logger';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import type { WebhookAttemptRecord } from './webhook-delivery.entity';
import type { WebhookEndpoint } from './webhook-endpoint.entity';
import { WEBHOOK_BODY_SQL, WebhookEventType, webhookEndpointEvent } from './webhook.events';
import { signedHeaders } from './webhook-signer';
import { postWebhook } from './webhook-target';

export const WEBHOOK_DELIVERY_QUEUE = 'webhook-deliveries';

export interface WebhookDeliveryJob {
  tenantId: string;
  deliveryId: string;
  endpointId: string;
}

export interface WebhookSettings {
  WEBHOOK_ALLOW_PRIVATE: boolean;
  WEBHOOK_RETRY_DELAYS_SECONDS: number[];
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_DISABLE_AFTER_SECONDS: number;
  WEBHOOK_CONCURRENCY: number;
  WEBHOOK_ENDPOINT_CONCURRENCY: number;
}

export interface WebhookDeliveryDeps {
  router: TenantRouter;
  jobs: JobQueue;
  secrets: SecretBox;
  dispatcher: EventDispatcher;
  log: Logger;
  settings: WebhookSettings;
}

/** The system as the actor of what the delivery worker records (an endpoint disabled). */
const WEBHOOKS_ACTOR = { kind: 'SYSTEM', id: 'webhooks' } as const;

/** An endpoint's event types match an event: `*`, the type itself, or its family (`message.*`). */
const MATCHES_SQL = `('*' = ANY(ep.event_types) OR e.type = ANY(ep.event_types) OR split_part(e.type, '.', 1) || '.*' = ANY(ep.event_types))`;

/**
 * Outgoing webhooks, at least once. The event consumer turns committed events into deliveries
 * (one row per matching enabled endpoint, in the tenant's database, unique per endpoint and event
 * so a redispatched event adds nothing) and queues a job for each. The worker claims a delivery
 * (a lease on `next_attempt_at`, so a duplicate job or another instance does nothing), signs and
 * posts it, and records the attempt; a failure schedules the next attempt after
 * WEBHOOK_RETRY_DELAYS_SECONDS, and an endpoint failing for WEBHOOK_DISABLE_AFTER_SECONDS is
 * disabled with a `webhook_endpoint.disabled` event. No endpoint holds more than
 * WEBHOOK_ENDPOINT_CONCURRENCY of this process's workers: a job of a busy endpoint is put back
 * a second later, so a slow endpoint never delays the others.
 */
export class WebhookDeliveries implements DomainEventConsumer {
  readonly name = 'webhooks';
  private readonly busy = new Map<string, number>();

  constructor(private readonly deps: WebhookDeliveryDeps) {}

  async handle(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const tenantId = events[0].tenantId;
    const queued: Array<{ id: string; endpoint_id: string }> = await this.deps.router.withTenant(tenantId, (manager) =>
      manager.query(
        `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_seq, event_type, body, next_attempt_at)
         SELECT ep.id, e.id, e.seq, e.type, ${WEBHOOK_BODY_SQL}, now()
           FROM domain_events e JOIN webhook_endpoints ep ON ep.enabled AND ${MATCHES_SQL}
          WHERE e.id = ANY($1::uuid[])
          ORDER BY e.seq
         -- A redispatch returns the deliveries it finds still waiting for their first attempt, to queue them again.
         ON CONFLICT ON CONSTRAINT "UQ_webhook_deliveries_endpoint_event"
           DO UPDATE SET event_type = EXCLUDED.event_type WHERE webhook_deliveries.status = 'PENDING' AND webhook_deliveries.attempt_count = 0
         RETURNING id, endpoint_id`,
        [events.map((event) => event.id)],
      ),
    );
    for (const row of queued) await this.queue({ tenantId, deliveryId: row.id, endpointId: row.endpoint_id });
    if (queued.length > 0) this.deps.jobs.notify(WEBHOOK_DELIVERY_QUEUE);
  }

  queue(job: WebhookDeliveryJob, startAfter?: Date): Promise<string> {
    return this.deps.jobs.send(WEBHOOK_DELIVERY_QUEUE, job, startAfter ? { startAfter } : {});
  }

  /** Starts this process's workers. */
  start(): Promise<void> {
    return this.deps.jobs.work<WebhookDeliveryJob>(WEBHOOK_DELIVERY_QUEUE, this.deps.settings.WEBHOOK_CONCURRENCY, (job) => this.attempt(job));
  }

  private async attempt(job: Job<WebhookDeliveryJob>): Promise<void> {
    const { tenantId, deliveryId, endpointId } = job.data;
    const busy = this.busy.get(endpointId) ?? 0;
    if (busy >= this.deps.settings.WEBHOOK_ENDPOINT_CONCURRENCY) {
      await this.queue(job.data, new Date(Date.now() + 1_000));
      return;
    }
    this.busy.set(endpointId, busy + 1);
    try {
      await this.deliver(tenantId, deliveryId, job.retryCount > 0);
    } catch (error) {
      this.deps.log.warn({ err: error, tenantId, deliveryId }, 'a webhook delivery run failed; its job is retried');
      throw error;
    } finally {
      const left = (this.busy.get(endpointId) ?? 1) - 1;
      if (left > 0) this.busy.set(endpointId, left);
      else this.busy.delete(endpointId);
    }
  }

  private async deliver(tenantId: string, deliveryId: string, retriedJob: boolean): Promise<void> {
    const { settings, router, secrets } = this.deps;
    const leaseSeconds = Math.ceil(settings.WEBHOOK_TIMEOUT_MS / 1000) + 30;
    // Claim the attempt: due, still pending, endpoint enabled. The lease covers a crash mid-request.
    // (The SELECT sees the rows as before the UPDATE: attempt_count + 1 is this attempt's number.)
    const [claimed]: Array<{ body: Record<string, unknown>; event_id: string; attempt_count: number; next_attempt_at: Date | null; claimed: boolean } & Record<string, unknown>> =
      await router.withTenant(tenantId, (manager) =>
        manager.query(
          `WITH due AS (
             UPDATE webhook_deliveries d SET attempt_count = d.attempt_count + 1, next_attempt_at = now() + make_interval(secs => $2)
               FROM webhook_endpoints ep
              WHERE d.id = $1 AND ep.id = d.endpoint_id AND ep.enabled AND d.status = 'PENDING' AND d.next_attempt_at <= now() + interval '1 second'
             RETURNING d.id)
           SELECT d.body, d.event_id, d.attempt_count + 1 AS attempt_count, d.next_attempt_at, (SELECT count(*) FROM due) > 0 AS claimed,
                  ep.id AS endpoint_id, ep.url, ep.enabled, ep.secret_sealed, ep.previous_secret_sealed, ep.previous_secret_expires_at
             FROM webhook_deliveries d JOIN webhook_endpoints ep ON ep.id = d.endpoint_id WHERE d.id = $1`,
          [deliveryId, leaseSeconds],
        ),
      );
    if (!claimed) return; // deleted with its endpoint
    if (!claimed.claimed) {
      // Not due. A retried job (its first run failed after scheduling) makes sure the next attempt has a job.
      if (retriedJob && claimed.enabled && claimed.next_attempt_at) {
        await this.queue({ tenantId, deliveryId, endpointId: claimed.endpoint_id as string }, claimed.next_attempt_at);
      }
      return;
    }
    const endpoint = {
      id: claimed.endpoint_id as string,
      secretSealed: claimed.secret_sealed as string,
      previousSecretSealed: claimed.previous_secret_sealed as string | null,
      previousSecretExpiresAt: claimed.previous_secret_expires_at as Date | null,
    };
    const body = JSON.stringify(claimed.body);
    const headers = signedHeaders(secrets, tenantId, endpoint, claimed.event_id, body);
    const response = await postWebhook(claimed.url as string, headers, body, { timeoutMs: settings.WEBHOOK_TIMEOUT_MS, allowPrivate: settings.WEBHOOK_ALLOW_PRIVATE });
    const record: WebhookAttemptRecord = { at: new Date().toISOString(), statusCode: response.statusCode, latencyMs: response.latencyMs, error: response.error };
    const succeeded = response.error === null;
    const delays = settings.WEBHOOK_RETRY_DELAYS_SECONDS;
    const retryIn = succeeded || claimed.attempt_count > delays.length ? null : delays[claimed.attempt_count - 1];
    const { retryAt, events } = await router.withTenant(tenantId, (manager) =>
      manager.transaction(async (tx) => {
        const [row] = updatedRows<{ next_attempt_at: Date | null }>(await tx.query(
          `UPDATE webhook_deliveries SET attempts = attempts || $2::jsonb,
                  status = CASE WHEN $3 THEN 'SUCCEEDED' WHEN $4::float8 IS NULL THEN 'FAILED' ELSE 'PENDING' END,
                  next_attempt_at = CASE WHEN $4::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $4::float8) END,
                  completed_at = CASE WHEN $4::float8 IS NULL THEN now() ELSE NULL END
            WHERE id = $1 RETURNING next_attempt_at`,
          [deliveryId, JSON.stringify([record]), succeeded, retryIn],
        ));
        const events = await this.endpointOutcome(tx, tenantId, endpoint.id, succeeded);
        return { retryAt: row?.next_attempt_at ?? null, events };
      }),
    );
    if (events.length > 0) await this.deps.dispatcher.dispatch(tenantId, events);
    if (retryAt) await this.queue({ tenantId, deliveryId, endpointId: endpoint.id }, retryAt);
  }

  /** A success clears the endpoint's failing streak; a failure starts it, or disables the endpoint once it is old enough. */
  private async endpointOutcome(tx: EntityManager, tenantId: string, endpointId: string, succeeded: boolean): Promise<DomainEvent[]> {
    if (succeeded) {
      await tx.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL', [endpointId]);
      return [];
    }
    const [disabled] = updatedRows<Record<string, unknown>>(await tx.query(
      `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, now()),
              enabled = NOT (failing_since IS NOT NULL AND failing_since < now() - make_interval(secs => $2)),
              disabled_reason = CASE WHEN failing_since IS NOT NULL AND failing_since < now() - make_interval(secs => $2)
                                     THEN 'Every delivery failed for too long' ELSE disabled_reason END
        WHERE id = $1 AND enabled
        RETURNING id, url, description, event_types, enabled, disabled_reason`,
      [endpointId, this.deps.settings.WEBHOOK_DISABLE_AFTER_SECONDS],
    ));
    if (!disabled || disabled.enabled) return [];
    this.deps.log.warn({ tenantId, endpointId }, 'disabled a webhook endpoint that kept failing');
    const endpoint = {
      id: disabled.id,
      url: disabled.url,
      description: disabled.description,
      eventTypes: disabled.event_types,
      enabled: false,
      disabledReason: disabled.disabled_reason,
    } as WebhookEndpoint;
    // Dispatched by the caller once this transaction commits.
    return appendEvents(tx, tenantId, WEBHOOKS_ACTOR, [webhookEndpointEvent(WebhookEventType.ENDPOINT_DISABLED, endpoint)]);
  }
}

/** TypeORM answers a raw UPDATE … RETURNING with [rows, affected]; a SELECT with the rows. */
function updatedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}
