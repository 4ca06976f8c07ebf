import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { decodeCreatedAtCursor } from '../../platform/graphql/keyset-pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { CampaignMessage } from './campaign-message.entity';
import { CampaignRecipientStatus, type CampaignRecipient } from './campaign-recipient.entity';
import type { CampaignStatsType } from './campaign.types';

/** The message sequence of many campaigns in one query. */
export const campaignMessagesByCampaignId = (ctx: RequestContext) =>
  ctx.loaders.get<string, CampaignMessage[]>('campaign.messages', (manager, options) =>
    new DataLoader(async (campaignIds) => {
      const rows = await manager.getRepository(CampaignMessage).find({
        where: { campaignId: In([...campaignIds]) },
        order: { campaignId: 'ASC', position: 'ASC' },
      });
      return campaignIds.map((id) => rows.filter((row) => row.campaignId === id));
    }, options),
  );

/** Recipients per status for many campaigns: one GROUP BY over IDX_campaign_recipients_status. */
export const campaignStatsByCampaignId = (ctx: RequestContext) =>
  ctx.loaders.get<string, CampaignStatsType>('campaign.stats', (manager, options) =>
    new DataLoader(async (campaignIds) => {
      const rows: Array<{ campaign_id: string; status: CampaignRecipientStatus; count: number }> = await manager.query(
        `SELECT campaign_id, status, count(*)::int AS count FROM campaign_recipients WHERE campaign_id = ANY($1::uuid[]) GROUP BY campaign_id, status`,
        [[...campaignIds]],
      );
      return campaignIds.map((id) => {
        const stats: CampaignStatsType = { total: 0, pending: 0, queued: 0, sent: 0, delivered: 0, read: 0, replied: 0, failed: 0, skipped: 0 };
        for (const row of rows) {
          if (row.campaign_id !== id) continue;
          stats.total += row.count;
          stats[row.status.toLowerCase() as Exclude<keyof CampaignStatsType, 'total'>] += row.count;
        }
        return stats;
      });
    }, options),
  );

export interface RecipientRow extends CampaignRecipient {
  /** created_at as Postgres text, for the cursor. */
  cursorCreatedAt: string;
}

/**
 * One page of recipients for each of many campaigns in one query, newest
 * first by (created_at, id). One loader per distinct (status, first, after), as those shape the query.
 */
export const campaignRecipientPages = (ctx: RequestContext, page: { first: number; after?: string; status?: CampaignRecipientStatus }) => {
  const after = page.after ? decodeCreatedAtCursor(page.after) : null;
  return ctx.loaders.get<string, RecipientRow[]>(
    `campaign.recipients:${page.status ?? '*'}:${page.first}:${page.after ?? ''}`,
    (manager, options) =>
      new DataLoader(async (campaignIds) => {
        const params: unknown[] = [[...campaignIds], page.first + 1];
        const conditions = ['true'];
        if (page.status) conditions.push(`r.status = $${params.push(page.status)}`);
        if (after) conditions.push(`(r.created_at, r.id) < ($${params.push(after.createdAt)}::timestamptz, $${params.push(after.id)}::uuid)`);
        // A LIMIT per campaign (LATERAL), so a big audience is never numbered in full.
        const rows: Array<Record<string, any>> = await manager.query(
          `SELECT page.* FROM unnest($1::uuid[]) AS campaign(id)
           CROSS JOIN LATERAL (
             SELECT r.id, r.campaign_id, r.contact_id, r.status, r.message_id, r.error, r.created_at, r.updated_at,
                    r.created_at::text AS cursor_created_at
               FROM campaign_recipients r
              WHERE r.campaign_id = campaign.id AND ${conditions.join(' AND ')}
              ORDER BY r.created_at DESC, r.id DESC
              LIMIT $2
           ) page`,
          params,
        );
        const byCampaign = new Map<string, RecipientRow[]>();
        for (const row of rows) {
          const recipient = {
            id: row.id,
            campaignId: row.campaign_id,
            contactId: row.contact_id,
            status: row.status,
            messageId: row.message_id,
            error: row.error,
            createdAt: row.created_at,
            updatedAt: row.updated_at,
            cursorCreatedAt: row.cursor_created_at,
          } as RecipientRow;
          byCampaign.set(recipient.campaignId, [...(byCampaign.get(recipient.campaignId) ?? []), recipient]);
        }
        return campaignIds.map((id) => byCampaign.get(id) ?? []);
      }, options),
  );
};
