import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { WhatsappSession } from '../whatsapp/whatsapp.module';

/**
 * The next free send slot of a channel, shared by every campaign (and every instance) sending on
 * it: a sender reserves slots by moving `next_slot_at` forward in one UPDATE.
 */
@Entity({ name: 'channel_send_pace' })
export class ChannelSendPace {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_channel_send_pace' }) sessionId: string;

  @OneToOne(() => WhatsappSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'FK_channel_send_pace_session' })
  session: WhatsappSession;

  @Column({ type: 'timestamptz', default: () => 'now()' }) nextSlotAt: Date;
}
