import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

/**
 * provider + external key (WAHA session name, Cloud API phone_number_id) → tenant.
 * A webhook finds its tenant with one indexed lookup, never by scanning tenant databases.
 */
@Entity({ name: 'channel_routes' })
@Index(['provider', 'externalKey'], { unique: true })
export class ChannelRoute {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 20 }) provider: string;

  @Column({ type: 'varchar', length: 255 }) externalKey: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' }) tenant: Tenant;

  @Index() @Column('uuid') tenantId: string;

  /** The whatsapp session row inside the tenant's database. */
  @Column('uuid') sessionId: string;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
