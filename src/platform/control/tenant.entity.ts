import { Column, CreateDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { SubscriptionPlan } from './subscription-plan.entity';

export enum TenantStatus {
  PROVISIONING = 'PROVISIONING',
  ACTIVE = 'ACTIVE',
  FAILED = 'FAILED',
  SUSPENDED = 'SUSPENDED',
  ARCHIVED = 'ARCHIVED',
  /** Being moved or restored by an operator: requests are refused (webhooks get 503) until it ends. */
  MAINTENANCE = 'MAINTENANCE',
  /** Erased by `tenant:delete`: data dropped, control rows anonymised; kept for the audit trail. */
  DELETED = 'DELETED',
}

@Entity({ name: 'tenants' })
export class Tenant {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 200 }) name: string;

  @Column({ type: 'varchar', length: 64, unique: true }) slug: string;

  @Column({ type: 'varchar', length: 20, default: TenantStatus.PROVISIONING }) status: TenantStatus;

  @ManyToOne(() => SubscriptionPlan, { nullable: true, onDelete: 'SET NULL' })
  plan: SubscriptionPlan | null;

  @Column({ type: 'uuid', nullable: true }) planId: string | null;

  /** Last authenticated request or operation, written at most every few minutes (TenantActivity). */
  @Column({ type: 'timestamptz', nullable: true }) lastActiveAt: Date | null;

  /** ARCHIVED: the folder of the backup `tenant:unarchive` restores. */
  @Column({ type: 'text', nullable: true }) archiveLocation: string | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
