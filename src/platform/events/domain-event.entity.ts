import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The tenant's event log: one row per domain event, written in the transaction of the change it
 * records. `dispatched_at` stays null until every consumer has had it (the outbox); the partial
 * index finds what a crashed process left undispatched. Read as the audit log, newest first by seq.
 */
@Entity({ name: 'domain_events' })
@Index('IDX_domain_events_undispatched', ['seq'], { where: 'dispatched_at IS NULL' })
@Index('IDX_domain_events_actor', ['actorId', 'seq'])
@Index('IDX_domain_events_occurred_at', { synchronize: false }) // BRIN on occurred_at: pruning and time filters
export class DomainEventRow {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_domain_events' }) seq: string;

  @Index('UQ_domain_events_id', { unique: true })
  @Column({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ type: 'varchar', length: 64 }) type: string;

  @Column({ type: 'smallint', default: 1 }) version: number;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' }) occurredAt: Date;

  @Column({ type: 'varchar', length: 16 }) actorKind: string;

  @Column({ type: 'varchar', length: 64, nullable: true }) actorId: string | null;

  @Column({ type: 'uuid', nullable: true }) subjectId: string | null;

  @Column({ type: 'jsonb' }) payload: Record<string, unknown>;

  @Column({ type: 'timestamptz', nullable: true }) dispatchedAt: Date | null;
}
