import { CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { Conversation } from '../inbox/inbox.module';
import { Label } from './label.entity';

/** A label on a conversation. The PK serves "labels of these conversation ids" in one query. */
@Entity({ name: 'conversation_labels' })
export class ConversationLabel {
  @PrimaryColumn('uuid') conversationId: string;

  /** Indexed for "conversations with this label" and the cascade from labels. */
  @Index('IDX_conversation_labels_label') @PrimaryColumn('uuid') labelId: string;

  @ManyToOne(() => Conversation, { onDelete: 'CASCADE' }) conversation: Conversation;

  @ManyToOne(() => Label, { onDelete: 'CASCADE' }) label: Label;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
