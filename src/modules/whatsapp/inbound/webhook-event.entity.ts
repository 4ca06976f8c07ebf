import { CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { WhatsappProvider } from '../channels/whatsapp-session.entity';

/**
 * A provider event already ingested: inserting the same (provider, event_id) again conflicts.
 * Inbound messages are recorded once, as `message:<provider message id>`, whatever event carried them.
 */
@Entity({ name: 'webhook_events' })
@Index('IDX_webhook_events_received_at', { synchronize: false }) // BRIN, for pruning old rows (migration 1763900000000)
export class WebhookEvent {
  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'PK_webhook_events' }) provider: WhatsappProvider;

  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'PK_webhook_events' }) eventId: string;

  @CreateDateColumn({ type: 'timestamptz' }) receivedAt: Date;
}
