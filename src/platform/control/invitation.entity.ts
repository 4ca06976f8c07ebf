import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from './tenant.entity';
import { TenantRole } from './membership.entity';

/**
 * An offer to join a tenant, made by its admin to an email. Nobody becomes a member until the
 * email's owner accepts: signed in (an existing account) or with the token (a new account).
 * Only a SHA-256 of the token is stored.
 */
@Entity({ name: 'invitations' })
export class Invitation {
  @PrimaryGeneratedColumn('uuid') id: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' }) tenant: Tenant;

  @Index('IDX_invitations_tenant_id') @Column('uuid') tenantId: string;

  @Index('IDX_invitations_email') @Column({ type: 'varchar', length: 320 }) email: string;

  @Column({ type: 'varchar', length: 20 }) role: TenantRole;

  @Column({ type: 'varchar', length: 64, unique: true, select: false }) tokenHash: string;

  @Column({ type: 'uuid', nullable: true }) invitedByUserId: string | null;

  @Column({ type: 'timestamptz' }) expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true }) acceptedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true }) declinedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
