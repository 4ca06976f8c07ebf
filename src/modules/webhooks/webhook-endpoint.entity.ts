import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * Where a partner wants the tenant's events: a URL, the event types it takes (`*` all, `message.*`
 * a family) and its signing secret (sealed with the SecretBox; shown once). After a rotation the
 * previous secret also signs until `previousSecretExpiresAt`.
 */
@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpoint {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_webhook_endpoints' }) id: string;

  @Column({ type: 'varchar', length: 2048 }) url: string;

  @Column({ type: 'varchar', length: 500, default: '' }) description: string;

  @Column({ type: 'varchar', length: 100, array: true }) eventTypes: string[];

  @Column({ type: 'text' }) secretSealed: string;

  @Column({ type: 'text', nullable: true }) previousSecretSealed: string | null;

  @Column({ type: 'timestamptz', nullable: true }) previousSecretExpiresAt: Date | null;

  @Column({ type: 'boolean', default: true }) enabled: boolean;

  /** Why it was disabled (by the platform after failing for days, or by hand); null while enabled. */
  @Column({ type: 'varchar', length: 200, nullable: true }) disabledReason: string | null;

  /** The first failure since the last success; null while it works. */
  @Column({ type: 'timestamptz', nullable: true }) failingSince: Date | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
