import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Contact } from '../contacts/contacts.module';
import { Message } from '../inbox/inbox.module';
import { Campaign } from './campaign.entity';

export enum CampaignRecipientStatus {
  /** Not claimed by the sender yet. */
  PENDING = 'PENDING',
  /** Claimed: its messages are stored and in the durable send queue. */
  QUEUED = 'QUEUED',
  SENT = 'SENT',
  DELIVERED = 'DELIVERED',
  READ = 'READ',
  /** The customer wrote back after the campaign reached them. */
  REPLIED = 'REPLIED',
  FAILED = 'FAILED',
  /** Not sent: opted out, deleted, or no address (the reason is in `error`). */
  SKIPPED = 'SKIPPED',
}

/** Per-recipient state of a campaign; follows its message's acks. */
@Entity({ name: 'campaign_recipients' })
@Unique('UQ_campaign_recipients_campaign_contact', ['campaignId', 'contactId'])
// Unique: a message is sent to one recipient. Finds the recipient when an ack for the message arrives.
@Unique('UQ_campaign_recipients_message', ['messageId'])
@Index('IDX_campaign_recipients_status', ['campaignId', 'status'])
// A campaign's recipients, newest first: (campaign_id, created_at DESC, id DESC), by hand in a migration.
@Index('IDX_campaign_recipients_page', { synchronize: false })
export class CampaignRecipient {
  @PrimaryGeneratedColumn('uuid') id: string;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' }) campaign: Campaign;

  @Column('uuid') campaignId: string;

  @ManyToOne(() => Contact, { onDelete: 'CASCADE' }) contact: Contact;

  /** Indexed for the cascade from contacts. */
  @Index('IDX_campaign_recipients_contact') @Column('uuid') contactId: string;

  @Column({ type: 'varchar', length: 20, default: CampaignRecipientStatus.PENDING }) status: CampaignRecipientStatus;

  @ManyToOne(() => Message, { nullable: true, onDelete: 'SET NULL' }) message: Message | null;

  @Column({ type: 'uuid', nullable: true }) messageId: string | null;

  @Column({ type: 'text', nullable: true }) error: string | null;

  /** When the sender claimed it: the moving 24-hour count of unique customers per channel. */
  @Index('IDX_campaign_recipients_sent_at', { where: '"sent_at" IS NOT NULL' })
  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
