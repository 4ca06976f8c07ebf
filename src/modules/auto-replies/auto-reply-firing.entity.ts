import { CreateDateColumn, Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Conversation } from '../inbox/inbox.module';
import { AutoReplyRule } from './auto-reply-rule.entity';

/**
 * One automatic reply sent. The cooldown check reads the latest firing of (rule, conversation)
 * through IDX_auto_reply_firings_latest (rule_id, conversation_id, fired_at DESC), created by hand
 * in the migration. Check and insert run in the inbound message's transaction after the
 * conversation row is locked, so two concurrent inbound messages cannot both fire.
 */
@Entity({ name: 'auto_reply_firings' })
@Index('IDX_auto_reply_firings_latest', { synchronize: false })
export class AutoReplyFiring {
  @PrimaryGeneratedColumn('uuid') id: string;

  @ManyToOne(() => AutoReplyRule, { onDelete: 'CASCADE' }) rule: AutoReplyRule;

  @Column('uuid') ruleId: string;

  @ManyToOne(() => Conversation, { onDelete: 'CASCADE' }) conversation: Conversation;

  /** Indexed for the cascade from conversations. */
  @Index('IDX_auto_reply_firings_conversation') @Column('uuid') conversationId: string;

  @CreateDateColumn({ type: 'timestamptz' }) firedAt: Date;
}
