import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import type { Actor, DomainEventDraft } from '../../platform/events/domain-event';
import type { EventDispatcher } from '../../platform/events/event-dispatcher';
import { appendEvents } from '../../platform/events/event-log';
import type { Job, JobQueue } from '../../platform/jobs/job-queue';
import type { Logger } from '../../platform/logger';
import type { TenantRouter } from '../../platform/tenancy/tenant-router';
import { messageSent, MessageType } from '../inbox/inbox.module';
import type { OutboundQueue, QueuedMessageDraft } from '../whatsapp/whatsapp.module';
import { Campaign, CampaignStatus } from './campaign.entity';
import { campaignEvent, CampaignEventType, type CampaignEventTypeName } from './campaign.events';
import { contactValues, personalise } from './campaign-personalisation';

export const CAMPAIGN_SEND_QUEUE = 'campaign-send';

/** One slice of a campaign's sending; ids only, the sender re-reads the rest. */
export interface CampaignSendJob {
  tenantId: string;
  campaignId: string;
}

/** Per provider: messages a minute per channel (shared by its campaigns) and unique customers per 24 h (0: no cap). */
export interface ChannelLimits {
  ratePerMinute: Record<string, number>;
  dailyLimit: Record<string, number>;
}

const SENDER_ACTOR: Actor = { kind: 'SYSTEM', id: 'campaign-sender' };

/** A batch is what the pace allows in this long (at most MAX_BATCH recipients). */
const BATCH_WINDOW_MS = 200;
const MAX_BATCH = 100;
/** How far behind its pace a sender may catch up (longer stops, e.g. a pause, are not made up in a burst). */
const CATCH_UP_MS = 2_000;
/** The later parts of a recipient's sequence are held back this long each, so they go out in order. */
const PART_GAP_MS = 1_000;
/** Channel states in which sending cannot work: the campaign is paused with the reason. */
const CHANNEL_DOWN = new Set(['STOPPED', 'FAILED', 'SCAN_QR_CODE']);

interface ChannelRow {
  id: string;
  provider: string;
  status: string;
  phone_number: string | null;
  external_session_id: string;
}

interface PartRow {
  position: number;
  body: string | null;
  document_id: string | null;
  content_type: string | null;
}

interface ClaimedRow {
  id: string;
  contact_id: string;
  name: string | null;
  phone: string | null;
  whatsapp_id: string | null;
  opted_out: boolean;
  deleted: boolean;
}

type SliceEnd = { next: 'continue'; startAfter?: Date } | { next: 'stop' };

/**
 * Sends campaigns: one pg-boss job per slice of sending (shorter than the job's expiry, so a
 * killed process's slice is taken over once its job expires). One sender per campaign across all
 * instances: a lease on the campaign row (owner, until), renewed before every batch. Each batch:
 * 1. waits for the campaign's own pace, then reserves the next slots of the channel (one row per
 *    channel, shared by every campaign and instance sending on it; WAHA slots are jittered);
 * 2. in ONE tenant transaction claims the next PENDING recipients (FOR UPDATE SKIP LOCKED, a
 *    page at a time, so memory does not grow with the audience), stores their personalised
 *    messages as ordinary QUEUED outbound messages (counted in the plan, visible in the inbox)
 *    and links each recipient to its message; the messages' send jobs are created just before
 *    the commit (a job whose message never committed finds nothing and ends). A recipient is
 *    therefore claimed and linked exactly once, and the durable outbound queue sends each message
 *    once (reconciling with the provider after a crash).
 * When no recipient is PENDING and the queue has settled every message, the campaign is COMPLETED.
 */
export class CampaignSender {
  /** Set on shutdown: running slices end at their next batch (their jobs queue the next slice). */
  private readonly stopped = { value: false };

