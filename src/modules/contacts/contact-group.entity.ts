import { Column, CreateDateColumn, DeleteDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A named set of contacts, e.g. a campaign audience. */
@Entity({ name: 'contact_groups' })
// Unique among live groups, so a deleted group's name can be reused.
@Index('UQ_contact_groups_name_live', ['name'], { unique: true, where: '"deleted_at" IS NULL' })
export class ContactGroup {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 100 }) name: string;

  @Column({ type: 'text', nullable: true }) description: string | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' }) deletedAt: Date | null;
}
