import type { SessionStatusEvent } from '../../../channels/channel-events';
import { camelizeRow } from '../../../platform/db/raw-rows';
import type { Logger } from '../../../platform/logger';
import type { TenantEventBus } from '../../../platform/realtime/tenant-events';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import type { ChannelTarget } from '../channels/channel-route-cache';
import type { SessionProviders } from '../channels/session-providers';
import type { WhatsappSession } from '../channels/whatsapp-session.entity';
import { whatsappSessionUpdatedEvent } from '../channels/whatsapp-session-events';
import { SESSION_COLUMNS } from '../channels/whatsapp-session.service';
import type { IngestResult } from './ingest-result';
import { publishAll } from './inbound-rows';

const SESSION_SQL = `
WITH ev AS (
  INSERT INTO webhook_events (provider, event_id) VALUES ($1::varchar, $2::varchar)
  ON CONFLICT (provider, event_id) DO NOTHING RETURNING 1
)
UPDATE whatsapp_sessions SET status = $3::varchar,
       qr_code = CASE WHEN $3::varchar = 'SCAN_QR_CODE' THEN COALESCE($4::text, qr_code) ELSE NULL END,
       phone_number = COALESCE($5::varchar, phone_number),
       engine = COALESCE($6::varchar, engine),
       last_error = CASE WHEN $3::varchar = 'FAILED' THEN $7::text WHEN $3::varchar = 'WORKING' THEN NULL ELSE last_error END,
       updated_at = now()
 WHERE id = $8::uuid AND EXISTS (SELECT 1 FROM ev)
RETURNING ${SESSION_COLUMNS}`;

/** A channel's status: QR to scan, working, failed, logged out; with its number and engine. */
export class SessionStatusHandler {
  constructor(private readonly deps: { router: TenantRouter; events: TenantEventBus; providers: SessionProviders; log: Logger }) {}

  async handle(target: ChannelTarget, event: SessionStatusEvent): Promise<IngestResult> {
    const { tenantId, sessionId } = target;
    return this.deps.router.withTenant(tenantId, async (manager) => {
      let qr = event.qr ?? null;
      if (event.status === 'SCAN_QR_CODE' && !qr) {
        // WAHA announces each QR rotation without the QR itself: fetch the current one.
        const handle = await this.deps.providers.get(tenantId, sessionId, manager);
        qr = (await handle.provider.getQrCode().catch(() => null))?.value ?? null;
      }
      const engine = (event.raw as { engine?: unknown } | null)?.engine;
      const [rows]: [Array<Record<string, unknown>>, number] = await manager.query(SESSION_SQL, [
        event.provider,
        event.eventId,
        event.status,
        qr,
        event.me?.phone ?? null,
        typeof engine === 'string' ? engine.slice(0, 50) : null,
        event.status === 'FAILED' ? `${event.providerStatus}` : null,
        sessionId,
      ]);
      if (rows.length === 0) return 'duplicate';
      await publishAll(this.deps.events, [whatsappSessionUpdatedEvent(tenantId, camelizeRow<WhatsappSession>(rows[0]))], this.deps.log);
      return 'stored';
    });
  }

}
