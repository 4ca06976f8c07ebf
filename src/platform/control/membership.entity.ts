import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from './tenant.entity';
import { User } from './user.entity';

export enum TenantRole {
  TENANT_ADMIN = 'TENANT_ADMIN',
  MANAGER = 'MANAGER',
  AGENT = 'AGENT',
  AUDITOR = 'AUDITOR',
}

@Entity({ name: 'memberships' })
@Index(['userId', 'tenantId'], { unique: true })
@Index(['tenantId'])
export class Membership {
  @PrimaryGeneratedColumn('uuid') id: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' }) user: User;

  @Column('uuid') userId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' }) tenant: Tenant;

  @Column('uuid') tenantId: string;

  @Column({ type: 'varchar', length: 20 }) role: TenantRole;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
