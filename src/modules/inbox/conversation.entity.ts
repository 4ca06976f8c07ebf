import { Check, Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Contact } from '../contacts/contacts.module';

/**
 * The channel a conversation runs on: a WhatsApp session, owned by the WhatsApp module (which
 * depends on this one, not the other way round), so the relation names its entity by name.
 */
interface ConversationChannel {
  id: string;
}

export enum ConversationStatus {
  OPEN = 'OPEN',
  PENDING = 'PENDING',
  CLOSED = 'CLOSED',
}

/** One chat per contact and channel: the inbox row. */
@Entity({ name: 'conversations' })
// Created by hand in the migration, as TypeORM can express neither NULLS NOT DISTINCT nor DESC:
// - UQ_conversations_contact_session: UNIQUE (contact_id, session_id) NULLS NOT DISTINCT, so a
//   contact has one conversation without a channel too; usable by ON CONFLICT (contact_id, session_id).
// - inbox keyset paging, ORDER BY last_message_at DESC, id DESC (NULLs first, as DESC does by default):
//   IDX_conversations_inbox (last_message_at DESC, id DESC),
//   IDX_conversations_status_inbox (status, last_message_at DESC, id DESC),
//   IDX_conversations_assignee_inbox (assignee_user_id, last_message_at DESC, id DESC).
@Index('UQ_conversations_contact_session', { synchronize: false })
@Index('IDX_conversations_inbox', { synchronize: false })
@Index('IDX_conversations_status_inbox', { synchronize: false })
@Index('IDX_conversations_assignee_inbox', { synchronize: false })
@Check('CHK_conversations_unread_count', `"unread_count" >= 0`)
export class Conversation {
  @PrimaryGeneratedColumn('uuid') id: string;

  @ManyToOne(() => Contact, { onDelete: 'CASCADE' }) contact: Contact;

  @Column('uuid') contactId: string;

  /** A channel with history is stopped, not deleted: RESTRICT keeps conversations from losing theirs. */
  @ManyToOne('WhatsappSession', { nullable: true, onDelete: 'RESTRICT' }) session: ConversationChannel | null;

  @Index('IDX_conversations_session') @Column({ type: 'uuid', nullable: true }) sessionId: string | null;

  /** A user of the control database, so no foreign key. */
  @Column({ type: 'uuid', nullable: true }) assigneeUserId: string | null;

  @Column({ type: 'varchar', length: 20, default: ConversationStatus.OPEN }) status: ConversationStatus;

  @Column({ type: 'int', default: 0 }) unreadCount: number;

  @Column({ type: 'timestamptz', nullable: true }) lastMessageAt: Date | null;

  /**
   * Set in the same transaction as the message insert. No foreign key: messages already
   * reference conversations, and a cycle would complicate data-only dump/restore and TRUNCATE.
   */
  @Column({ type: 'uuid', nullable: true }) lastMessageId: string | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
