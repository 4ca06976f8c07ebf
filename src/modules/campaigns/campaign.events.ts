import type { DomainEventDraft } from '../../platform/events/domain-event';
import { snapshotOf } from '../../platform/events/event-payload';
import type { Campaign } from './campaign.entity';

export const CampaignEventType = {
  CREATED: 'campaign.created',
  UPDATED: 'campaign.updated',
  RECIPIENTS_SET: 'campaign.recipients_set',
  SCHEDULED: 'campaign.scheduled',
  STARTED: 'campaign.started',
  PAUSED: 'campaign.paused',
  RESUMED: 'campaign.resumed',
  COMPLETED: 'campaign.completed',
  CANCELLED: 'campaign.cancelled',
  DELETED: 'campaign.deleted',
} as const;
export type CampaignEventTypeName = (typeof CampaignEventType)[keyof typeof CampaignEventType];

const CAMPAIGN_FIELDS = [
  'id', 'name', 'status', 'sessionId', 'scheduledAt', 'startedAt', 'completedAt', 'createdByUserId', 'recipientsTotal', 'messagesPerMinute',
  'pausedReason', 'createdAt', 'updatedAt',
] as const satisfies ReadonlyArray<keyof Campaign>;

/** Payload v1: `{ campaign }` after the change. */
export function campaignEvent(type: CampaignEventTypeName, campaign: Pick<Campaign, (typeof CAMPAIGN_FIELDS)[number]>): DomainEventDraft {
  return { type, subjectId: campaign.id, payload: { campaign: snapshotOf(campaign, CAMPAIGN_FIELDS) } };
}
