import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A global identity; what it may do in a tenant is its membership there. */
@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;

  /** Stored lower-cased so lookups are exact. */
  @Column({ type: 'varchar', length: 320, unique: true }) email: string;

  @Column({ type: 'varchar', length: 200 }) name: string;

  @Column({ type: 'varchar', length: 255, select: false }) passwordHash: string;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
