import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

export enum WhatsappProvider {
  WAHA = 'WAHA',
  CLOUD = 'CLOUD',
  SANDBOX = 'SANDBOX',
}

/** WAHA's session states; Cloud and sandbox channels map onto the same set. */
export enum WhatsappSessionStatus {
  STARTING = 'STARTING',
  SCAN_QR_CODE = 'SCAN_QR_CODE',
  WORKING = 'WORKING',
  FAILED = 'FAILED',
  STOPPED = 'STOPPED',
}

/** A WhatsApp channel: one WAHA session or one Cloud API phone number. */
@Entity({ name: 'whatsapp_sessions' })
@Unique('UQ_whatsapp_sessions_external_session_id', ['externalSessionId'])
export class WhatsappSession {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 20 }) provider: WhatsappProvider;

  @Column({ type: 'varchar', length: 100 }) name: string;

  /** WAHA session name or Cloud API phone_number_id; the control DB's channel route points here. */
  @Column({ type: 'varchar', length: 255 }) externalSessionId: string;

  @Column({ type: 'varchar', length: 20, default: WhatsappSessionStatus.STOPPED }) status: WhatsappSessionStatus;

  /** WAHA engine (WEBJS, NOWEB, GOWS); null for Cloud. */
  @Column({ type: 'varchar', length: 50, nullable: true }) engine: string | null;

  /** Latest QR while status is SCAN_QR_CODE; it rotates, so it is overwritten. */
  @Column({ type: 'text', nullable: true }) qrCode: string | null;

  /** E.164 digits of the connected number, once known. */
  @Column({ type: 'varchar', length: 15, nullable: true }) phoneNumber: string | null;

  @Column({ type: 'text', nullable: true }) lastError: string | null;

  /** Provider secrets (API key, access token, webhook HMAC key), encrypted by the app. Write-only. */
  @Column({ type: 'text', nullable: true, select: false }) credentialsEncrypted: string | null;

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
