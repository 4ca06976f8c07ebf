import type { SessionStatusEvent } from '../../../channels/channel-events';
import type { EventDispatcher } from '../../../platform/events/event-dispatcher';
import { eventsFromJson, RECORDED_EVENTS_JSON, recordEventsCte } from '../../../platform/events/event-log';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import type { ChannelTarget } from '../channels/channel-route-cache';
import type { SessionProviders } from '../channels/session-providers';
import { sessionPayloadSql, WHATSAPP_SESSION_STATUS_CHANGED } from '../channels/whatsapp-session-events';
import { SESSION_COLUMNS } from '../channels/whatsapp-session.service';
import type { IngestResult } from './ingest-result';

const SESSION_SQL = `
WITH ev AS (
  INSERT INTO webhook_events (provider, event_id) VALUES ($1::varchar, $2::varchar)
  ON CONFLICT (provider, event_id) DO NOTHING RETURNING 1
), upd AS (
UPDATE whatsapp_sessions SET status = $3::varchar,
       qr_code = CASE WHEN $3::varchar = 'SCAN_QR_CODE' THEN COALESCE($4::text, qr_code) ELSE NULL END,
       phone_number = COALESCE($5::varchar, phone_number),
       engine = COALESCE($6::varchar, engine),
       last_error = CASE WHEN $3::varchar = 'FAILED' THEN $7::text WHEN $3::varchar = 'WORKING' THEN NULL ELSE last_error END,
       updated_at = now()
 WHERE id = $8::uuid AND EXISTS (SELECT 1 FROM ev)
RETURNING ${SESSION_COLUMNS}
), ${recordEventsCte(`(type, actor_kind, actor_id, subject_id, payload)
  SELECT '${WHATSAPP_SESSION_STATUS_CHANGED}', 'PROVIDER', $1, upd.id, jsonb_build_object('session', ${sessionPayloadSql('upd')}) FROM upd`)}
SELECT ${RECORDED_EVENTS_JSON} AS events FROM upd`;

/** A channel's status: QR to scan, working, failed, logged out; with its number and engine. */
export class SessionStatusHandler {
  constructor(private readonly deps: { router: TenantRouter; dispatcher: Pick<EventDispatcher, 'dispatch'>; providers: SessionProviders }) {}

  async handle(target: ChannelTarget, event: SessionStatusEvent): Promise<IngestResult> {
    const { tenantId, sessionId } = target;
    const rows = await this.deps.router.withTenant(tenantId, async (manager) => {
      let qr = event.qr ?? null;
      if (event.status === 'SCAN_QR_CODE' && !qr) {
        // WAHA announces each QR rotation without the QR itself: fetch the current one.
        const handle = await this.deps.providers.get(tenantId, sessionId, manager);
        qr = (await handle.provider.getQrCode().catch(() => null))?.value ?? null;
      }
      const engine = (event.raw as { engine?: unknown } | null)?.engine;
      const updated: Array<{ events: unknown }> = await manager.query(SESSION_SQL, [
        event.provider,
        event.eventId,
        event.status,
        qr,
        event.me?.phone ?? null,
        typeof engine === 'string' ? engine.slice(0, 50) : null,
        event.status === 'FAILED' ? `${event.providerStatus}` : null,
        sessionId,
      ]);
      return updated;
    });
    if (rows.length === 0) return 'duplicate';
    await this.deps.dispatcher.dispatch(tenantId, eventsFromJson(tenantId, rows[0].events));
    return 'stored';
  }

}
