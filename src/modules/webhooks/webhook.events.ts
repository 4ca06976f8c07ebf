import type { DomainEvent, DomainEventDraft } from '../../platform/events/domain-event';
import type { WebhookEndpoint } from './webhook-endpoint.entity';

export const WebhookEventType = {
  ENDPOINT_CREATED: 'webhook_endpoint.created',
  ENDPOINT_UPDATED: 'webhook_endpoint.updated',
  ENDPOINT_DELETED: 'webhook_endpoint.deleted',
  SECRET_ROTATED: 'webhook_endpoint.secret_rotated',
  /** The platform disabled an endpoint that failed for WEBHOOK_DISABLE_AFTER_SECONDS. */
  ENDPOINT_DISABLED: 'webhook_endpoint.disabled',
} as const;

/** Payload v1: `{ webhookEndpoint: { id, url, description, eventTypes, enabled, disabledReason } }`; never the secret. */
export function webhookEndpointEvent(type: string, endpoint: WebhookEndpoint): DomainEventDraft {
  const { id, url, description, eventTypes, enabled, disabledReason } = endpoint;
  return { type, subjectId: id, payload: { webhookEndpoint: { id, url, description, eventTypes, enabled, disabledReason } } };
}

/**
 * What a partner receives for an event, by webhook and in the events feed alike (Standard
 * Webhooks' body): the type, when it happened, and the event log's payload.
 */
export function webhookBody(event: Pick<DomainEvent, 'type' | 'occurredAt' | 'payload'>): { type: string; timestamp: string; data: Record<string, unknown> } {
  return { type: event.type, timestamp: event.occurredAt.toISOString(), data: event.payload };
}

/** The same body built in SQL from a domain_events row aliased `e`. */
export const WEBHOOK_BODY_SQL = `jsonb_build_object('type', e.type, 'timestamp', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', e.payload)`;