  constructor(
    private readonly deps: {
      router: TenantRouter;
      jobs: JobQueue;
      outbound: OutboundQueue;
      dispatcher: Pick<EventDispatcher, 'dispatch'>;
      log: Logger;
      limits: ChannelLimits;
      /** The campaign job's expiry: a slice and its lease last well within it. */
      jobExpireSeconds: number;
    },
  ) {}

  async start(concurrency: number): Promise<void> {
    await this.deps.jobs.work<CampaignSendJob>(CAMPAIGN_SEND_QUEUE, concurrency, (job) => this.run(job));
  }

  stop(): void {
    this.stopped.value = true;
  }

  /** Queues a slice of sending now (or at `startAfter`). */
  enqueue(tenantId: string, campaignId: string, startAfter?: Date): Promise<string> {
    return this.deps.jobs.send(CAMPAIGN_SEND_QUEUE, { tenantId, campaignId } satisfies CampaignSendJob, startAfter ? { startAfter } : {});
  }

  private get leaseSeconds(): number {
    return Math.max(2, Math.floor(this.deps.jobExpireSeconds / 2));
  }

  private async run(job: Job<CampaignSendJob>): Promise<void> {
    const { tenantId, campaignId } = job.data;
    const owner = randomUUID();
    const log = this.deps.log.child({ tenantId, campaignId, owner });
    const taken = await this.takeLease(tenantId, campaignId, owner);
    if (taken.state === 'gone') return;
    if (taken.state === 'busy') {
      // Another sender holds it; look again once its lease runs out (it may have died).
      await this.enqueue(tenantId, campaignId, new Date(taken.until.getTime() + 500));
      return;
    }
    let end: SliceEnd = { next: 'stop' };
    try {
      end = await this.slice(tenantId, campaignId, owner, log);
    } catch (error) {
      log.warn({ err: error }, 'campaign slice failed; it will be retried');
      await this.releaseLease(tenantId, campaignId, owner).catch(() => undefined);
      throw error;
    }
    // The next slice is queued before the lease goes: a crash in between leaves a job that waits for the lease.
    if (end.next === 'continue') await this.enqueue(tenantId, campaignId, end.startAfter);
    await this.releaseLease(tenantId, campaignId, owner);
  }

  /** A system transaction that records its events (actor: the sender) and dispatches them after commit. */
  private async transaction<T>(tenantId: string, work: (tx: EntityManager, record: (...drafts: DomainEventDraft[]) => void) => Promise<T>): Promise<T> {
    const { result, events } = await this.deps.router.withTenant(tenantId, (manager) =>
      manager.transaction(async (tx) => {
        const drafts: DomainEventDraft[] = [];
        const result = await work(tx, (...recorded) => void drafts.push(...recorded));
        return { result, events: await appendEvents(tx, tenantId, SENDER_ACTOR, drafts) };
      }),
    );
    await this.deps.dispatcher.dispatch(tenantId, events);
    return result;
  }

