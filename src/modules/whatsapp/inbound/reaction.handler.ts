import type { ReactionEvent } from '../../../channels/channel-events';
import { preparedQuery } from '../../../platform/db/prepared-query';
import type { EventDispatcher } from '../../../platform/events/event-dispatcher';
import { eventsFromJson, RECORDED_EVENTS_JSON, recordEventsCte } from '../../../platform/events/event-log';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import { InboxEventType, messagePayloadSql } from '../../inbox/inbox.module';
import type { ChannelTarget } from '../channels/channel-route-cache';
import type { IngestResult } from './ingest-result';
import { MESSAGE_RETURNING } from './inbound-rows';

/**
 * A reaction lands on the message it names, one per (message, reactor): a newer one replaces an
 * older one, and a repeated or older delivery changes nothing (`fresh` 0). No row: the message
 * is not ours to show (a group's, or older than our history).
 */
const REACTION_SQL = `
WITH target AS (
  SELECT ${MESSAGE_RETURNING} FROM messages WHERE provider_message_id = $1::varchar
), upsert AS (
  INSERT INTO message_reactions (message_id, reactor, direction, emoji, reacted_at)
  SELECT id, $2::varchar, $3::varchar, $4::varchar, $5::timestamptz FROM target
  ON CONFLICT (message_id, reactor) DO UPDATE
    SET emoji = EXCLUDED.emoji, direction = EXCLUDED.direction, reacted_at = EXCLUDED.reacted_at, updated_at = now()
    WHERE message_reactions.reacted_at < EXCLUDED.reacted_at
  RETURNING reactor, direction, emoji
), ${recordEventsCte(`(type, actor_kind, actor_id, subject_id, payload)
  SELECT '${InboxEventType.MESSAGE_REACTION_CHANGED}', 'PROVIDER', $6, target.id,
         jsonb_build_object('message', ${messagePayloadSql('target')},
                            'reaction', jsonb_build_object('reactor', upsert.reactor, 'direction', upsert.direction, 'emoji', upsert.emoji))
    FROM target, upsert`)}
SELECT target.*, (SELECT count(*) FROM upsert)::int AS fresh, ${RECORDED_EVENTS_JSON} AS events FROM target`;

/** A reaction (an emoji on a message) by the customer or on the linked phone. */
export class ReactionHandler {
  constructor(private readonly deps: { router: TenantRouter; dispatcher: Pick<EventDispatcher, 'dispatch'> }) {}

  async handle(target: ChannelTarget, event: ReactionEvent): Promise<IngestResult> {
    const { tenantId } = target;
    const row = await this.deps.router.withTenant(tenantId, async (manager) => {
      const [found] = await preparedQuery(manager, 'ingest_reaction_v2', REACTION_SQL, [
        event.targetProviderMessageId,
        event.fromId.slice(0, 255),
        event.direction,
        event.emoji.slice(0, 32),
        event.timestamp,
        event.provider,
      ]);
      return found;
    });
    if (!row) return 'ignored';
    if (row.fresh === 0) return 'duplicate';
    await this.deps.dispatcher.dispatch(tenantId, eventsFromJson(tenantId, row.events));
    return 'stored';
  }

}
