import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../../../channels/channel-errors';
import type { SendResult, WhatsAppProvider } from '../../../channels/whatsapp-provider';
import { AppError, ErrorCode } from '../../../platform/errors';
import type { Job, JobQueue } from '../../../platform/jobs/job-queue';
import type { Logger } from '../../../platform/logger';
import type { EventDispatcher } from '../../../platform/events/event-dispatcher';
import { eventsFromJson, RECORDED_EVENTS_JSON, recordEventsCte } from '../../../platform/events/event-log';
import type { FileStorage } from '../../../platform/storage/file-storage';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import type { SessionProviders } from '../channels/session-providers';
import { InboxEventType, messagePayloadSql, MessageType } from '../../inbox/inbox.module';
import { MESSAGE_RETURNING } from '../inbound/inbound-rows';
import { OUTBOUND_DEAD_QUEUE, OUTBOUND_SEND_QUEUE, type OutboundSendJob } from './outbound-message.service';

/** The message as the worker needs it, re-read on every attempt. */
interface PendingSend {
  id: string;
  status: string;
  body: string | null;
  type: MessageType;
  provider_message_id: string | null;
  created_at: Date;
  session_id: string | null;
  /** The contact's phone, or the WhatsApp id of a customer who hides their number. */
  address: string;
  reply_to_provider_id: string | null;
  storage_key: string | null;
  content_type: string | null;
  filename: string | null;
  /** An earlier outbound message of the same conversation is still QUEUED. */
  earlier_queued: boolean;
}

/** How long a send waits for an earlier queued message of its conversation before going anyway. */
const EARLIER_QUEUED_WAIT_MS = 5_000;


/** Waits for a message whose job was created just before its transaction committed. */
const NOT_COMMITTED_WAITS_MS = [50, 200, 500];

/** Errors worth another attempt besides retryable provider errors: the tenant database was busy or away. */
const TRANSIENT_CODES = new Set<string>([ErrorCode.CONNECTION_BUDGET_EXHAUSTED, ErrorCode.TENANT_NOT_ACTIVE]);

/**
 * Sends QUEUED messages, one pg-boss job each ({tenantId, messageId} only). Each attempt:
 * 1. leases the tenant, re-reads the message, and stops if it is no longer QUEUED (already sent,
 *    acked or failed) — a duplicate or late job does nothing;
 * 2. when an earlier attempt had started (retryCount > 0: it may have reached WhatsApp before the
 *    process died or the answer was lost) and the provider can look (WAHA), looks for the message
 *    among the chat's recent sends before sending again; the Cloud API instead reports our client
 *    id back in its status webhooks (biz_opaque_callback_data), which attach the provider id;
 * 3. sends with the message id as client message id, then records SENT and the provider's id.
 * A permanent error, or any error on the last attempt, marks the message FAILED with the reason.
 * No tenant connection is held while the provider is called.
 */
export class OutboundSendWorker {
  constructor(
    private readonly deps: {
      router: TenantRouter;
      jobs: JobQueue;
      providers: SessionProviders;
      storage: FileStorage;
      dispatcher: Pick<EventDispatcher, 'dispatch'>;
      log: Logger;
    },
  ) {}

  async start(concurrency: number): Promise<void> {
    await this.deps.jobs.work<OutboundSendJob>(OUTBOUND_SEND_QUEUE, concurrency, (job) => this.attempt(job));
    await this.deps.jobs.work<OutboundSendJob>(OUTBOUND_DEAD_QUEUE, 1, (job) => this.giveUp(job));
  }

