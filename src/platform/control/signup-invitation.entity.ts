import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A platform admin's permission for one email to sign up while SIGNUP_MODE=invite. */
@Entity({ name: 'signup_invitations' })
export class SignUpInvitation {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 320 }) email: string;

  @Column({ type: 'varchar', length: 64, unique: true, select: false }) tokenHash: string;

  @Column({ type: 'uuid', nullable: true }) createdByAdminId: string | null;

  @Column({ type: 'timestamptz' }) expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true }) usedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
