import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Conversation } from './conversation.entity';
import { Document } from '../documents/documents.module';

export enum MessageDirection {
  INBOUND = 'INBOUND',
  OUTBOUND = 'OUTBOUND',
}

export enum MessageType {
  TEXT = 'TEXT',
  IMAGE = 'IMAGE',
  VIDEO = 'VIDEO',
  AUDIO = 'AUDIO',
  DOCUMENT = 'DOCUMENT',
  STICKER = 'STICKER',
  LOCATION = 'LOCATION',
  REACTION = 'REACTION',
  TEMPLATE = 'TEMPLATE',
  OTHER = 'OTHER',
}

export enum MessageStatus {
  QUEUED = 'QUEUED',
  SENT = 'SENT',
  DELIVERED = 'DELIVERED',
  READ = 'READ',
  PLAYED = 'PLAYED',
  FAILED = 'FAILED',
}

/**
 * The delivery ladder QUEUED < SENT < DELIVERED < READ < PLAYED; FAILED sits off the ladder at -1.
 *
 * "Up the ladder only": acks arrive at least once and out of order, so a status change is always a
 * conditional update, never a plain save:
 *   UPDATE messages SET status = $new, updated_at = now() WHERE id = $id AND status_rank < rank($new)
 * A stale or repeated ack matches no row. FAILED is applied only to a message not yet delivered
 * (WHERE status_rank <= 1); a later real ack (rank >= 1) lifts a FAILED message back onto the ladder.
 */
export const MESSAGE_STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  [MessageStatus.FAILED]: -1,
  [MessageStatus.QUEUED]: 0,
  [MessageStatus.SENT]: 1,
  [MessageStatus.DELIVERED]: 2,
  [MessageStatus.READ]: 3,
  [MessageStatus.PLAYED]: 4,
};

// status_rank is generated from status by the database, so the two can never disagree; it is
// NOT NULL, so a status outside the map (CASE yields NULL) is rejected too.
const statusRankExpression = `CASE "status" ${Object.entries(MESSAGE_STATUS_RANK)
  .map(([status, rank]) => `WHEN '${status}' THEN ${rank}`)
  .join(' ')} END`;

@Entity({ name: 'messages' })
@Unique('UQ_messages_provider_message_id', ['providerMessageId'])
@Unique('UQ_messages_client_message_id', ['clientMessageId'])
// Paging a conversation, newest first: (conversation_id, created_at DESC, id DESC), by hand in the
// migration (TypeORM cannot express DESC). It also serves the cascade from conversations.
@Index('IDX_messages_conversation_page', { synchronize: false })
// Marking a conversation read touches only its unread inbound messages.
@Index('IDX_messages_unread_inbound', ['conversationId'], { where: `"direction" = 'INBOUND' AND "read_at" IS NULL` })
export class Message {
  @PrimaryGeneratedColumn('uuid') id: string;

  @ManyToOne(() => Conversation, { onDelete: 'CASCADE' }) conversation: Conversation;

  @Column('uuid') conversationId: string;

  @Column({ type: 'varchar', length: 10 }) direction: MessageDirection;

  /** Provider addresses: E.164 digits or a chat id such as '15551234567@c.us'. */
  @Column({ type: 'varchar', length: 255 }) fromAddress: string;

  @Column({ type: 'varchar', length: 255 }) toAddress: string;

  /** Text, or the caption of a media message. */
  @Column({ type: 'text', nullable: true }) body: string | null;

  @Column({ type: 'varchar', length: 20, default: MessageType.TEXT }) type: MessageType;

  /** Media copied into our storage (WAHA deletes its copy after 180 s). */
  @ManyToOne(() => Document, { nullable: true, onDelete: 'SET NULL' }) document: Document | null;

  @Index('IDX_messages_document', { where: '"document_id" IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  documentId: string | null;

  @Column({ type: 'varchar', length: 20, default: MessageStatus.QUEUED }) status: MessageStatus;

  /** Derived from status by the database; never written by the app. See MESSAGE_STATUS_RANK. */
  @Column({ type: 'smallint', generatedType: 'STORED', asExpression: statusRankExpression, insert: false, update: false })
  statusRank: number;

  @Column({ type: 'varchar', length: 255, nullable: true }) providerMessageId: string | null;

  /** Idempotency key of an outbound send; also given to WAHA so a retried send is not sent twice. */
  @Column({ type: 'varchar', length: 100, nullable: true }) clientMessageId: string | null;

  @ManyToOne(() => Message, { nullable: true, onDelete: 'SET NULL' }) replyTo: Message | null;

  /** Indexed: without it, deleting a conversation's messages would scan the table once per message. */
  @Index('IDX_messages_reply_to', { where: '"reply_to_id" IS NOT NULL' })
  @Column({ type: 'uuid', nullable: true })
  replyToId: string | null;

  @Column({ type: 'text', nullable: true }) failureReason: string | null;

  /** A user of the control database, so no foreign key. */
  @Column({ type: 'uuid', nullable: true }) sentByUserId: string | null;

  @Column({ type: 'jsonb', nullable: true }) rawPayload: Record<string, unknown> | null;

  /** When the provider says the message was sent or received. */
  @Column({ type: 'timestamptz', nullable: true }) providerTimestamp: Date | null;

  /** Inbound: when an agent read it (unread = inbound with read_at null). */
  @Column({ type: 'timestamptz', nullable: true }) readAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
