import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from './tenant.entity';
import { TenantRole } from './membership.entity';
import { ApiKeyScope } from '../auth/api-key-scopes';

/** A partner's key, scoped to one tenant. Only a SHA-256 of the key is stored. */
@Entity({ name: 'api_keys' })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid') id: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' }) tenant: Tenant;

  @Index() @Column('uuid') tenantId: string;

  @Column({ type: 'varchar', length: 100 }) name: string;

  @Column({ type: 'varchar', length: 64, unique: true }) keyHash: string;

  @Column({ type: 'varchar', length: 20, default: TenantRole.AGENT }) role: TenantRole;

  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;

  /** After this the key no longer works; null: until revoked. */
  @Column({ type: 'timestamptz', nullable: true }) expiresAt: Date | null;

  /** What the key may touch besides its role (see ApiKeyScope). */
  @Column({ type: 'varchar', length: 20, array: true, default: () => `'{ADMIN}'` }) scopes: ApiKeyScope[];

  /** When a request last authenticated with it (updated at most once a minute). */
  @Column({ type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
