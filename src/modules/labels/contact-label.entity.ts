import { CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { Contact } from '../contacts/contacts.module';
import { Label } from './label.entity';

/** A label on a contact. The PK serves "labels of these contact ids" in one query. */
@Entity({ name: 'contact_labels' })
export class ContactLabel {
  @PrimaryColumn('uuid') contactId: string;

  /** Indexed for "contacts with this label" and the cascade from labels. */
  @Index('IDX_contact_labels_label') @PrimaryColumn('uuid') labelId: string;

  @ManyToOne(() => Contact, { onDelete: 'CASCADE' }) contact: Contact;

  @ManyToOne(() => Label, { onDelete: 'CASCADE' }) label: Label;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
