import { CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { Contact } from './contact.entity';
import { ContactGroup } from './contact-group.entity';

/** Membership of a contact in a group. The PK serves "members of these groups" batches. */
@Entity({ name: 'contact_group_members' })
export class ContactGroupMember {
  @PrimaryColumn('uuid') groupId: string;

  /** Indexed for "groups of these contacts" batches and the cascade from contacts. */
  @Index('IDX_contact_group_members_contact') @PrimaryColumn('uuid') contactId: string;

  @ManyToOne(() => ContactGroup, { onDelete: 'CASCADE' }) group: ContactGroup;

  @ManyToOne(() => Contact, { onDelete: 'CASCADE' }) contact: Contact;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
