import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { SubscriptionPlan } from './subscription-plan.entity';
import { Tenant } from './tenant.entity';

export enum SubscriptionOrderStatus {
  PENDING = 'PENDING',
  PAID = 'PAID',
  CANCELLED = 'CANCELLED',
}

@Entity({ name: 'subscription_orders' })
export class SubscriptionOrder {
  @PrimaryGeneratedColumn('uuid') id: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' }) tenant: Tenant;

  @Index() @Column('uuid') tenantId: string;

  @ManyToOne(() => SubscriptionPlan, { onDelete: 'RESTRICT' }) plan: SubscriptionPlan;

  @Column('uuid') planId: string;

  @Column({ type: 'varchar', length: 20, default: SubscriptionOrderStatus.PENDING }) status: SubscriptionOrderStatus;

  @Column({ type: 'int' }) amountCents: number;

  @Column({ type: 'varchar', length: 3 }) currency: string;

  @Column({ type: 'timestamptz' }) periodStart: Date;

  @Column({ type: 'timestamptz' }) periodEnd: Date;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
