import type { DomainEvent, DomainEventConsumer } from '../../platform/events/domain-event';
import type { Logger } from '../../platform/logger';
import type { TenantEventBus } from '../../platform/realtime/tenant-events';
import { outsideLeaseScope, type TenantRouter } from '../../platform/tenancy/tenant-router';
import { InboxEventType, rowFromEvent } from '../inbox/inbox.module';
import type { TenantEvent } from '../../platform/realtime/tenant-events';
import type { CampaignType } from './campaign.types';

export const CAMPAIGN_UPDATED = 'campaignUpdated' as const;

const CAMPAIGN_FIELDS = [
  'id', 'name', 'status', 'sessionId', 'scheduledAt', 'startedAt', 'completedAt', 'createdByUserId', 'recipientsTotal', 'messagesPerMinute',
  'pausedReason', 'createdAt', 'updatedAt',
] as const;
const CAMPAIGN_DATES = ['scheduledAt', 'startedAt', 'completedAt', 'createdAt', 'updatedAt'] as const;

export const campaignFromEvent = (event: TenantEvent) => rowFromEvent<CampaignType>(event, CAMPAIGN_FIELDS, CAMPAIGN_DATES);

/** Message status → recipient status; the recipient moves only up this ladder (FAILED only before delivery). */
const RECIPIENT_STATUS_OF: Record<string, string> = { SENT: 'SENT', DELIVERED: 'DELIVERED', READ: 'READ', PLAYED: 'READ', FAILED: 'FAILED' };
const LADDER = `ARRAY['PENDING','QUEUED','SENT','DELIVERED','READ','REPLIED']::text[]`;
/** Progress pushes of one campaign are at least this far apart. */
const PROGRESS_PUSH_MS = 300;
/** A reply counts for the campaigns that reached the customer this recently. */
const REPLY_WINDOW = `interval '7 days'`;

/**
 * Campaign progress from the event log: a campaign message's acks move its recipient (SENT,
 * DELIVERED, READ, FAILED), a customer's message marks their recent campaign recipients REPLIED,
 * and each campaign touched (or whose own event this is) is pushed to the `campaignUpdated`
 * subscribers once per batch of events. Idempotent: a recipient only moves forward.
 */
