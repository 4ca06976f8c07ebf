import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { toE164Digits } from '../../../channels/whatsapp-address';
import { camelizeRow } from '../../../platform/db/raw-rows';
import { AppError, ErrorCode, notFound, validationFailed } from '../../../platform/errors';
import type { JobQueue } from '../../../platform/jobs/job-queue';
import type { Logger } from '../../../platform/logger';
import type { PlanLimits } from '../../../platform/tenancy/tenant-registry';
import { nationalPhone, tenantDefaultCountry } from '../../contacts/contacts.module';
import { messageSent, MessageType, type Conversation, type Message } from '../../inbox/inbox.module';
import type { RequestContext } from '../../../platform/graphql/request-context';
import { UsageMetric } from './usage-counter.entity';
import type { SendMessageInput } from './outbound-message.types';

export const OUTBOUND_SEND_QUEUE = 'outbound-send';
export const OUTBOUND_DEAD_QUEUE = 'outbound-send-dead';

/** What a send job carries: ids only; the worker re-reads everything else. */
export interface OutboundSendJob {
  tenantId: string;
  messageId: string;
}

/** A new outbound message to store as QUEUED. */
export interface QueuedMessageDraft {
  id: string;
  conversationId: string;
  fromAddress: string;
  toAddress: string;
  body: string | null;
  type: MessageType;
  documentId?: string | null;
  replyToId?: string | null;
  sentByUserId?: string | null;
}

const CONTACT_PHONE = /^[1-9][0-9]{6,14}$/;

/**
 * Outbound messages go through the durable queue: stored as QUEUED in the tenant database,
 * sent by a pg-boss job in the control database. The job is created BEFORE the message row
 * commits: if the tenant transaction then fails, the job finds no message and ends; the other
 * order could leave a committed message without a job (never sent, never failed).
 */
export class OutboundMessages {
  constructor(
    private readonly deps: {
      jobs: JobQueue;
      planLimits: (tenantId: string) => Promise<PlanLimits>;
      log: Logger;
    },
  ) {}

  /**
   * Counts one outbound message against this month's (UTC) plan limit, inside the caller's
   * transaction; `ok` is false, and nothing is counted, when the limit is reached. The counter row
   * serializes concurrent sends of the tenant, so two cannot both take the last message.
   * Messages are counted under every plan, so a lower limit applies at once to what was sent.
   */
  async claimMonthlyMessage(tx: EntityManager, tenantId: string, count = 1): Promise<{ ok: boolean; limit: number | null }> {
    const limit = (await this.deps.planLimits(tenantId)).maxMessagesPerMonth;
    const rows: unknown[] = await tx.query(
      `INSERT INTO usage_counters AS u (month, metric, used)
       SELECT date_trunc('month', now() AT TIME ZONE 'UTC')::date, $1, $3 WHERE $2::int IS NULL OR $2::int >= $3
       ON CONFLICT (month, metric) DO UPDATE SET used = u.used + $3, updated_at = now() WHERE $2::int IS NULL OR u.used + $3 <= $2::int
       RETURNING used`,
      [UsageMetric.OUTBOUND_MESSAGES, limit, count],
    );
    return { ok: rows.length === 1, limit };
  }

  /** Creates the send job of a message that the caller is about to insert. */
  enqueue(tenantId: string, messageId: string): Promise<string> {
    const job: OutboundSendJob = { tenantId, messageId };
    return this.deps.jobs.send(OUTBOUND_SEND_QUEUE, job);
  }

  /**
   * Creates the send jobs of messages the caller is about to insert, in one statement; the job id
   * is the message id. `startAfter` holds a job back (the later parts of a sequence).
   */
  async enqueueMany(tenantId: string, messages: ReadonlyArray<{ id: string; startAfter?: Date }>): Promise<void> {
    await this.deps.jobs.insert(
      OUTBOUND_SEND_QUEUE,
      messages.map((message) => ({ id: message.id, data: { tenantId, messageId: message.id } satisfies OutboundSendJob, startAfter: message.startAfter })),
    );
  }

  /** Best effort, when the transaction of the messages failed: their jobs would find nothing anyway. */
  cancelMany(messageIds: string[]): Promise<void> {
    return this.deps.jobs.cancel(OUTBOUND_SEND_QUEUE, messageIds);
  }

  /** Wakes this process's send workers (after the message committed). */
  wake(): void {
    this.deps.jobs.notify(OUTBOUND_SEND_QUEUE);
  }

