import type { MessageStatusEvent } from '../../../channels/channel-events';
import { preparedQuery } from '../../../platform/db/prepared-query';
import type { EventDispatcher } from '../../../platform/events/event-dispatcher';
import { eventsFromJson, RECORDED_EVENTS_JSON, recordEventsCte } from '../../../platform/events/event-log';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import { InboxEventType, MESSAGE_STATUS_RANK, MessageStatus, messagePayloadSql } from '../../inbox/inbox.module';
import type { ChannelTarget } from '../channels/channel-route-cache';
import type { IngestResult } from './ingest-result';
import { MESSAGE_RETURNING } from './inbound-rows';

/** An ack for a message we do not know yet is worth a redelivery only while its send may still be recording its id. */
const UNKNOWN_ACK_RETRY_WINDOW_MS = 2 * 60_000;

/**
 * An ack moves the message up the ladder only: the UPDATE matches when the current rank is in
 * [$5, $6), so a stale or repeated ack changes nothing. A Cloud status carrying our client id
 * (biz_opaque_callback_data) also attaches the provider id to a send whose answer we never saw.
 */
const STATUS_SQL = `
WITH ev AS (
  INSERT INTO webhook_events (provider, event_id) VALUES ($1::varchar, $2::varchar)
  ON CONFLICT (provider, event_id) DO NOTHING RETURNING 1
), upd AS (
  UPDATE messages SET provider_message_id = $3::varchar, status = $4::varchar,
         failure_reason = CASE WHEN $4::varchar = 'FAILED' THEN $7::text ELSE NULL END, updated_at = now()
   WHERE EXISTS (SELECT 1 FROM ev)
     AND (provider_message_id = $3::varchar OR ($8::varchar IS NOT NULL AND provider_message_id IS NULL AND client_message_id = $8::varchar))
     AND status_rank >= $5::int AND status_rank < $6::int
  RETURNING ${MESSAGE_RETURNING}
), ${recordEventsCte(`(type, actor_kind, actor_id, subject_id, payload)
  SELECT '${InboxEventType.MESSAGE_STATUS_CHANGED}', 'PROVIDER', $1, upd.id, jsonb_build_object('message', ${messagePayloadSql('upd')}) FROM upd`)}
SELECT (SELECT count(*) FROM ev)::int AS fresh, ${RECORDED_EVENTS_JSON} AS events,
       EXISTS (SELECT 1 FROM messages WHERE provider_message_id = $3::varchar
                  OR ($8::varchar IS NOT NULL AND client_message_id = $8::varchar)) AS known,
       upd.*
  FROM (SELECT 1) AS one LEFT JOIN upd ON true`;

/** A delivery status (ack) of a message: sent, delivered, read, failed. */
export class MessageStatusHandler {
  constructor(private readonly deps: { router: TenantRouter; dispatcher: Pick<EventDispatcher, 'dispatch'> }) {}

  async handle(target: ChannelTarget, event: MessageStatusEvent): Promise<IngestResult> {
    const failed = event.status === 'FAILED';
    const rank = MESSAGE_STATUS_RANK[event.status as MessageStatus];
    // FAILED only replaces QUEUED or SENT; any other status replaces a lower rank, FAILED (-1) included.
    const [minRank, maxRank] = failed ? [0, 2] : [-1, rank];
    const reason = event.error ? `${event.error.code}: ${event.error.message}`.slice(0, 1000) : null;
    const { tenantId } = target;
    const stored = await this.deps.router.withTenant(tenantId, async (manager) => {
      const [row] = await preparedQuery(manager, 'ingest_message_status_v2', STATUS_SQL, [
        event.provider,
        event.eventId,
        event.providerMessageId,
        event.status,
        minRank,
        maxRank,
        reason,
        event.clientMessageId ?? null,
      ]);
      if (row.fresh === 0) return 'duplicate';
      if (row.id !== null) return eventsFromJson(tenantId, row.events);
      if (row.known) return 'stored'; // a stale or repeated ack: the message is already further up
      // An ack can overtake the send that is still recording the provider's id: ask for a redelivery.
      if (Date.now() - event.timestamp.getTime() < UNKNOWN_ACK_RETRY_WINDOW_MS) {
        await manager.query('DELETE FROM webhook_events WHERE provider = $1 AND event_id = $2', [event.provider, event.eventId]);
        return 'retry';
      }
      return 'ignored';
    });
    if (typeof stored === 'string') return stored;
    await this.deps.dispatcher.dispatch(tenantId, stored);
    return 'stored';
  }

}
