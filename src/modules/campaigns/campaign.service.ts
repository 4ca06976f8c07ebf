import { campaignEvent, CampaignEventType, type CampaignEventTypeName } from './campaign.events';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { AppError, ErrorCode, invalidField, notFound, validationFailed } from '../../platform/errors';
import { containsPattern } from '../../platform/db/like-pattern';
import { pageByCreatedAt } from '../../platform/graphql/keyset-pagination';
import { withDbErrors } from '../../platform/db/pg-errors';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Document } from '../documents/documents.module';
import { WhatsappSession } from '../whatsapp/whatsapp.module';
import { requireReference } from '../../platform/db/require-reference';
import { CampaignMessage } from './campaign-message.entity';
import { Campaign, CampaignStatus } from './campaign.entity';
import { campaignMessagesByCampaignId, campaignStatsByCampaignId } from './campaign.loaders';
import type { CampaignFilter, CampaignMessageInput, CreateCampaignInput, SetCampaignRecipientsInput, UpdateCampaignInput } from './campaign.types';

/** Content, audience and schedule can change only before sending starts. */
const EDITABLE: readonly CampaignStatus[] = [CampaignStatus.DRAFT, CampaignStatus.SCHEDULED];
const CANCELLABLE: readonly CampaignStatus[] = [CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING];
const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600 * 1000;

/**
 * Campaign definitions: content, audience, schedule. Sending (SCHEDULED → SENDING → COMPLETED)
 * belongs to the sender. Every change locks the campaign row, so it serialises with the sender
 * picking the campaign up.
 */
export class CampaignService {
  async list(ctx: RequestContext, args: ConnectionArgs, filterOrNull: CampaignFilter | null = {}): Promise<Connection<Campaign>> {
    const filter = filterOrNull ?? {}; // an explicit null filter means none
    const manager = await ctx.tenant().manager();
    const query = manager.getRepository(Campaign).createQueryBuilder('campaign');
    if (filter.status) query.andWhere('campaign.status = :status', { status: filter.status });
    if (filter.search?.trim()) query.andWhere('campaign.name ILIKE :search', { search: containsPattern(filter.search.trim()) });
    return pageByCreatedAt(query, args);
  }

  async get(ctx: RequestContext, id: string): Promise<Campaign | null> {
    if (!isUUID(id)) return null;
    return (await ctx.tenant().manager()).getRepository(Campaign).findOneBy({ id });
  }

  async create(ctx: RequestContext, input: CreateCampaignInput): Promise<Campaign> {
    const identity = ctx.identity;
    return withDbErrors(() =>
      ctx.tenant().transaction(async ({ manager: tx, record }) => {
        if (input.sessionId) await requireReference(tx, WhatsappSession, input.sessionId, 'sessionId', 'WhatsApp session');
        await checkMessages(tx, input.messages);
        const inserted = await tx.getRepository(Campaign).insert({
          name: input.name.trim(),
          status: CampaignStatus.DRAFT,
          sessionId: input.sessionId ?? null,
          createdByUserId: identity?.kind === 'user' ? identity.userId : null,
        });
        const id: string = inserted.identifiers[0].id;
        await replaceMessages(tx, id, input.messages);
        const campaign = await tx.getRepository(Campaign).findOneByOrFail({ id });
        record(campaignEvent(CampaignEventType.CREATED, campaign));
        return campaign;
      }),
    );
  }

  async update(ctx: RequestContext, id: string, input: UpdateCampaignInput): Promise<Campaign> {
    const campaign = await this.editable(ctx, id, CampaignEventType.UPDATED, async (tx, campaign) => {
      const changes: Partial<Pick<Campaign, 'name' | 'sessionId'>> = {};
      if (input.name !== undefined) changes.name = input.name.trim();
      if (input.sessionId !== undefined) {
        if (input.sessionId) await requireReference(tx, WhatsappSession, input.sessionId, 'sessionId', 'WhatsApp session');
        changes.sessionId = input.sessionId;
      }
      if (input.messages) {
        await checkMessages(tx, input.messages);
        await replaceMessages(tx, campaign.id, input.messages);
      }
      // Always touched, so updatedAt says the campaign changed even when only its messages did.
      await tx.getRepository(Campaign).update({ id: campaign.id }, { ...changes, updatedAt: () => 'now()' });
    });
    if (input.messages) (await campaignMessagesByCampaignId(ctx)).clear(campaign.id);
    return campaign;
  }

