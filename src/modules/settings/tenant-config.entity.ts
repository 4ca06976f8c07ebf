import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Free-form tenant settings by key. Secret values are never returned through the API. */
@Entity({ name: 'tenant_config' })
export class TenantConfig {
  @PrimaryColumn({ type: 'varchar', length: 100 }) key: string;

  @Column({ type: 'jsonb' }) value: unknown;

  @Column({ type: 'boolean', default: false }) isSecret: boolean;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
