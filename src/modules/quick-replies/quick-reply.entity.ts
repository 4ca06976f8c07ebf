import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** A canned answer an agent inserts by typing its shortcut, e.g. '/hours'. */
@Entity({ name: 'quick_replies' })
@Unique('UQ_quick_replies_shortcut', ['shortcut'])
export class QuickReply {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 50 }) shortcut: string;

  @Column({ type: 'varchar', length: 200 }) title: string;

  @Column({ type: 'text' }) body: string;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