  /** Soft delete. A SENDING campaign must be cancelled first; a SCHEDULED one is cancelled with it. */
  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    await ctx.tenant().transaction(async ({ manager: tx, record }) => {
      const campaign = await lockCampaign(tx, id);
      if (campaign.status === CampaignStatus.SENDING) {
        throw new AppError(ErrorCode.CONFLICT, 'The campaign is sending: cancel it before deleting it', { status: campaign.status });
      }
      if (campaign.status === CampaignStatus.SCHEDULED) await tx.getRepository(Campaign).update({ id }, { status: CampaignStatus.CANCELLED });
      await tx.getRepository(Campaign).softDelete({ id });
      record(campaignEvent(CampaignEventType.DELETED, await tx.getRepository(Campaign).findOneOrFail({ where: { id }, withDeleted: true })));
    });
    return true;
  }

  /**
   * Sets the audience to the distinct live, not opted-out contacts among `contactIds`, the members
   * of `groupIds` and the contacts labelled with `labelIds`. Idempotent: existing recipients stay
   * (unique campaign_id, contact_id), those no longer in the audience go. Unknown ids are refused.
   */
  async setRecipients(ctx: RequestContext, campaignId: string, input: SetCampaignRecipientsInput): Promise<Campaign> {
    const unique = (ids: string[]) => [...new Set(ids)];
    const contactIds = unique(input.contactIds);
    const groupIds = unique(input.groupIds);
    const labelIds = unique(input.labelIds);
    const campaign = await this.editable(ctx, campaignId, CampaignEventType.RECIPIENTS_SET, async (tx, campaign) => {
      await checkAllExist(tx, 'contacts', contactIds, 'contactIds', 'contacts');
      await checkAllExist(tx, 'contact_groups', groupIds, 'groupIds', 'groups', 'deleted_at IS NULL');
      await checkAllExist(tx, 'labels', labelIds, 'labelIds', 'labels');
      const [{ total }]: Array<{ total: number }> = await tx.query(
        `WITH chosen AS (
           SELECT unnest($2::uuid[]) AS contact_id
           UNION SELECT m.contact_id FROM contact_group_members m
                   JOIN contact_groups g ON g.id = m.group_id AND g.deleted_at IS NULL
                  WHERE m.group_id = ANY($3::uuid[])
           UNION SELECT l.contact_id FROM contact_labels l WHERE l.label_id = ANY($4::uuid[])
         ), audience AS (
           SELECT c.id FROM contacts c JOIN chosen ON chosen.contact_id = c.id
            WHERE c.deleted_at IS NULL AND NOT c.opted_out
         ), removed AS (
           DELETE FROM campaign_recipients r
            WHERE r.campaign_id = $1 AND NOT EXISTS (SELECT 1 FROM audience a WHERE a.id = r.contact_id)
         ), added AS (
           INSERT INTO campaign_recipients (campaign_id, contact_id)
           SELECT $1, a.id FROM audience a
           ON CONFLICT (campaign_id, contact_id) DO NOTHING
         )
         SELECT count(*)::int AS total FROM audience`,
        [campaign.id, contactIds, groupIds, labelIds],
      );
      await tx.getRepository(Campaign).update({ id: campaign.id }, { recipientsTotal: total });
    });
    (await campaignStatsByCampaignId(ctx)).clear(campaign.id);
    return campaign;
  }

  async schedule(ctx: RequestContext, id: string, scheduledAt: Date): Promise<Campaign> {
    const now = Date.now();
    if (!(scheduledAt.getTime() > now)) throw invalidField('scheduledAt', 'scheduledAt must be in the future');
    if (scheduledAt.getTime() > now + MAX_SCHEDULE_AHEAD_MS) throw invalidField('scheduledAt', 'scheduledAt must be within a year');
    return this.editable(ctx, id, CampaignEventType.SCHEDULED, async (tx, campaign) => {
      if ((await tx.getRepository(CampaignMessage).countBy({ campaignId: campaign.id })) === 0) {
        throw new AppError(ErrorCode.CONFLICT, 'Add at least one message before scheduling');
      }
      const [{ count }]: Array<{ count: number }> = await tx.query(
        'SELECT count(*)::int AS count FROM campaign_recipients WHERE campaign_id = $1',
        [campaign.id],
      );
      if (count === 0) throw new AppError(ErrorCode.CONFLICT, 'Set the recipients before scheduling');
      await tx.getRepository(Campaign).update({ id: campaign.id }, { status: CampaignStatus.SCHEDULED, scheduledAt });
    });
  }

  async cancel(ctx: RequestContext, id: string): Promise<Campaign> {
    return ctx.tenant().transaction(async ({ manager: tx, record }) => {
      const campaign = await lockCampaign(tx, id);
      if (!CANCELLABLE.includes(campaign.status)) {
        throw new AppError(ErrorCode.CONFLICT, `A ${campaign.status} campaign cannot be cancelled`, { status: campaign.status });
      }
      await tx.getRepository(Campaign).update({ id }, { status: CampaignStatus.CANCELLED });
      const cancelled = await tx.getRepository(Campaign).findOneByOrFail({ id });
      record(campaignEvent(CampaignEventType.CANCELLED, cancelled));
      return cancelled;
    });
  }

  /** Runs `change` on the locked campaign if it is still editable, then reads it back and records `event`. */
  private async editable(
    ctx: RequestContext,
    id: string,
    event: CampaignEventTypeName,
    change: (tx: EntityManager, campaign: Campaign) => Promise<void>,
  ): Promise<Campaign> {
    return withDbErrors(() =>
      ctx.tenant().transaction(async ({ manager: tx, record }) => {
        const campaign = await lockCampaign(tx, id);
        if (!EDITABLE.includes(campaign.status)) {
          throw new AppError(ErrorCode.CONFLICT, `A ${campaign.status} campaign can no longer be changed`, { status: campaign.status });
        }
        await change(tx, campaign);
        const changed = await tx.getRepository(Campaign).findOneByOrFail({ id });
        record(campaignEvent(event, changed));
        return changed;
      }),
    );
  }
}

