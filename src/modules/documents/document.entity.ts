import { Check, Column, CreateDateColumn, DeleteDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintAsNumber } from '../../platform/db/bigint-transformer';

export enum DocumentSource {
  UPLOAD = 'UPLOAD',
  INBOUND_MEDIA = 'INBOUND_MEDIA',
  CAMPAIGN = 'CAMPAIGN',
}


/** A file we store: an upload, or media copied from a provider at ingest. */
@Entity({ name: 'documents' })
@Check('CHK_documents_sha256_hex', `"sha256" ~ '^[0-9a-f]{64}$'`)
@Check('CHK_documents_size_bytes', `"size_bytes" >= 0`)
export class Document {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 255 }) filename: string;

  @Column({ type: 'varchar', length: 255 }) contentType: string;

  /** bigint in the database, a number in TypeScript (transformer). */
  @Column({ type: 'bigint', transformer: bigintAsNumber }) sizeBytes: number;

  /** Lowercase hex; indexed to find an already-stored copy of the same content. */
  @Index('IDX_documents_sha256') @Column({ type: 'char', length: 64 }) sha256: string;

  /** Path under our storage root; never a URL of the provider. */
  @Column({ type: 'varchar', length: 512 }) storageKey: string;

  @Column({ type: 'varchar', length: 20, default: DocumentSource.UPLOAD }) source: DocumentSource;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;

  @DeleteDateColumn({ type: 'timestamptz' }) deletedAt: Date | null;
}
