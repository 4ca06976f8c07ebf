import { Check, Column, CreateDateColumn, DeleteDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { WhatsappSession } from '../whatsapp/whatsapp.module';

export enum CampaignStatus {
  DRAFT = 'DRAFT',
  SCHEDULED = 'SCHEDULED',
  SENDING = 'SENDING',
  PAUSED = 'PAUSED',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}

/**
 * A bulk send to many contacts. Per-recipient state lives in campaign_recipients, which is the
 * source of truth for progress (count it grouped by status through IDX_campaign_recipients_status).
 */
@Entity({ name: 'campaigns' })
@Check('CHK_campaigns_scheduled_at', `"status" <> 'SCHEDULED' OR "scheduled_at" IS NOT NULL`)
@Check('CHK_campaigns_recipients_total', `"recipients_total" >= 0`)
@Check('CHK_campaigns_messages_per_minute', `"messages_per_minute" IS NULL OR "messages_per_minute" BETWEEN 1 AND 60000`)
export class Campaign {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 200 }) name: string;

  @Column({ type: 'varchar', length: 20, default: CampaignStatus.DRAFT }) status: CampaignStatus;

  /** Channel to send from; kept as history (SET NULL) if the channel is deleted. */
  @ManyToOne(() => WhatsappSession, { nullable: true, onDelete: 'SET NULL' }) session: WhatsappSession | null;

  @Column({ type: 'uuid', nullable: true }) sessionId: string | null;

  @Column({ type: 'timestamptz', nullable: true }) scheduledAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true }) startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true }) completedAt: Date | null;

  /** A user of the control database, so no foreign key. */
  @Column({ type: 'uuid', nullable: true }) createdByUserId: string | null;

  /** Size of the audience, fixed when recipients are materialised. */
  @Column({ type: 'int', default: 0 }) recipientsTotal: number;

  /** The campaign's own pace; the channel's rate (shared by its campaigns) caps it. Null: the channel's rate. */
  @Column({ type: 'int', nullable: true }) messagesPerMinute: number | null;

  /** Why the campaign is PAUSED (by a person, a disconnected channel, the plan's limit...). */
  @Column({ type: 'text', nullable: true }) pausedReason: string | null;

  /** The one sender working the campaign, across instances, until its lease runs out. */
  @Column({ type: 'uuid', nullable: true }) senderLeaseOwner: string | null;

  @Column({ type: 'timestamptz', nullable: true }) senderLeaseUntil: Date | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' }) deletedAt: Date | null;
}