  /** Inserts a QUEUED message (client message id = its id) and makes it its conversation's last message. */
  async insertQueued(tx: EntityManager, draft: QueuedMessageDraft): Promise<{ message: Message; conversation: Conversation }> {
    const [messageRow]: Array<Record<string, unknown>> = await tx.query(
      // clock_timestamp(): an auto-reply is created in its inbound message's transaction and must sort after it.
      `INSERT INTO messages (id, conversation_id, direction, from_address, to_address, body, type, status, client_message_id,
                             document_id, reply_to_id, sent_by_user_id, created_at, updated_at)
       VALUES ($1::uuid, $2, 'OUTBOUND', $3, $4, $5, $6, 'QUEUED', $1::uuid::text, $7, $8, $9, clock_timestamp(), clock_timestamp())
       RETURNING *`,
      [draft.id, draft.conversationId, draft.fromAddress, draft.toAddress, draft.body, draft.type, draft.documentId ?? null, draft.replyToId ?? null, draft.sentByUserId ?? null],
    );
    const [conversationRow]: [Array<Record<string, unknown>>, number] = await tx.query(
      `UPDATE conversations SET last_message_at = GREATEST(last_message_at, clock_timestamp()), last_message_id = $2, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [draft.conversationId, draft.id],
    );
    return { message: camelizeRow<Message>(messageRow), conversation: camelizeRow<Conversation>(conversationRow[0]) };
  }

  /**
   * Inserts many QUEUED messages in one statement (a bulk sender's batch; at most one per
   * conversation) and makes each its conversation's last message.
   */
  async insertQueuedMany(tx: EntityManager, drafts: readonly QueuedMessageDraft[]): Promise<Array<{ message: Message; conversation: Conversation }>> {
    if (drafts.length === 0) return [];
    const column = <K extends keyof QueuedMessageDraft>(key: K) => drafts.map((draft) => draft[key] ?? null);
    const messageRows: Array<Record<string, unknown>> = await tx.query(
      `INSERT INTO messages (id, conversation_id, direction, from_address, to_address, body, type, status, client_message_id,
                             document_id, sent_by_user_id, created_at, updated_at)
       SELECT d.id, d.conversation_id, 'OUTBOUND', d.from_address, d.to_address, d.body, d.type, 'QUEUED', d.id::text,
              d.document_id, d.sent_by_user_id, clock_timestamp(), clock_timestamp()
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::uuid[])
              AS d(id, conversation_id, from_address, to_address, body, type, document_id, sent_by_user_id)
       RETURNING *`,
      [
        column('id'), column('conversationId'), column('fromAddress'), column('toAddress'), column('body'), column('type'),
        column('documentId'), column('sentByUserId'),
      ],
    );
    const messages = messageRows.map((row) => camelizeRow<Message>(row));
    // The last of each conversation's new messages (they were inserted in order).
    const lastByConversation = new Map(messages.map((message) => [message.conversationId, message.id]));
    const [conversationRows]: [Array<Record<string, unknown>>, number] = await tx.query(
      `UPDATE conversations c SET last_message_at = GREATEST(c.last_message_at, clock_timestamp()), last_message_id = u.message_id, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[]) AS u(conversation_id, message_id)
        WHERE c.id = u.conversation_id RETURNING c.*`,
      [[...lastByConversation.keys()], [...lastByConversation.values()]],
    );
    const conversations = new Map(conversationRows.map((row) => camelizeRow<Conversation>(row)).map((row) => [row.id, row]));
    return messages.map((message) => ({ message, conversation: conversations.get(message.conversationId)! }));
  }

  /** `sendMessage`: resolves the recipient, stores the message as QUEUED (`message.sent`) and queues its send. */
  async send(ctx: RequestContext, input: SendMessageInput): Promise<Message> {
    const { tenantId } = ctx.tenant();
    const manager = await ctx.tenant().manager();
    const userId = ctx.identity?.kind === 'user' ? ctx.identity.userId : null;
    const targets = [input.conversationId, input.contactId, input.phone].filter((value) => value !== undefined && value !== null);
    if (targets.length !== 1) throw validationFailed('Give exactly one of conversationId, contactId or phone');
    const body = input.body?.trim() ? input.body : null;
    if (!body && !input.documentId) throw validationFailed('A message needs a body, a document, or both');

    // A phone, or the WhatsApp id of a customer who hides their number.
    let recipient: string | null = null;
    let contactId: string | null = input.contactId ?? null;
    let conversation: { id: string; session_id: string | null; address: string } | undefined;
    if (input.conversationId) {
      [conversation] = await manager.query(
        `SELECT c.id, c.session_id, COALESCE(ct.phone, ct.whatsapp_id) AS address FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE c.id = $1`,
        [input.conversationId],
      );
      if (!conversation) throw notFound('Conversation');
      recipient = conversation.address;
    } else if (contactId) {
      const [contact]: Array<{ address: string }> = await manager.query(
        'SELECT COALESCE(phone, whatsapp_id) AS address FROM contacts WHERE id = $1 AND deleted_at IS NULL',
        [contactId],
      );
      if (!contact) throw notFound('Contact');
      recipient = contact.address;
    } else {
      // Typed the national way ('07911 123456') in the tenant's default country, or international.
      const country = await tenantDefaultCountry(manager);
      recipient = (country && nationalPhone(input.phone ?? '', country)) || toE164Digits(input.phone ?? '');
      if (!recipient || !CONTACT_PHONE.test(recipient)) throw validationFailed('phone is not an international phone number', { field: 'phone' });
    }

    const session = await this.channelFor(manager, input.sessionId ?? conversation?.session_id ?? null);
    let type = MessageType.TEXT;
    if (input.documentId) {
      const [document]: Array<{ content_type: string }> = await manager.query(
        'SELECT content_type FROM documents WHERE id = $1 AND deleted_at IS NULL',
        [input.documentId],
      );
      if (!document) throw notFound('Document');
      type = document.content_type.startsWith('image/') ? MessageType.IMAGE : MessageType.DOCUMENT;
    }

    const id = randomUUID();
    const jobId = await this.enqueue(tenantId, id);
    let stored: { message: Message; conversation: Conversation };
    try {
      stored = await ctx.tenant().transaction(async ({ manager: tx, record }) => {
        if (!contactId && !input.conversationId) {
          const [contact]: Array<{ id: string }> = await tx.query(
            `INSERT INTO contacts (name, phone) VALUES ($1, $1)
             ON CONFLICT (phone) WHERE deleted_at IS NULL DO UPDATE SET phone = EXCLUDED.phone RETURNING id`,
            [recipient],
          );
          contactId = contact.id;
        }
        let conversationId = input.conversationId;
        if (!conversationId) {
          const [row]: Array<{ id: string }> = await tx.query(
            `INSERT INTO conversations (contact_id, session_id) VALUES ($1, $2)
             ON CONFLICT (contact_id, session_id) DO UPDATE SET updated_at = now() RETURNING id`,
            [contactId, session.id],
          );
          conversationId = row.id;
        }
        const quota = await this.claimMonthlyMessage(tx, tenantId);
        if (!quota.ok) {
          throw new AppError(ErrorCode.PLAN_LIMIT_REACHED, `Your plan allows ${quota.limit} messages a month`, { limit: quota.limit });
        }
        let replyToId: string | null = null;
        if (input.replyToId) {
          const [quoted]: Array<{ id: string }> = await tx.query('SELECT id FROM messages WHERE id = $1 AND conversation_id = $2', [
            input.replyToId,
            conversationId,
          ]);
          if (!quoted) throw validationFailed('replyToId must be a message of the same conversation', { field: 'replyToId' });
          replyToId = quoted.id;
        }
        const queued = await this.insertQueued(tx, {
          id,
          conversationId,
          fromAddress: session.phone_number ?? session.external_session_id,
          toAddress: recipient!,
          body,
          type,
          documentId: input.documentId ?? null,
          replyToId,
          sentByUserId: userId,
        });
        record(messageSent(queued.message, queued.conversation));
        return queued;
      });
    } catch (error) {
      await this.deps.jobs.cancel(OUTBOUND_SEND_QUEUE, jobId);
      throw error;
    }
    this.wake();
    return stored.message;
  }

  /** The given channel, else the tenant's first working one (oldest first). */
  private async channelFor(manager: EntityManager, sessionId: string | null) {
    const rows: Array<{ id: string; status: string; phone_number: string | null; external_session_id: string }> = sessionId
      ? await manager.query('SELECT id, status, phone_number, external_session_id FROM whatsapp_sessions WHERE id = $1', [sessionId])
      : await manager.query(
          `SELECT id, status, phone_number, external_session_id FROM whatsapp_sessions
            WHERE status <> 'STOPPED' ORDER BY (status = 'WORKING') DESC, created_at ASC LIMIT 1`,
        );
    const session = rows[0];
    if (!session) {
      if (sessionId) throw notFound('WhatsApp session');
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Connect WhatsApp first (connectWhatsApp)');
    }
    if (session.status === 'STOPPED') throw validationFailed('That WhatsApp channel is disconnected', { field: 'sessionId' });
    return session;
  }
}
