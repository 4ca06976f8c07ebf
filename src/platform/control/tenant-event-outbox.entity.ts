import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Domain events of changes made in the control database (members, API keys): recorded in the
 * change's transaction here, then moved into the tenant's own event log (same id, so a move
 * repeated after a crash adds nothing) and dispatched from there like every other event.
 */
@Entity({ name: 'tenant_event_outbox' })
@Index('IDX_tenant_event_outbox_tenant', ['tenantId'])
export class TenantEventOutboxRow {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()', primaryKeyConstraintName: 'PK_tenant_event_outbox' }) id: string;

  @Column({ type: 'uuid' }) tenantId: string;

  @Column({ type: 'varchar', length: 64 }) type: string;

  @Column({ type: 'smallint', default: 1 }) version: number;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' }) occurredAt: Date;

  @Column({ type: 'varchar', length: 16 }) actorKind: string;

  @Column({ type: 'varchar', length: 64, nullable: true }) actorId: string | null;

  @Column({ type: 'uuid', nullable: true }) subjectId: string | null;

  @Column({ type: 'jsonb' }) payload: Record<string, unknown>;
}