  private takeLease(tenantId: string, campaignId: string, owner: string): Promise<{ state: 'ours' | 'gone' } | { state: 'busy'; until: Date }> {
    return this.transaction(tenantId, async (tx, record) => {
      const [row]: Array<{ status: string; due: boolean; leased: boolean; sender_lease_until: Date | null }> = await tx.query(
        `SELECT status, scheduled_at <= now() AS due, sender_lease_until > now() AS leased, sender_lease_until
           FROM campaigns WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
        [campaignId],
      );
      if (!row) return { state: 'gone' } as const;
      // A SCHEDULED campaign not due yet was moved later: the new schedule has its own job.
      if (row.status === CampaignStatus.SCHEDULED && !row.due) return { state: 'gone' } as const;
      if (row.status !== CampaignStatus.SCHEDULED && row.status !== CampaignStatus.SENDING) return { state: 'gone' } as const;
      if (row.leased) return { state: 'busy', until: row.sender_lease_until! } as const;
      await tx.query(
        `UPDATE campaigns SET sender_lease_owner = $2, sender_lease_until = now() + $3 * interval '1 second', status = 'SENDING',
                started_at = COALESCE(started_at, now()), paused_reason = NULL, updated_at = now()
          WHERE id = $1`,
        [campaignId, owner, this.leaseSeconds],
      );
      if (row.status === CampaignStatus.SCHEDULED) record(campaignEvent(CampaignEventType.STARTED, await tx.getRepository(Campaign).findOneByOrFail({ id: campaignId })));
      return { state: 'ours' } as const;
    });
  }

  private async releaseLease(tenantId: string, campaignId: string, owner: string): Promise<void> {
    await this.deps.router.withTenant(tenantId, (manager) =>
      manager.query(`UPDATE campaigns SET sender_lease_owner = NULL, sender_lease_until = NULL WHERE id = $1 AND sender_lease_owner = $2`, [campaignId, owner]),
    );
  }

  /** Renews the lease while SENDING and says how to go on; gives the lease up (atomically) otherwise. */
  private async renew(tenantId: string, campaignId: string, owner: string): Promise<{ status: string; messages_per_minute: number | null; session_id: string | null } | null> {
    const [rows]: [Array<{ status: string; messages_per_minute: number | null; session_id: string | null }>, number] = await this.deps.router.withTenant(tenantId, (manager) =>
      manager.query(
        `UPDATE campaigns SET sender_lease_until = CASE WHEN status = 'SENDING' THEN now() + $3 * interval '1 second' END,
                sender_lease_owner = CASE WHEN status = 'SENDING' THEN sender_lease_owner END
          WHERE id = $1 AND sender_lease_owner = $2 AND deleted_at IS NULL
          RETURNING status, messages_per_minute, session_id`,
        [campaignId, owner, this.leaseSeconds],
      ),
    );
    return rows[0] ?? null;
  }

  private async slice(tenantId: string, campaignId: string, owner: string, log: Logger): Promise<SliceEnd> {
    const deadline = Date.now() + (this.leaseSeconds * 1000) / 2;
    const { channel, parts, business } = await this.deps.router.withTenant(tenantId, async (manager) => {
      const [campaign]: Array<{ session_id: string | null }> = await manager.query('SELECT session_id FROM campaigns WHERE id = $1', [campaignId]);
      const channels: ChannelRow[] = campaign?.session_id
        ? await manager.query('SELECT id, provider, status, phone_number, external_session_id FROM whatsapp_sessions WHERE id = $1', [campaign.session_id])
        : [];
      const parts: PartRow[] = await manager.query(
        `SELECT m.position, m.body, m.document_id, d.content_type FROM campaign_messages m LEFT JOIN documents d ON d.id = m.document_id AND d.deleted_at IS NULL
          WHERE m.campaign_id = $1 ORDER BY m.position`,
        [campaignId],
      );
      const [config]: Array<{ business_name: string }> = await manager.query('SELECT business_name FROM master_config LIMIT 1');
      return { channel: channels[0] ?? null, parts, business: config?.business_name ?? null };
    });
    if (!channel) return this.pause(tenantId, campaignId, 'The campaign has no WhatsApp channel');
    if (parts.length === 0) return this.pause(tenantId, campaignId, 'The campaign has no messages');
    if (parts.some((part) => part.document_id && !part.content_type)) return this.pause(tenantId, campaignId, 'A document of the campaign was deleted');

    const channelRate = this.deps.limits.ratePerMinute[channel.provider] ?? 60;
    const dailyLimit = this.deps.limits.dailyLimit[channel.provider] ?? 0;
    const jitter = channel.provider === 'WAHA';
    let usedToday = dailyLimit > 0 ? await this.uniqueCustomersToday(tenantId, channel.id) : 0;
    let campaignNext = Date.now();

    while (!this.stopped.value) {
      const state = await this.renew(tenantId, campaignId, owner);
      if (!state || state.status !== CampaignStatus.SENDING) return { next: 'stop' };
      const [current]: Array<{ status: string }> = await this.deps.router.withTenant(tenantId, (manager) =>
        manager.query('SELECT status FROM whatsapp_sessions WHERE id = $1', [channel.id]),
      );
      if (!current || CHANNEL_DOWN.has(current.status)) {
        return this.pause(tenantId, campaignId, `The WhatsApp channel is ${current ? current.status.toLowerCase().replace(/_/g, ' ') : 'gone'}`);
      }
      if (Date.now() >= deadline) return { next: 'continue' };

      const rate = Math.min(state.messages_per_minute ?? channelRate, channelRate);
      // At a person-like pace (WAHA's 20 a minute) a batch is one message; the jitter varies the gaps.
      // Behind the pace (a batch takes time too): take what the pace allowed meanwhile, up to a batch.
      const behindMs = Math.min(CATCH_UP_MS, Math.max(0, Date.now() - campaignNext));
      let size = Math.max(1, Math.min(MAX_BATCH, Math.round((rate / 60_000) * (BATCH_WINDOW_MS + behindMs))));
      if (dailyLimit > 0) {
        if (usedToday >= dailyLimit) {
          log.info({ dailyLimit }, 'the channel reached its unique customers for 24 hours; sending resumes later');
          return { next: 'continue', startAfter: new Date(Date.now() + 10 * 60_000) };
        }
        size = Math.min(size, dailyLimit - usedToday);
      }
      // The campaign's own pace first, then the channel's slots (each message takes one of both).
      const spacing = (60_000 / rate) * (jitter ? 0.5 + Math.random() : 1);
      if (campaignNext > deadline) return { next: 'continue', startAfter: new Date(campaignNext) };
      if (campaignNext > Date.now()) await sleep(campaignNext - Date.now());
      campaignNext = Math.max(campaignNext, Date.now() - CATCH_UP_MS) + size * spacing;
      const channelSpacing = Math.max(spacing * (rate / channelRate), 1);
      const waitMs = await this.reserveSlots(tenantId, channel.id, size * channelSpacing);
      if (waitMs > 0) {
        if (Date.now() + waitMs > deadline + this.leaseSeconds * 250) return { next: 'continue', startAfter: new Date(Date.now() + waitMs) };
        await sleep(waitMs);
      }
      const batch = await this.sendBatch(tenantId, campaignId, channel, parts, business, size);
      if (batch === 'paused') return { next: 'stop' };
      usedToday += batch.sent;
      if (batch.claimed === 0) {
        // Everyone is claimed: the campaign is over once the queue has settled every message.
        while (!(await this.completeIfDone(tenantId, campaignId))) {
          if (Date.now() >= deadline) return { next: 'continue', startAfter: new Date(Date.now() + 1_000) };
          await sleep(500);
        }
        return { next: 'stop' };
      }
    }
    return { next: 'continue' };
  }

  /** Moves the channel's next free slot `spanMs` on; how long to wait for the reserved slots to begin. */
  private async reserveSlots(tenantId: string, sessionId: string, spanMs: number): Promise<number> {
    const [row]: Array<{ wait_ms: number }> = await this.deps.router.withTenant(tenantId, (manager) =>
      manager.query(
        `INSERT INTO channel_send_pace AS p (session_id, next_slot_at) VALUES ($1, now() + $2 * interval '1 millisecond')
         ON CONFLICT (session_id) DO UPDATE SET next_slot_at = GREATEST(p.next_slot_at, now() - interval '${CATCH_UP_MS} milliseconds') + $2 * interval '1 millisecond'
         RETURNING (extract(epoch FROM (p.next_slot_at - now())) * 1000 - $2)::float8 AS wait_ms`,
        [sessionId, spanMs],
      ),
    );
    return Math.max(0, row?.wait_ms ?? 0);
  }

  /** Unique customers reached through the channel by campaigns in the last 24 hours. */
  private async uniqueCustomersToday(tenantId: string, sessionId: string): Promise<number> {
    const [row]: Array<{ n: number }> = await this.deps.router.withTenant(tenantId, (manager) =>
      manager.query(
        `SELECT count(DISTINCT r.contact_id)::int AS n FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id
          WHERE r.sent_at > now() - interval '24 hours' AND c.session_id = $1`,
        [sessionId],
      ),
    );
    return row?.n ?? 0;
  }

  /**
   * Claims up to `size` PENDING recipients and stores their messages, in one transaction. Those
   * who cannot be sent to (opted out, deleted, no address) are SKIPPED with the reason.
   */
  private async sendBatch(
    tenantId: string,
    campaignId: string,
    channel: ChannelRow,
    parts: PartRow[],
    business: string | null,
    size: number,
  ): Promise<{ claimed: number; sent: number } | 'paused'> {
    let messageIds: string[] = [];
    try {
      const result = await this.transaction(tenantId, async (tx, record) => {
        const claimed: ClaimedRow[] = await tx.query(
          `SELECT r.id, r.contact_id, ct.name, ct.phone, ct.whatsapp_id, ct.opted_out, ct.deleted_at IS NOT NULL AS deleted
             FROM campaign_recipients r JOIN contacts ct ON ct.id = r.contact_id
            WHERE r.campaign_id = $1 AND r.status = 'PENDING'
            LIMIT $2 FOR UPDATE OF r SKIP LOCKED`,
          [campaignId, size],
        );
        if (claimed.length === 0) return { claimed: 0, sent: 0 };
        const skipped = new Map<string, string>();
        for (const row of claimed) {
          if (row.deleted) skipped.set(row.id, 'the contact was deleted');
          else if (row.opted_out) skipped.set(row.id, 'the contact opted out');
          else if (!row.phone && !row.whatsapp_id) skipped.set(row.id, 'the contact has no WhatsApp address');
        }
        const sendable = claimed.filter((row) => !skipped.has(row.id));
        if (sendable.length > 0) {
          const quota = await this.deps.outbound.claimMonthlyMessage(tx, tenantId, sendable.length * parts.length);
          if (!quota.ok) return 'plan-limit' as const;
        }
        const conversations: Array<{ id: string; contact_id: string }> = sendable.length
          ? await tx.query(
              `INSERT INTO conversations (contact_id, session_id) SELECT unnest($1::uuid[]), $2
               ON CONFLICT (contact_id, session_id) DO UPDATE SET updated_at = now() RETURNING id, contact_id`,
              [sendable.map((row) => row.contact_id), channel.id],
            )
          : [];
        const conversationOf = new Map(conversations.map((row) => [row.contact_id, row.id]));
        const drafts: QueuedMessageDraft[] = [];
        const jobs: Array<{ id: string; startAfter?: Date }> = [];
        const firstMessage = new Map<string, string>();
        const now = Date.now();
        for (const row of sendable) {
          const values = contactValues(row, business);
          for (const [index, part] of parts.entries()) {
            const id = randomUUID();
            if (index === 0) firstMessage.set(row.id, id);
            drafts.push({
              id,
              conversationId: conversationOf.get(row.contact_id)!,
              fromAddress: channel.phone_number ?? channel.external_session_id,
              toAddress: (row.phone ?? row.whatsapp_id)!,
              body: part.body ? personalise(part.body, values) : null,
              type: part.document_id ? (part.content_type?.startsWith('image/') ? MessageType.IMAGE : MessageType.DOCUMENT) : MessageType.TEXT,
              documentId: part.document_id,
            });
            jobs.push({ id, ...(index > 0 ? { startAfter: new Date(now + index * PART_GAP_MS) } : {}) });
          }
        }
        // Jobs first: a job whose message never commits finds nothing and ends.
        messageIds = jobs.map((job) => job.id);
        await this.deps.outbound.enqueueMany(tenantId, jobs);
        const stored = await this.deps.outbound.insertQueuedMany(tx, drafts);
        for (const { message, conversation } of stored) record(messageSent(message, conversation));
        if (sendable.length > 0) {
          await tx.query(
            `UPDATE campaign_recipients r SET status = 'QUEUED', message_id = u.message_id, sent_at = now(), updated_at = now()
               FROM unnest($1::uuid[], $2::uuid[]) AS u(id, message_id) WHERE r.id = u.id`,
            [sendable.map((row) => row.id), sendable.map((row) => firstMessage.get(row.id)!)],
          );
        }
        if (skipped.size > 0) {
          await tx.query(
            `UPDATE campaign_recipients r SET status = 'SKIPPED', error = u.reason, updated_at = now()
               FROM unnest($1::uuid[], $2::text[]) AS u(id, reason) WHERE r.id = u.id`,
            [[...skipped.keys()], [...skipped.values()]],
          );
        }
        return { claimed: claimed.length, sent: sendable.length };
      });
      if (result === 'plan-limit') {
        await this.deps.outbound.cancelMany(messageIds);
        await this.pause(tenantId, campaignId, 'The plan allows no more messages this month');
        return 'paused';
      }
      if (result.sent > 0) this.deps.outbound.wake();
      return result;
    } catch (error) {
      await this.deps.outbound.cancelMany(messageIds);
      throw error;
    }
  }

  /**
   * COMPLETED once no recipient is PENDING and none is QUEUED. Recipients follow their messages
   * through the progress consumer; this also catches up those whose ack event was lost with a
   * killed process (its redispatch can come much later).
   */
  private async completeIfDone(tenantId: string, campaignId: string): Promise<boolean> {
    return this.transaction(tenantId, async (tx, record) => {
      await tx.query(
        `UPDATE campaign_recipients r
            SET status = CASE WHEN m.id IS NULL THEN 'FAILED' WHEN m.status = 'PLAYED' THEN 'READ' ELSE m.status END,
                error = CASE WHEN m.id IS NULL THEN 'the message was deleted' WHEN m.status = 'FAILED' THEN m.failure_reason ELSE r.error END,
                updated_at = now()
           FROM campaign_recipients q LEFT JOIN messages m ON m.id = q.message_id
          WHERE q.id = r.id AND r.campaign_id = $1 AND r.status = 'QUEUED' AND (m.id IS NULL OR m.status <> 'QUEUED')`,
        [campaignId],
      );
      const [open]: unknown[] = await tx.query(
        `SELECT 1 FROM campaign_recipients WHERE campaign_id = $1 AND status IN ('PENDING', 'QUEUED') LIMIT 1`,
        [campaignId],
      );
      if (open) return false;
      await this.changeStatus(tx, record, campaignId, CampaignStatus.COMPLETED, CampaignEventType.COMPLETED, { completedAt: () => 'now()' });
      return true;
    });
  }

  /** SENDING → PAUSED with the reason (a person resumes it). */
  async pause(tenantId: string, campaignId: string, reason: string): Promise<SliceEnd> {
    await this.transaction(tenantId, (tx, record) =>
      this.changeStatus(tx, record, campaignId, CampaignStatus.PAUSED, CampaignEventType.PAUSED, { pausedReason: reason }),
    );
    this.deps.log.info({ tenantId, campaignId, reason }, 'campaign paused');
    return { next: 'stop' };
  }

  private async changeStatus(
    tx: EntityManager,
    record: (...drafts: DomainEventDraft[]) => void,
    campaignId: string,
    status: CampaignStatus,
    event: CampaignEventTypeName,
    changes: Record<string, unknown>,
  ): Promise<void> {
    const result = await tx
      .getRepository(Campaign)
      .createQueryBuilder()
      .update()
      .set({ status, senderLeaseOwner: null, senderLeaseUntil: null, updatedAt: () => 'now()', ...changes })
      .where('id = :id AND status = :sending', { id: campaignId, sending: CampaignStatus.SENDING })
      .execute();
    if (result.affected) record(campaignEvent(event, await tx.getRepository(Campaign).findOneByOrFail({ id: campaignId })));
  }
}
