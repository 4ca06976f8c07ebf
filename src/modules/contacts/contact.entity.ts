import { Check, Column, CreateDateColumn, DeleteDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A person the business talks to on WhatsApp. */
@Entity({ name: 'contacts' })
// Phone is unique among live contacts only, so a soft-deleted contact can be re-created.
@Index('UQ_contacts_phone_live', ['phone'], { unique: true, where: '"deleted_at" IS NULL' })
@Index('UQ_contacts_whatsapp_id_live', ['whatsappId'], { unique: true, where: '"deleted_at" IS NULL' })
// Search without pg_trgm (not on every server): prefix search on lower(name) and on phone.
// Expression / operator-class indexes; created by hand in the migration.
@Index('IDX_contacts_name_lower', { synchronize: false })
@Index('IDX_contacts_phone_prefix', { synchronize: false })
// A word of the name from its start (inbox search): GIN over to_tsvector('simple', name).
@Index('IDX_contacts_name_words', { synchronize: false })
// The list, newest first: (created_at DESC, id DESC) WHERE deleted_at IS NULL; by hand in a migration.
@Index('IDX_contacts_list', { synchronize: false })
@Check('CHK_contacts_phone_e164', `"phone" ~ '^[1-9][0-9]{6,14}$'`)
@Check('CHK_contacts_reachable', `"phone" IS NOT NULL OR "whatsapp_id" IS NOT NULL`)
@Check('CHK_contacts_custom_fields_object', `jsonb_typeof("custom_fields") = 'object'`)
export class Contact {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 200 }) name: string;

  /** E.164 digits without '+', e.g. '15551234567'; null for a customer who hides their number. */
  @Column({ type: 'varchar', length: 15, nullable: true }) phone: string | null;

  /** WhatsApp's id of a customer who hides their number (`<id>@lid`); their only address. */
  @Column({ type: 'varchar', length: 100, nullable: true }) whatsappId: string | null;

  @Column({ type: 'varchar', length: 320, nullable: true }) email: string | null;

  @Column({ type: 'text', nullable: true }) notes: string | null;

  @Column({ type: 'jsonb', default: {} }) customFields: Record<string, unknown>;

  /** The contact asked not to receive campaigns. */
  @Column({ type: 'boolean', default: false }) optedOut: boolean;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' }) deletedAt: Date | null;
}
