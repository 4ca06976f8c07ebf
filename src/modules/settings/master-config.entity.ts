import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The tenant's business profile: exactly one row (id = 1), inserted by the initial migration. */
@Entity({ name: 'master_config' })
@Check('CHK_master_config_single_row', `"id" = 1`)
@Check('CHK_master_config_currency', `"currency" ~ '^[A-Z]{3}$'`)
@Check('CHK_master_config_default_country', `"default_country" ~ '^[A-Z]{2}$'`)
export class MasterConfig {
  @PrimaryColumn({ type: 'smallint', default: 1 }) id: number;

  @Column({ type: 'varchar', length: 200, default: '' }) businessName: string;

  /** IANA name. */
  @Column({ type: 'varchar', length: 64, default: 'UTC' }) timezone: string;

  @Column({ type: 'char', length: 3, default: 'USD' }) currency: string;

  /** BCP 47, e.g. 'en' or 'pt-BR'. */
  @Column({ type: 'varchar', length: 35, default: 'en' }) locale: string;

  /** ISO 3166-1 alpha-2: phone numbers typed without a country code are read as this country's. */
  @Column({ type: 'char', length: 2, nullable: true }) defaultCountry: string | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