async function lockCampaign(tx: EntityManager, id: string): Promise<Campaign> {
  const campaign = isUUID(id) ? await tx.getRepository(Campaign).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
  if (!campaign) throw notFound('Campaign');
  return campaign;
}

async function checkMessages(tx: EntityManager, messages: CampaignMessageInput[]): Promise<void> {
  for (const [index, message] of messages.entries()) {
    if (!message.body?.trim() && !message.documentId) throw invalidField(`messages.${index}`, 'A message needs a body or a document');
    if (message.documentId) await requireReference(tx, Document, message.documentId, `messages.${index}.documentId`, 'document');
  }
}

async function replaceMessages(tx: EntityManager, campaignId: string, messages: CampaignMessageInput[]): Promise<void> {
  await tx.getRepository(CampaignMessage).delete({ campaignId });
  if (messages.length === 0) return;
  await tx.getRepository(CampaignMessage).insert(
    messages.map((message, position) => ({ campaignId, position, body: message.body ?? null, documentId: message.documentId ?? null })),
  );
}

/** Refuses ids that name nothing in this tenant, listing them in details. */
async function checkAllExist(tx: EntityManager, table: string, ids: string[], field: string, what: string, live = 'true'): Promise<void> {
  if (ids.length === 0) return;
  const rows: Array<{ id: string }> = await tx.query(`SELECT id FROM ${table} WHERE id = ANY($1::uuid[]) AND ${live}`, [ids]);
  const found = new Set(rows.map((row) => row.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw validationFailed(`Unknown ${what}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''}`, {
      fields: [{ field, messages: [`unknown ${what}`] }],
      missing,
    });
  }
}
