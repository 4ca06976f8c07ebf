import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A validly signed webhook event that could not be stored as what it says (its content broke a
 * rule of the tenant database, or a bug): kept here, with the error, so nothing a provider
 * delivered is lost and platform admins can look at it, while the provider gets 2xx and stops
 * redelivering it. No foreign key on the tenant: the record outlives a deleted tenant.
 */
@Entity({ name: 'failed_webhook_events' })
export class FailedWebhookEvent {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 20 }) provider: string;

  @Column({ type: 'uuid', nullable: true }) tenantId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true }) eventId: string | null;

  @Column('text') error: string;

  /** The event as JSON text (text, not jsonb: it must be storable whatever it holds). */
  @Column('text') payload: string;

  @Index('IDX_failed_webhook_events_created_at') @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
