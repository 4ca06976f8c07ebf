import { Column, Entity, ManyToOne, OneToOne, JoinColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity';
import { DatabaseServer } from './database-server.entity';

export type TenancyMode = 'database' | 'schema';

/** Where one tenant lives. Moving a tenant means changing this row. */
@Entity({ name: 'tenant_placements' })
export class TenantPlacement {
  @PrimaryColumn('uuid') tenantId: string;

  @OneToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn()
  tenant: Tenant;

  @Column({ type: 'varchar', length: 10 }) mode: TenancyMode;

  @ManyToOne(() => DatabaseServer, { onDelete: 'RESTRICT' })
  databaseServer: DatabaseServer;

  @Column('uuid') databaseServerId: string;

  @Column({ type: 'varchar', length: 63, nullable: true }) databaseName: string | null;

  @Column({ type: 'varchar', length: 63, nullable: true }) schemaName: string | null;

  /** Timestamp of the last tenant migration applied; null until provisioned. */
  @Column({ type: 'varchar', length: 32, nullable: true }) schemaVersion: string | null;

  @Column({ type: 'timestamptz', nullable: true }) lastMigratedAt: Date | null;

  @Column({ type: 'text', nullable: true }) lastError: string | null;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
