import { CreateDateColumn, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { WhatsappProvider } from '../whatsapp-sessions/whatsapp-session.entity';

/** A provider event already ingested: inserting the same (provider, event_id) again conflicts. */
@Entity({ name: 'webhook_events' })
@Unique('UQ_webhook_events_provider_event', ['provider', 'eventId'])
export class WebhookEvent {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 20 }) provider: WhatsappProvider;

  @Column({ type: 'varchar', length: 255 }) eventId: string;

  /** Indexed for pruning old rows. */
  @Index('IDX_webhook_events_received_at') @CreateDateColumn({ type: 'timestamptz' }) receivedAt: Date;
}
