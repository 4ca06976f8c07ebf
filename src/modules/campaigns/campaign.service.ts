import { campaignEvent, CampaignEventType, type CampaignEventTypeName } from './campaign.events';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { CampaignSender } from './campaign-sender';
import { contactValues, personalise } from './campaign-personalisation';
import { optOutChanged } from './campaign-opt-outs';
import { Contact } from '../contacts/contacts.module';
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
const CANCELLABLE: readonly CampaignStatus[] = [CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING, CampaignStatus.PAUSED];
/** The pace may change until the campaign is over. */
const PACE_EDITABLE: readonly CampaignStatus[] = [...EDITABLE, CampaignStatus.SENDING, CampaignStatus.PAUSED];
const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600 * 1000;

/**
 * Campaign definitions: content, audience, schedule. Sending (SCHEDULED → SENDING → COMPLETED)
 * belongs to the sender. Every change locks the campaign row, so it serialises with the sender
 * picking the campaign up.
 */
export class CampaignService {
  constructor(private readonly deps: { sender: Pick<CampaignSender, 'enqueue'> }) {}

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
          messagesPerMinute: input.messagesPerMinute ?? null,
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
    const paceOnly = input.name === undefined && input.sessionId === undefined && input.messages === undefined;
    const campaign = await this.editable(ctx, id, CampaignEventType.UPDATED, async (tx, campaign) => {
      const changes: Partial<Pick<Campaign, 'name' | 'sessionId' | 'messagesPerMinute'>> = {};
      if (input.messagesPerMinute !== undefined) changes.messagesPerMinute = input.messagesPerMinute;
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
    }, paceOnly ? PACE_EDITABLE : EDITABLE);
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
    const scheduled = await this.editable(ctx, id, CampaignEventType.SCHEDULED, async (tx, campaign) => {
      await checkReady(tx, campaign, 'scheduling');
      await tx.getRepository(Campaign).update({ id: campaign.id }, { status: CampaignStatus.SCHEDULED, scheduledAt });
    });
    // After commit: the job finds the campaign SCHEDULED; a job of an earlier schedule finds it not due and ends.
    await this.deps.sender.enqueue(ctx.tenant().tenantId, scheduled.id, scheduledAt);
    return scheduled;
  }

  /** DRAFT or SCHEDULED → SENDING now; needs a channel, messages and recipients. */
  async start(ctx: RequestContext, id: string): Promise<Campaign> {
    const started = await this.transition(ctx, id, EDITABLE, CampaignEventType.STARTED, async (tx, campaign) => {
      if (!campaign.sessionId) throw new AppError(ErrorCode.CONFLICT, 'Choose the WhatsApp channel to send from (sessionId) before starting');
      await checkReady(tx, campaign, 'starting');
      return { status: CampaignStatus.SENDING, startedAt: () => 'now()', pausedReason: null };
    });
    await this.deps.sender.enqueue(ctx.tenant().tenantId, started.id);
    return started;
  }

  /** SENDING → PAUSED: the sender stops before its next batch (messages already queued still go out). */
  pause(ctx: RequestContext, id: string): Promise<Campaign> {
    return this.transition(ctx, id, [CampaignStatus.SENDING], CampaignEventType.PAUSED, async () => ({
      status: CampaignStatus.PAUSED,
      pausedReason: 'Paused by a person',
    }));
  }

  /** PAUSED → SENDING; on a SENDING campaign, makes sure a sender works it (one at most, by its lease). */
  async resume(ctx: RequestContext, id: string): Promise<Campaign> {
    const resumed = await this.transition(ctx, id, [CampaignStatus.PAUSED, CampaignStatus.SENDING], CampaignEventType.RESUMED, async () => ({
      status: CampaignStatus.SENDING,
      pausedReason: null,
    }));
    await this.deps.sender.enqueue(ctx.tenant().tenantId, resumed.id);
    return resumed;
  }

  /** How many of an audience choice a campaign would reach, and why the others would be left out. */
  async audience(ctx: RequestContext, input: SetCampaignRecipientsInput): Promise<{ chosen: number; eligible: number; excluded: Array<{ reason: string; count: number }> }> {
    const manager = await ctx.tenant().manager();
    const [row]: Array<{ chosen: number; opted_out: number; deleted: number; no_address: number }> = await manager.query(
      `WITH chosen AS (
         SELECT unnest($1::uuid[]) AS contact_id
         UNION SELECT m.contact_id FROM contact_group_members m
                 JOIN contact_groups g ON g.id = m.group_id AND g.deleted_at IS NULL
                WHERE m.group_id = ANY($2::uuid[])
         UNION SELECT l.contact_id FROM contact_labels l WHERE l.label_id = ANY($3::uuid[])
       )
       SELECT count(*)::int AS chosen,
              count(*) FILTER (WHERE c.deleted_at IS NULL AND c.opted_out)::int AS opted_out,
              count(*) FILTER (WHERE c.deleted_at IS NOT NULL)::int AS deleted,
              count(*) FILTER (WHERE c.deleted_at IS NULL AND NOT c.opted_out AND c.phone IS NULL AND c.whatsapp_id IS NULL)::int AS no_address
         FROM chosen JOIN contacts c ON c.id = chosen.contact_id`,
      [[...new Set(input.contactIds)], [...new Set(input.groupIds)], [...new Set(input.labelIds)]],
    );
    const excluded = [
      { reason: 'OPTED_OUT', count: row.opted_out },
      { reason: 'DELETED', count: row.deleted },
      { reason: 'NO_WHATSAPP_ADDRESS', count: row.no_address },
    ].filter((exclusion) => exclusion.count > 0);
    return { chosen: row.chosen, eligible: row.chosen - excluded.reduce((sum, exclusion) => sum + exclusion.count, 0), excluded };
  }

  /** Marks a contact opted out of (or back into) campaigns by hand; the change is in the event log. */
  async setOptOut(ctx: RequestContext, contactId: string, optedOut: boolean): Promise<Contact> {
    return ctx.tenant().transaction(async ({ manager: tx, record }) => {
      const contact = isUUID(contactId) ? await tx.getRepository(Contact).findOne({ where: { id: contactId }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!contact) throw notFound('Contact');
      if (contact.optedOut !== optedOut) {
        await tx.getRepository(Contact).update({ id: contactId }, { optedOut, updatedAt: () => 'now()' });
      }
      // Recorded even when unchanged: the person's decision is what the log keeps.
      record(optOutChanged(contactId, optedOut, 'by a person'));
      return tx.getRepository(Contact).findOneByOrFail({ id: contactId });
    });
  }

  /** The campaign's messages as `contactId` would get them. */
  async preview(ctx: RequestContext, id: string, contactId: string): Promise<Array<{ position: number; body: string | null; documentId: string | null }>> {
    const campaign = await this.get(ctx, id);
    if (!campaign) throw notFound('Campaign');
    const manager = await ctx.tenant().manager();
    const [contact]: Array<{ name: string; phone: string | null }> = isUUID(contactId)
      ? await manager.query('SELECT name, phone FROM contacts WHERE id = $1 AND deleted_at IS NULL', [contactId])
      : [];
    if (!contact) throw notFound('Contact');
    const [config]: Array<{ business_name: string }> = await manager.query('SELECT business_name FROM master_config LIMIT 1');
    const values = contactValues(contact, config?.business_name ?? null);
    const parts = await manager.getRepository(CampaignMessage).find({ where: { campaignId: campaign.id }, order: { position: 'ASC' } });
    return parts.map((part) => ({ position: part.position, body: part.body ? personalise(part.body, values) : null, documentId: part.documentId }));
  }

  /** Moves a locked campaign from one of `from` to the status `change` returns, recording `event`. */
  private transition(
    ctx: RequestContext,
    id: string,
    from: readonly CampaignStatus[],
    event: CampaignEventTypeName,
    change: (tx: EntityManager, campaign: Campaign) => Promise<QueryDeepPartialEntity<Campaign>>,
  ): Promise<Campaign> {
    return ctx.tenant().transaction(async ({ manager: tx, record }) => {
      const campaign = await lockCampaign(tx, id);
      if (!from.includes(campaign.status)) {
        throw new AppError(ErrorCode.CONFLICT, `A ${campaign.status} campaign cannot be ${event.replace('campaign.', '')}`, { status: campaign.status });
      }
      await tx.getRepository(Campaign).update({ id }, { ...(await change(tx, campaign)), updatedAt: () => 'now()' });
      const changed = await tx.getRepository(Campaign).findOneByOrFail({ id });
      record(campaignEvent(event, changed));
      return changed;
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
    allowed: readonly CampaignStatus[] = EDITABLE,
  ): Promise<Campaign> {
    return withDbErrors(() =>
      ctx.tenant().transaction(async ({ manager: tx, record }) => {
        const campaign = await lockCampaign(tx, id);
        if (!allowed.includes(campaign.status)) {
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

/** A campaign can go out once it has messages and recipients. */
async function checkReady(tx: EntityManager, campaign: Campaign, what: string): Promise<void> {
  if ((await tx.getRepository(CampaignMessage).countBy({ campaignId: campaign.id })) === 0) {
    throw new AppError(ErrorCode.CONFLICT, `Add at least one message before ${what}`);
  }
  const [recipient]: unknown[] = await tx.query('SELECT 1 FROM campaign_recipients WHERE campaign_id = $1 LIMIT 1', [campaign.id]);
  if (!recipient) throw new AppError(ErrorCode.CONFLICT, `Set the recipients before ${what}`);
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
