import type { SessionStatus } from '../channel-events';

const WAHA_SESSION_STATUS: Readonly<Record<string, SessionStatus>> = {
  STOPPED: 'STOPPED',
  STARTING: 'STARTING',
  SCAN_QR_CODE: 'SCAN_QR_CODE',
  // Passkey pairing is another way of waiting for the user to link the device.
  PASSKEY_REQUIRED: 'SCAN_QR_CODE',
  PASSKEY_CONFIRMATION_REQUIRED: 'SCAN_QR_CODE',
  WORKING: 'WORKING',
  FAILED: 'FAILED',
};

/** WAHA's session status word → ours; undefined for words WAHA may add later. */
export function mapWahaSessionStatus(status: string): SessionStatus | undefined {
  return WAHA_SESSION_STATUS[status];
}
