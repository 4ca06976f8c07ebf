import { Check, Column, CreateDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { WhatsappSession } from '../whatsapp/whatsapp.module';

export enum AutoReplyTrigger {
  KEYWORD = 'KEYWORD',
  REGEX = 'REGEX',
  OUTSIDE_BUSINESS_HOURS = 'OUTSIDE_BUSINESS_HOURS',
}

/** Answers an inbound message automatically; the highest priority matching active rule wins. */
@Entity({ name: 'auto_reply_rules' })
@Check('CHK_auto_reply_rules_pattern', `"trigger" = 'OUTSIDE_BUSINESS_HOURS' OR "pattern" IS NOT NULL`)
@Check('CHK_auto_reply_rules_cooldown', `"cooldown_minutes" >= 0`)
export class AutoReplyRule {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 100 }) name: string;

  @Column({ type: 'varchar', length: 30 }) trigger: AutoReplyTrigger;

  /** Keyword or regular expression; null for OUTSIDE_BUSINESS_HOURS. */
  @Column({ type: 'text', nullable: true }) pattern: string | null;

  @Column({ type: 'text' }) replyBody: string;

  @Column({ type: 'boolean', default: true }) isActive: boolean;

  /** Fires at most once per conversation within this window (see auto_reply_firings). */
  @Column({ type: 'int', default: 60 }) cooldownMinutes: number;

  @Column({ type: 'int', default: 0 }) priority: number;

  /** Null: every channel. A channel's own rules go with it. */
  @ManyToOne(() => WhatsappSession, { nullable: true, onDelete: 'CASCADE' }) session: WhatsappSession | null;

  @Column({ type: 'uuid', nullable: true }) sessionId: string | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
