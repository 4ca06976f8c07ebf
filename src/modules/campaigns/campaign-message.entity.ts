import { Check, Column, CreateDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Document } from '../documents/documents.module';
import { Campaign } from './campaign.entity';

/** One message of a campaign's sequence, sent to each recipient in position order. */
@Entity({ name: 'campaign_messages' })
// Deferrable (checked at the end of each statement), so positions can be swapped in one UPDATE.
@Unique('UQ_campaign_messages_position', ['campaignId', 'position'], { deferrable: 'INITIALLY IMMEDIATE' })
@Check('CHK_campaign_messages_position', `"position" >= 0`)
@Check('CHK_campaign_messages_content', `"body" IS NOT NULL OR "document_id" IS NOT NULL`)
export class CampaignMessage {
  @PrimaryGeneratedColumn('uuid') id: string;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' }) campaign: Campaign;

  @Column('uuid') campaignId: string;

  @Column({ type: 'int' }) position: number;

  /** Text, or the caption of the attached document. */
  @Column({ type: 'text', nullable: true }) body: string | null;

  @ManyToOne(() => Document, { nullable: true, onDelete: 'SET NULL' }) document: Document | null;

  @Column({ type: 'uuid', nullable: true }) documentId: string | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