  private async attempt(job: Job<OutboundSendJob>): Promise<void> {
    const { tenantId, messageId } = job.data;
    const log = this.deps.log.child({ tenantId, messageId, attempt: job.retryCount + 1 });
    const lastAttempt = job.retryCount >= job.retryLimit;
    try {
      let pending = await this.load(tenantId, messageId);
      for (const wait of NOT_COMMITTED_WAITS_MS) {
        if (pending) break;
        await sleep(wait);
        pending = await this.load(tenantId, messageId);
      }
      if (!pending) {
        // Its transaction rolled back (or is very slow): look once more later, then let it go.
        if (job.retryCount < 2 && !lastAttempt) throw new Error('message not found (not committed yet?)');
        log.warn('send job for a message that does not exist; dropped');
        return;
      }
      if (pending.status !== 'QUEUED') return;
      // A sequence (a campaign's parts) goes out in order: wait a little for earlier queued messages of the conversation.
      for (let waited = 0; pending.earlier_queued && waited < EARLIER_QUEUED_WAIT_MS; waited += 250) {
        await sleep(250);
        pending = (await this.load(tenantId, messageId)) ?? pending;
      }
      if (pending.status !== 'QUEUED') return;
      if (pending.provider_message_id) return void (await this.markSent(tenantId, messageId, pending.provider_message_id));
      if (!pending.session_id) return void (await this.markFailed(tenantId, messageId, 'the conversation has no WhatsApp channel'));

      const { provider } = await this.deps.router.withTenant(tenantId, (manager) => this.deps.providers.get(tenantId, pending!.session_id!, manager));
      if (job.retryCount > 0 && provider.capabilities.sentMessageLookup) {
        const found = await this.findSent(tenantId, provider, pending);
        if (found) {
          log.info({ providerMessageId: found }, 'an earlier attempt had sent the message; not sending again');
          return void (await this.markSent(tenantId, messageId, found));
        }
      }
      let result: SendResult;
      try {
        result = await this.send(provider, pending);
      } catch (error) {
        // A 2xx without an id: it went out, the status webhooks will name it.
        if (error instanceof ProviderError && error.outcomeUnknown && !error.retryable) return void (await this.markSent(tenantId, messageId, null));
        throw error;
      }
      let providerMessageId = result.providerMessageId;
      if (!providerMessageId && provider.capabilities.sentMessageLookup) {
        providerMessageId = await this.findSent(tenantId, provider, pending).catch(() => null);
      }
      await this.markSent(tenantId, messageId, providerMessageId);
    } catch (error) {
      const reason = describe(error);
      if (lastAttempt || !isRetryable(error)) {
        log.warn({ err: error, lastAttempt }, 'send failed for good');
        await this.markFailed(tenantId, messageId, reason);
        return;
      }
      log.info({ reason }, 'send attempt failed; will retry');
      throw error;
    }
  }

  /** Dead letter: the last attempt did not even finish (the process died during it). */
  private async giveUp(job: Job<OutboundSendJob>): Promise<void> {
    await this.markFailed(job.data.tenantId, job.data.messageId, 'gave up: the last send attempt did not finish');
  }

  private load(tenantId: string, messageId: string): Promise<PendingSend | null> {
    return this.deps.router.withTenant(tenantId, async (manager) => {
      const rows: PendingSend[] = await manager.query(
        `SELECT m.id, m.status, m.body, m.type, m.provider_message_id, m.created_at, c.session_id, COALESCE(ct.phone, ct.whatsapp_id) AS address,
                r.provider_message_id AS reply_to_provider_id, d.storage_key, d.content_type, d.filename,
                EXISTS (SELECT 1 FROM messages e WHERE e.conversation_id = m.conversation_id AND e.status = 'QUEUED'
                          AND e.direction = 'OUTBOUND' AND e.created_at < m.created_at AND e.created_at > m.created_at - interval '1 hour') AS earlier_queued
           FROM messages m
           JOIN conversations c ON c.id = m.conversation_id
           JOIN contacts ct ON ct.id = c.contact_id
           LEFT JOIN messages r ON r.id = m.reply_to_id
           LEFT JOIN documents d ON d.id = m.document_id
          WHERE m.id = $1`,
        [messageId],
      );
      return rows[0] ?? null;
    });
  }

