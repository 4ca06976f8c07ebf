import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Limits of a plan; null means unlimited. */
@Entity({ name: 'subscription_plans' })
export class SubscriptionPlan {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 50, unique: true }) code: string;

  @Column({ type: 'varchar', length: 100 }) name: string;

  @Column({ type: 'int', nullable: true }) maxContacts: number | null;

  @Column({ type: 'int', nullable: true }) maxUsers: number | null;

  @Column({ type: 'int', nullable: true }) maxMessagesPerMonth: number | null;

  @Column({ type: 'int', nullable: true }) maxChannels: number | null;

  @Column({ type: 'int', default: 0 }) priceCents: number;

  @Column({ type: 'varchar', length: 3, default: 'USD' }) currency: string;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
