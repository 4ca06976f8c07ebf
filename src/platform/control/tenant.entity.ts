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

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