export function campaignProgressConsumer(deps: { router: TenantRouter; bus: TenantEventBus; log: Logger }): DomainEventConsumer & { stop(): void } {
  // Bounded by the campaigns with acks in the last PROGRESS_PUSH_MS; each entry goes when it fires.
  const scheduled = new Map<string, NodeJS.Timeout>();
  return {
    stop: () => {
      for (const timer of scheduled.values()) clearTimeout(timer);
      scheduled.clear();
    },
    name: 'campaign-progress',
    handle: async (events: readonly DomainEvent[]) => {
      if (events.length === 0) return;
      const tenantId = events[0].tenantId;
      const acks = new Map<string, { status: string; reason: string | null }>();
      const replies: Array<{ contactId: string; sessionId: string | null }> = [];
      const own = new Map<string, Record<string, unknown>>();
      for (const event of events) {
        if (event.type.startsWith('campaign.') && event.payload.campaign) {
          const campaign = event.payload.campaign as Record<string, unknown>;
          own.set(String(campaign.id), campaign);
        } else if (event.type === InboxEventType.MESSAGE_STATUS_CHANGED) {
          const message = event.payload.message as { id: string; direction: string; status: string; failureReason: string | null } | undefined;
          const status = message && RECIPIENT_STATUS_OF[message.status];
          if (message && status && message.direction === 'OUTBOUND') acks.set(message.id, { status, reason: message.failureReason });
        } else if (event.type === InboxEventType.MESSAGE_RECEIVED) {
          const conversation = event.payload.conversation as { contactId: string; sessionId: string | null } | undefined;
          if (conversation?.contactId) replies.push({ contactId: conversation.contactId, sessionId: conversation.sessionId });
        }
      }
      const touched = new Set<string>();
      if (acks.size > 0 || replies.length > 0) {
        await deps.router.withTenant(tenantId, async (manager) => {
          if (acks.size > 0) {
            const [rows]: [Array<{ campaign_id: string }>, number] = await manager.query(
              `UPDATE campaign_recipients r SET status = u.status, error = CASE WHEN u.status = 'FAILED' THEN u.reason ELSE r.error END, updated_at = now()
                 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(message_id, status, reason)
                WHERE r.message_id = u.message_id AND (
                  (u.status = 'FAILED' AND r.status IN ('QUEUED', 'SENT'))
                  OR (u.status <> 'FAILED' AND r.status <> 'FAILED' AND array_position(${LADDER}, r.status) < array_position(${LADDER}, u.status)))
                RETURNING r.campaign_id`,
              [[...acks.keys()], [...acks.values()].map((ack) => ack.status), [...acks.values()].map((ack) => ack.reason)],
            );
            for (const row of rows) touched.add(row.campaign_id);
          }
          if (replies.length > 0) {
            const [rows]: [Array<{ campaign_id: string }>, number] = await manager.query(
              `UPDATE campaign_recipients r SET status = 'REPLIED', updated_at = now()
                 FROM campaigns c, unnest($1::uuid[], $2::uuid[]) AS u(contact_id, session_id)
                WHERE c.id = r.campaign_id AND r.contact_id = u.contact_id AND c.session_id IS NOT DISTINCT FROM u.session_id
                  AND r.status IN ('QUEUED', 'SENT', 'DELIVERED', 'READ') AND r.sent_at > now() - ${REPLY_WINDOW}
                RETURNING r.campaign_id`,
              [replies.map((reply) => reply.contactId), replies.map((reply) => reply.sessionId)],
            );
            for (const row of rows) touched.add(row.campaign_id);
          }
        });
      }
      // Progress from acks is pushed at most every PROGRESS_PUSH_MS per campaign (a trailing push
      // carries the latest stats); the campaign's own events are pushed at once.
      for (const campaignId of touched) {
        const key = `${tenantId}:${campaignId}`;
        if (own.has(campaignId) || scheduled.has(key)) continue;
        scheduled.set(
          key,
          outsideLeaseScope(() =>
            setTimeout(() => {
              scheduled.delete(key);
              void pushCampaigns(deps, tenantId, [campaignId]).catch((error) => deps.log.warn({ err: error, tenantId, campaignId }, 'could not push campaign progress'));
            }, PROGRESS_PUSH_MS).unref(),
          ),
        );
      }
      for (const campaign of own.values()) await deps.bus.publish({ tenantId, type: CAMPAIGN_UPDATED, payload: campaign });
    },
  };
}

/** Re-reads campaigns and pushes them to the `campaignUpdated` subscribers (the stats field resolver counts afresh). */
async function pushCampaigns(deps: { router: TenantRouter; bus: TenantEventBus }, tenantId: string, ids: string[]): Promise<void> {
  const rows: Array<Record<string, unknown>> = await deps.router.withTenant(tenantId, (manager) =>
    manager.query(
      `SELECT id, name, status, session_id AS "sessionId", scheduled_at AS "scheduledAt", started_at AS "startedAt", completed_at AS "completedAt",
              created_by_user_id AS "createdByUserId", recipients_total AS "recipientsTotal", messages_per_minute AS "messagesPerMinute",
              paused_reason AS "pausedReason", created_at AS "createdAt", updated_at AS "updatedAt"
         FROM campaigns WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL`,
      [ids],
    ),
  );
  for (const row of rows) {
    for (const field of CAMPAIGN_DATES) if (row[field] instanceof Date) row[field] = (row[field] as Date).toISOString();
    await deps.bus.publish({ tenantId, type: CAMPAIGN_UPDATED, payload: row });
  }
}
