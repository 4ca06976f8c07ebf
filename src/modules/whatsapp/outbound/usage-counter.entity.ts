import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Metrics counted per month against the plan (UTC months). */
export enum UsageMetric {
  OUTBOUND_MESSAGES = 'OUTBOUND_MESSAGES',
}

/**
 * How much of a metered resource the tenant used in a month: one row per (month, metric), raised
 * by one upsert per use, so a plan limit is checked in O(1) and concurrent uses serialize on the row.
 */
@Entity({ name: 'usage_counters' })
export class UsageCounter {
  /** First day of the month (UTC). */
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_usage_counters' }) month: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'PK_usage_counters' }) metric: UsageMetric;

  @Column({ type: 'int', default: 0 }) used: number;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
