import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { RecordedEventColumns } from '../events/domain-event.entity';

/**
 * Domain events of changes made in the control database (members, API keys): recorded in the
 * change's transaction here, then moved into the tenant's own event log (same id, so a move
 * repeated after a crash adds nothing) and dispatched from there like every other event.
 */
@Entity({ name: 'tenant_event_outbox' })
@Index('IDX_tenant_event_outbox_tenant', ['tenantId'])
export class TenantEventOutboxRow extends RecordedEventColumns {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()', primaryKeyConstraintName: 'PK_tenant_event_outbox' }) id: string;

  @Column({ type: 'uuid' }) tenantId: string;
}
