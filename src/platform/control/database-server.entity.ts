import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

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

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
