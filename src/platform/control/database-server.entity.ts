import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type DatabaseServerStatus = 'active' | 'draining';

/**
 * A Postgres server tenants may be placed on. Credentials are a reference, never stored here:
 * `control` reuses the control database's URL; `env:NAME` reads a URL from that variable.
 */
@Entity({ name: 'database_servers' })
export class DatabaseServer {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 100, unique: true }) name: string;

  @Column({ type: 'varchar', length: 255 }) host: string;

  @Column({ type: 'int' }) port: number;

  @Column({ type: 'varchar', length: 255 }) credentialsRef: string;

  /** How many tenants may be placed here. */
  @Column({ type: 'int', default: 5000 }) capacity: number;

  @Column({ type: 'boolean', default: false }) isDefault: boolean;

  /** `active`: new tenants may be placed here; `draining`: it keeps its tenants but gets no new ones. */
  @Column({ type: 'varchar', length: 10, default: 'active' }) status: DatabaseServerStatus;

  /**
   * A connection pooler in front of this server (PgBouncer in transaction pooling), same
   * credentials: tenant requests go through it; migrations, provisioning and moves never do.
   * Null host with a port: the server's own host.
   */
  @Column({ type: 'varchar', length: 255, nullable: true }) poolerHost: string | null;

  @Column({ type: 'int', nullable: true }) poolerPort: number | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
