import type { ReactionEvent } from '../../../channels/channel-events';
import { preparedQuery } from '../../../platform/db/prepared-query';
import type { Logger } from '../../../platform/logger';
import type { TenantEventBus } from '../../../platform/realtime/tenant-events';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import { messageUpdatedEvent } from '../../inbox/inbox.module';
import type { ChannelTarget } from '../channels/channel-route-cache';
import type { IngestResult } from './ingest-result';
import { messageFromRow, MESSAGE_RETURNING, publishAll } from './inbound-rows';

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
  RETURNING 1
)
SELECT target.*, (SELECT count(*) FROM upsert)::int AS fresh FROM target`;

/** A reaction (an emoji on a message) by the customer or on the linked phone. */
export class ReactionHandler {
  constructor(private readonly deps: { router: TenantRouter; events: TenantEventBus; log: Logger }) {}

  async handle(target: ChannelTarget, event: ReactionEvent): Promise<IngestResult> {
    const { tenantId } = target;
    return this.deps.router.withTenant(tenantId, async (manager) => {
      const [row] = await preparedQuery(manager, 'ingest_reaction_v1', REACTION_SQL, [
        event.targetProviderMessageId,
        event.fromId.slice(0, 255),
        event.direction,
        event.emoji.slice(0, 32),
        event.timestamp,
      ]);
      if (!row) return 'ignored';
      if (row.fresh === 0) return 'duplicate';
      await publishAll(this.deps.events, [messageUpdatedEvent(tenantId, messageFromRow(row))], this.deps.log);
      return 'stored';
    });
  }

}
