import { Check, Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { WhatsappSession } from './whatsapp-session.entity';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Opening intervals per weekday in the settings' timezone, 'HH:MM' 24h; a missing day is closed. */
export type BusinessHours = Partial<Record<Weekday, Array<{ open: string; close: string }>>>;

/** Per-channel behaviour: one row per WhatsApp session. */
@Entity({ name: 'whatsapp_settings' })
@Check('CHK_whatsapp_settings_business_hours_object', `jsonb_typeof("business_hours") = 'object'`)
export class WhatsappSettings {
  @PrimaryGeneratedColumn('uuid') id: string;

  @OneToOne(() => WhatsappSession, { onDelete: 'CASCADE' })
  @JoinColumn()
  session: WhatsappSession;

  @Column('uuid') sessionId: string;

  /** IANA name, e.g. 'Europe/Berlin'. */
  @Column({ type: 'varchar', length: 64, default: 'UTC' }) timezone: string;

  @Column({ type: 'jsonb', default: {} }) businessHours: BusinessHours;

  /** Send a read receipt for the chat when an agent replies. */
  @Column({ type: 'boolean', default: true }) markReadOnReply: boolean;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
