import { Column, Entity, Generated, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What every stored event holds, in the tenant's log and in the control database's outbox alike
 * (TypeORM maps the columns of an abstract base into each entity that extends it).
 */
export abstract class RecordedEventColumns {
  @Column({ type: 'varchar', length: 64 }) type: string;

  @Column({ type: 'smallint', default: 1 }) version: number;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' }) occurredAt: Date;

  @Column({ type: 'varchar', length: 16 }) actorKind: string;

  @Column({ type: 'varchar', length: 64, nullable: true }) actorId: string | null;

  @Column({ type: 'uuid', nullable: true }) subjectId: string | null;

  @Column({ type: 'jsonb' }) payload: Record<string, unknown>;
}

/**
 * The tenant's event log: one row per domain event, written in the transaction of the change it
 * records, never updated (it is also the audit log). Newest first by seq.
 */
@Entity({ name: 'domain_events' })
// What a person or a key did (the audit log's actor filter); provider and system events, the
// bulk of the log, stay out of it so webhook ingest does not pay for it.
@Index('IDX_domain_events_actor', ['actorId', 'seq'], { where: `actor_kind IN ('USER', 'API_KEY', 'PLATFORM_ADMIN')` })
@Index('IDX_domain_events_occurred_at', { synchronize: false }) // BRIN on occurred_at: pruning and time filters
export class DomainEventRow extends RecordedEventColumns {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_domain_events' }) seq: string;

  @Index('UQ_domain_events_id', { unique: true })
  @Column({ type: 'uuid' })
  @Generated('uuid')
  id: string;

}

/**
 * The outbox: the events not yet handed to every consumer, written with them and deleted once
 * dispatched (cheaper than updating the log's rows, and the log stays append-only). What a
 * crashed process left here is dispatched by the next sweep.
 */
@Entity({ name: 'domain_events_undispatched' })
export class UndispatchedEventRow {
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_domain_events_undispatched' }) seq: string;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' }) recordedAt: Date;
}
