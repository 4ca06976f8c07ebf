import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Message, MessageDirection } from './message.entity';

/**
 * A reaction (an emoji) to a message: WhatsApp keeps one per person and message, so the row is
 * keyed by both, and a newer reaction replaces an older one whatever order they arrive in. A
 * removed reaction stays as an empty emoji, so that a late copy of the reaction it removed
 * cannot bring it back.
 */
@Entity({ name: 'message_reactions' })
export class MessageReaction {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_message_reactions' }) messageId: string;

  @ManyToOne(() => Message, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'FK_message_reactions_message' })
  message: Message;

  /** Who reacted: the provider address of the customer, or of our own number. */
  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'PK_message_reactions' }) reactor: string;

  @Column({ type: 'varchar', length: 10 }) direction: MessageDirection;

  /** '' once the reaction was removed. */
  @Column({ type: 'varchar', length: 32 }) emoji: string;

  @Column({ type: 'timestamptz' }) reactedAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
