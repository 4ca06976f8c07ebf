import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** A chat label, put on contacts and conversations. */
@Entity({ name: 'labels' })
@Unique('UQ_labels_name', ['name'])
@Check('CHK_labels_color_hex', `"color" ~ '^#[0-9a-fA-F]{6}$'`)
export class Label {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 100 }) name: string;

  /** '#rrggbb'. */
  @Column({ type: 'varchar', length: 7, default: '#9e9e9e' }) color: string;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
