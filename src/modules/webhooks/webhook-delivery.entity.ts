import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { WebhookEndpoint } from './webhook-endpoint.entity';

export type WebhookDeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** One request made for a delivery. */
export interface WebhookAttemptRecord {
  at: string;
  /** The HTTP status, null when no answer came (timeout, refused, blocked address). */
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * The durable queue of outgoing webhooks: one row per event and endpoint, written by the event
 * consumer after commit (once: unique per endpoint and event), worked by the delivery worker
 * until it succeeds or its retries run out. The body is kept here, so pruning the event log
 * loses no pending delivery.
 */
@Entity({ name: 'webhook_deliveries' })
@Unique('UQ_webhook_deliveries_endpoint_event', ['endpointId', 'eventId'])
@Index('IDX_webhook_deliveries_endpoint_page', ['endpointId', 'createdAt', 'id'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_webhook_deliveries' }) id: string;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn({ foreignKeyConstraintName: 'FK_webhook_deliveries_endpoint_id' })
  endpoint: WebhookEndpoint;

  @Column({ type: 'uuid' }) endpointId: string;

  /** The event's id: the `webhook-id` header, the same on every retry and in the events feed. */
  @Column({ type: 'uuid' }) eventId: string;

  @Column({ type: 'bigint' }) eventSeq: string;

  @Column({ type: 'varchar', length: 64 }) eventType: string;

  /** `{type, timestamp, data}` exactly as sent. */
  @Column({ type: 'jsonb' }) body: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'PENDING' }) status: WebhookDeliveryStatus;

  @Column({ type: 'int', default: 0 }) attemptCount: number;

  /** When the worker tries next; null once finished. */
  @Column({ type: 'timestamptz', nullable: true }) nextAttemptAt: Date | null;

  @Column({ type: 'jsonb', default: () => `'[]'::jsonb` }) attempts: WebhookAttemptRecord[];

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true }) completedAt: Date | null;
}
