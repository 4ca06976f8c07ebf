import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Operators of the whole platform; they manage tenants, never read tenant data. */
@Entity({ name: 'platform_admins' })
export class PlatformAdmin {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 320, unique: true }) email: string;

  @Column({ type: 'varchar', length: 200 }) name: string;

  @Column({ type: 'varchar', length: 255, select: false }) passwordHash: string;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