  private async send(provider: WhatsAppProvider, pending: PendingSend): Promise<SendResult> {
    const common = {
      to: pending.address,
      clientMessageId: pending.id,
      ...(pending.reply_to_provider_id ? { replyToProviderId: pending.reply_to_provider_id } : {}),
    };
    if (!pending.storage_key) return provider.sendText({ ...common, body: pending.body ?? '' });
    const bytes = await this.deps.storage.get(pending.storage_key);
    if (!bytes) throw new AppError(ErrorCode.NOT_FOUND, 'the document to send is no longer stored');
    return provider.sendMedia({
      ...common,
      kind: pending.type === MessageType.IMAGE ? 'image' : 'file',
      mimetype: pending.content_type ?? 'application/octet-stream',
      filename: pending.filename ?? undefined,
      caption: pending.body ?? undefined,
      bytes,
    });
  }

  /** The provider id of this message among the chat's recent sends, unless it belongs to another message of ours. */
  private async findSent(tenantId: string, provider: WhatsAppProvider, pending: PendingSend): Promise<string | null> {
    const found = await provider.findSentMessage({ to: pending.address, body: pending.body ?? '', sentAfter: pending.created_at });
    if (!found) return null;
    const taken: unknown[] = await this.deps.router.withTenant(tenantId, (manager) =>
      manager.query('SELECT 1 FROM messages WHERE provider_message_id = $1 AND id <> $2', [found, pending.id]),
    );
    return taken.length > 0 ? null : found;
  }

  private async markSent(tenantId: string, messageId: string, providerMessageId: string | null): Promise<void> {
    // The id is recorded even when an ack already moved the status on; the status moves only from QUEUED.
    const update = (id: string | null) =>
      this.deps.router.withTenant(tenantId, (manager) =>
        manager.query(
          `WITH before AS (SELECT status FROM messages WHERE id = $1),
                upd AS (
             UPDATE messages SET provider_message_id = COALESCE(provider_message_id, $2),
                    status = CASE WHEN status = 'QUEUED' THEN 'SENT' ELSE status END,
                    provider_timestamp = COALESCE(provider_timestamp, now()), updated_at = now()
              WHERE id = $1 RETURNING ${MESSAGE_RETURNING}
           ), ${statusChangedCte("(SELECT status FROM before) = 'QUEUED'")}
           SELECT ${RECORDED_EVENTS_JSON} AS events`,
          [messageId, id],
        ) as Promise<Array<{ events: unknown }>>,
      );
    let rows: Array<{ events: unknown }>;
    try {
      rows = await update(providerMessageId);
    } catch (error) {
      // The id is already recorded on another row (should not happen): keep the status, drop the id.
      if ((error as { code?: string }).code !== '23505') throw error;
      rows = await update(null);
    }
    await this.deps.dispatcher.dispatch(tenantId, eventsFromJson(tenantId, rows[0]?.events));
  }

  private async markFailed(tenantId: string, messageId: string, reason: string): Promise<void> {
    const rows: Array<{ events: unknown }> = await this.deps.router.withTenant(tenantId, (manager) =>
      manager.query(
        `WITH upd AS (
           UPDATE messages SET status = 'FAILED', failure_reason = $2, updated_at = now()
            WHERE id = $1 AND status = 'QUEUED' RETURNING ${MESSAGE_RETURNING}
         ), ${statusChangedCte('true')}
         SELECT ${RECORDED_EVENTS_JSON} AS events`,
        [messageId, reason.slice(0, 1000)],
      ),
    );
    await this.deps.dispatcher.dispatch(tenantId, eventsFromJson(tenantId, rows[0]?.events));
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderError) return error.retryable || error.outcomeUnknown;
  if (error instanceof AppError) return TRANSIENT_CODES.has(error.code);
  return true; // database hiccups, network: try again
}

function describe(error: unknown): string {
  if (error instanceof ProviderError) return `${error.providerCode}: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}

/** `message.status_changed` of the sender's own UPDATE (CTE `upd`), when `changed` holds. */
function statusChangedCte(changed: string): string {
  return recordEventsCte(`(type, actor_kind, actor_id, subject_id, payload)
    SELECT '${InboxEventType.MESSAGE_STATUS_CHANGED}', 'SYSTEM', 'outbound-send', upd.id, jsonb_build_object('message', ${messagePayloadSql('upd')})
      FROM upd WHERE ${changed}`);
}
