import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type {
  ChannelEvent,
  InboundMessageEvent,
  MessageStatusEvent,
  MessageType as ChannelMessageType,
  ReactionEvent,
  SessionStatusEvent,
} from '../../../channels/channel-events';
import { ProviderError } from '../../../channels/channel-errors';
import { parseWhatsAppAddress } from '../../../channels/whatsapp-address';
import { camelizeRow } from '../../../platform/db/raw-rows';
import { preparedQuery } from '../../../platform/db/prepared-query';
import type { Logger } from '../../../platform/logger';
import type { TenantEvent, TenantEventBus } from '../../../platform/realtime/tenant-events';
import type { FileStorage } from '../../../platform/storage/file-storage';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import type { AutoReplies } from '../../auto-replies/auto-reply.service';
import type { Conversation } from '../../inbox/conversation.entity';
import type { ChannelTarget } from '../channels/channel-route-cache';
import type { SessionProviders } from '../channels/session-providers';
import type { WhatsappSession } from '../channels/whatsapp-session.entity';
import { SESSION_COLUMNS } from '../channels/whatsapp-session.service';
import { conversationUpdatedEvent, messageReceivedEvent, messageUpdatedEvent, whatsappSessionUpdatedEvent } from '../../inbox/inbox-events';
import { MESSAGE_STATUS_RANK, MessageStatus, MessageType, type Message } from '../../inbox/message.entity';
import { MESSAGE_COLUMNS } from '../../inbox/message.loaders';
import type { OutboundMessages } from '../outbound/outbound-message.service';
import type { WebhookEventRetention } from './webhook-event-retention';

/** What happened to one event: stored, already stored, deliberately skipped, or to be redelivered later. */
export type IngestResult = 'stored' | 'duplicate' | 'ignored' | 'retry';

export interface IngestOutcome {
  stored: number;
  duplicates: number;
  ignored: number;
  /** Events that could not be stored yet (e.g. an ack for a send whose id is not recorded yet): answer non-2xx. */
  retry: number;
}

/** The message columns the API shows (crm-core's list), as SQL: raw_payload can be large and stays put. */
export const MESSAGE_RETURNING = MESSAGE_COLUMNS.map((column) => column.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)).join(', ');


const CONTACT_PHONE = /^[1-9][0-9]{6,14}$/;

/** An ack for a message we do not know yet is worth a redelivery only while its send may still be recording its id. */
const UNKNOWN_ACK_RETRY_WINDOW_MS = 2 * 60_000;

/**
 * One inbound message in ONE statement: the message is claimed (a webhook_events row keyed on its
 * provider id, so deliveries of one message, under the same or different event ids, serialize on
 * that unique key and only the first goes on; a message we sent ourselves is already in messages),
 * then the contact (by phone, or by WhatsApp id when the customer hides their number) and the
 * conversation are upserted on their unique indexes (concurrent
 * deliveries for a new customer cannot create two of either), the unread count raised and the
 * message inserted. Everything downstream of a claim that did not happen is a no-op. A statement
 * is atomic, so without auto-reply rules or media this runs on its own (one round trip, committed
 * when it returns); otherwise inside a transaction, where the conversation upsert's row lock
 * serializes the auto-reply cooldown check.
 */
const inboundSql = (contactKey: 'phone' | 'whatsapp_id') => `
WITH claim AS (
  INSERT INTO webhook_events (provider, event_id)
  SELECT $1, 'message:' || CASE WHEN length($14::varchar) > 240 THEN md5($14::varchar) ELSE $14::varchar END
   WHERE NOT EXISTS (SELECT 1 FROM messages WHERE provider_message_id = $14::varchar)
  ON CONFLICT (provider, event_id) DO NOTHING RETURNING 1
), contact AS (
  INSERT INTO contacts (name, phone, whatsapp_id) SELECT $2::varchar, $3::varchar, $18::varchar FROM claim
  ON CONFLICT (${contactKey}) WHERE deleted_at IS NULL DO UPDATE
    SET name = CASE WHEN contacts.name = contacts.${contactKey} AND EXCLUDED.name <> EXCLUDED.${contactKey} THEN EXCLUDED.name ELSE contacts.name END
  RETURNING id
), conv AS (
  INSERT INTO conversations AS cv (contact_id, session_id, unread_count, last_message_at, last_message_id)
  SELECT contact.id, $4::uuid, $5::int, $6::timestamptz, $7::uuid FROM contact
  ON CONFLICT (contact_id, session_id) DO UPDATE SET
    unread_count = cv.unread_count + EXCLUDED.unread_count,
    status = CASE WHEN EXCLUDED.unread_count > 0 AND cv.status = 'CLOSED' THEN 'OPEN' ELSE cv.status END,
    last_message_id = CASE WHEN cv.last_message_at IS NULL OR EXCLUDED.last_message_at >= cv.last_message_at
                           THEN EXCLUDED.last_message_id ELSE cv.last_message_id END,
    last_message_at = GREATEST(cv.last_message_at, EXCLUDED.last_message_at),
    updated_at = now()
  RETURNING cv.*
), msg AS (
  INSERT INTO messages (id, conversation_id, direction, from_address, to_address, body, type, status, provider_message_id,
                        raw_payload, provider_timestamp, reply_to_id, document_id)
  SELECT $7::uuid, conv.id, $8, $9, $10, $11, $12, $13, $14::varchar, $15::jsonb, $6::timestamptz,
         (SELECT id FROM messages WHERE provider_message_id = $16::varchar), $17::uuid
    FROM conv
  ON CONFLICT (provider_message_id) DO NOTHING
  RETURNING ${MESSAGE_RETURNING}
)
SELECT msg.*,
       conv.id AS c_id, conv.contact_id AS c_contact_id, conv.session_id AS c_session_id, conv.assignee_user_id AS c_assignee_user_id,
       conv.status AS c_status, conv.unread_count AS c_unread_count, conv.last_message_at AS c_last_message_at,
       conv.last_message_id AS c_last_message_id, conv.created_at AS c_created_at, conv.updated_at AS c_updated_at
  FROM (SELECT 1) AS one LEFT JOIN conv ON true LEFT JOIN msg ON true`;

/** Contacts are keyed by phone, or by WhatsApp id for customers who hide their number. */
const INBOUND_BY_PHONE_SQL = inboundSql('phone');
const INBOUND_BY_WHATSAPP_ID_SQL = inboundSql('whatsapp_id');

/**
 * An ack moves the message up the ladder only: the UPDATE matches when the current rank is in
 * [$5, $6), so a stale or repeated ack changes nothing. A Cloud status carrying our client id
 * (biz_opaque_callback_data) also attaches the provider id to a send whose answer we never saw.
 */
const STATUS_SQL = `
WITH ev AS (
  INSERT INTO webhook_events (provider, event_id) VALUES ($1::varchar, $2::varchar)
  ON CONFLICT (provider, event_id) DO NOTHING RETURNING 1
), upd AS (
  UPDATE messages SET provider_message_id = $3::varchar, status = $4::varchar,
         failure_reason = CASE WHEN $4::varchar = 'FAILED' THEN $7::text ELSE NULL END, updated_at = now()
   WHERE EXISTS (SELECT 1 FROM ev)
     AND (provider_message_id = $3::varchar OR ($8::varchar IS NOT NULL AND provider_message_id IS NULL AND client_message_id = $8::varchar))
     AND status_rank >= $5::int AND status_rank < $6::int
  RETURNING ${MESSAGE_RETURNING}
)
SELECT (SELECT count(*) FROM ev)::int AS fresh,
       EXISTS (SELECT 1 FROM messages WHERE provider_message_id = $3::varchar
                  OR ($8::varchar IS NOT NULL AND client_message_id = $8::varchar)) AS known,
       upd.*
  FROM (SELECT 1) AS one LEFT JOIN upd ON true`;

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

const SESSION_SQL = `
WITH ev AS (
  INSERT INTO webhook_events (provider, event_id) VALUES ($1::varchar, $2::varchar)
  ON CONFLICT (provider, event_id) DO NOTHING RETURNING 1
)
UPDATE whatsapp_sessions SET status = $3::varchar,
       qr_code = CASE WHEN $3::varchar = 'SCAN_QR_CODE' THEN COALESCE($4::text, qr_code) ELSE NULL END,
       phone_number = COALESCE($5::varchar, phone_number),
       engine = COALESCE($6::varchar, engine),
       last_error = CASE WHEN $3::varchar = 'FAILED' THEN $7::text WHEN $3::varchar = 'WORKING' THEN NULL ELSE last_error END,
       updated_at = now()
 WHERE id = $8::uuid AND EXISTS (SELECT 1 FROM ev)
RETURNING ${SESSION_COLUMNS}`;

class DuplicateMessage extends Error {}

const TYPE_MAP: Readonly<Record<ChannelMessageType, MessageType>> = {
  TEXT: MessageType.TEXT,
  IMAGE: MessageType.IMAGE,
  VIDEO: MessageType.VIDEO,
  AUDIO: MessageType.AUDIO,
  VOICE: MessageType.AUDIO,
  DOCUMENT: MessageType.DOCUMENT,
  STICKER: MessageType.STICKER,
  LOCATION: MessageType.LOCATION,
  CONTACT: MessageType.OTHER,
  INTERACTIVE: MessageType.OTHER,
  UNKNOWN: MessageType.OTHER,
};

export interface MessageIngestDeps {
  router: TenantRouter;
  events: TenantEventBus;
  storage: FileStorage;
  providers: SessionProviders;
  autoReplies: AutoReplies;
  outbound: OutboundMessages;
  log: Logger;
  maxMediaBytes: number;
  retention: WebhookEventRetention;
}

/**
 * Stores provider events (webhooks, sandbox) idempotently in the tenant's database and publishes
 * them to subscribers after commit. Deliveries are at-least-once and unordered: events are
 * deduplicated on (provider, event id) AND on the provider message id, and acks only ever move a
 * message up its status ladder.
 */
export class MessageIngest {
  constructor(private readonly deps: MessageIngestDeps) {}

  /** Stores a webhook's events for one channel, one transaction each, in order. */
  async ingest(target: ChannelTarget, events: ChannelEvent[]): Promise<IngestOutcome> {
    const outcome: IngestOutcome = { stored: 0, duplicates: 0, ignored: 0, retry: 0 };
    for (const event of events) {
      const result = await this.ingestOne(target, event);
      if (result === 'stored') outcome.stored += 1;
      else if (result === 'duplicate') outcome.duplicates += 1;
      else if (result === 'ignored') outcome.ignored += 1;
      else outcome.retry += 1;
    }
    return outcome;
  }

  /** One event; the inbound message (with the created message) when one was stored. */
  async ingestOne(target: ChannelTarget, event: ChannelEvent): Promise<IngestResult> {
    this.deps.retention.ingested(target.tenantId);
    switch (event.kind) {
      case 'message':
        return (await this.inboundMessage(target, event)).result;
      case 'status':
        return this.status(target, event);
      case 'session':
        return this.sessionStatus(target, event);
      case 'reaction':
        return this.reaction(target, event);
    }
  }

  /** Stores a message (customer's, or typed on the linked phone) and fires auto-replies. */
  async inboundMessage(target: ChannelTarget, event: InboundMessageEvent): Promise<{ result: IngestResult; message?: Message }> {
    const { tenantId, sessionId } = target;
    const log = this.deps.log;
    // Contacts are people: a group chat has none. A customer who hides their number (an `@lid`
    // chat) is known by that WhatsApp id instead.
    if (event.chatType === 'GROUP') return { result: 'ignored' };
    const phone = event.direction === 'INBOUND' ? event.from : event.to;
    const chat = phone ? null : parseWhatsAppAddress(event.chatId);
    const hiddenId = chat?.kind === 'lid' ? chat.id : null;
    if (phone ? !CONTACT_PHONE.test(phone) : !hiddenId) return { result: 'ignored' };
    const peer = phone ?? hiddenId!;

    const published: TenantEvent[] = [];
    let wakeSender = false;
    const outcome = await this.deps.router.withTenant(tenantId, async (manager) => {
      const plan = event.direction === 'INBOUND' ? await this.deps.autoReplies.plan(tenantId, sessionId, manager) : null;
      const media = event.media ? await this.copyMedia(tenantId, sessionId, manager, event) : null;
      if (media === 'duplicate') return { result: 'duplicate' as const };
      if (media === 'retry') return { result: 'retry' as const };

      const messageId = randomUUID();
      const inbound = event.direction === 'INBOUND';
      const raw = media?.error ? { ...(event.raw as object), mediaError: media.error } : event.raw;
      const params = (documentId: string | null) => [
        event.provider,
        (event.fromName && inbound ? event.fromName : peer).slice(0, 200),
        phone,
        sessionId,
        inbound ? 1 : 0,
        event.timestamp,
        messageId,
        event.direction,
        event.from ?? event.fromId,
        event.to ?? '',
        messageBody(event),
        TYPE_MAP[event.type] ?? MessageType.OTHER,
        inbound ? MessageStatus.DELIVERED : MessageStatus.SENT,
        event.providerMessageId,
        JSON.stringify(raw ?? null),
        event.replyTo ?? null,
        documentId,
        hiddenId,
      ];
      const [statement, sql] = hiddenId ? ['ingest_inbound_hidden_v2', INBOUND_BY_WHATSAPP_ID_SQL] : ['ingest_inbound_message_v2', INBOUND_BY_PHONE_SQL];
      const stored = (row: Record<string, unknown>) => {
        const message = messageFromRow(row);
        published.push(messageReceivedEvent(tenantId, message));
        return { message, conversation: conversationFromRow(row) };
      };

      if (!media?.file && !plan?.rules.length) {
        // The hot path: one statement, atomic and committed on return.
        const [row] = await preparedQuery(manager, statement, sql, params(null));
        if (row.id === null) return { result: 'duplicate' as const };
        const { message, conversation } = stored(row);
        published.push(conversationUpdatedEvent(tenantId, conversation));
        return { result: 'stored' as const, message };
      }
      try {
        return await manager.transaction(async (tx) => {
          let documentId: string | null = null;
          if (media?.file) {
            const [document]: Array<{ id: string }> = await tx.query(
              `INSERT INTO documents (filename, content_type, size_bytes, sha256, storage_key, source)
               VALUES ($1, $2, $3, $4, $5, 'INBOUND_MEDIA') RETURNING id`,
              [media.filename, media.mimetype, media.file.sizeBytes, media.file.sha256, media.file.key],
            );
            documentId = document.id;
          }
          const [row] = await preparedQuery(tx, statement, sql, params(documentId));
          if (row.id === null) throw new DuplicateMessage(); // rolls back the document row too
          const first = stored(row);
          const message = first.message;
          let conversation = first.conversation;

          const rule = plan?.rules.length ? this.deps.autoReplies.choose(plan, event.body, new Date()) : null;
          // Over the plan's monthly messages, the customer's message is stored all the same, unanswered.
          if (rule && (await this.deps.autoReplies.tryFire(tx, rule, conversation.id)) && (await this.deps.outbound.claimMonthlyMessage(tx, tenantId)).ok) {
            const replyId = randomUUID();
            await this.deps.outbound.enqueue(tenantId, replyId);
            const reply = await this.deps.outbound.insertQueued(tx, {
              id: replyId,
              conversationId: conversation.id,
              fromAddress: event.to ?? '',
              toAddress: peer,
              body: rule.replyBody,
              type: MessageType.TEXT,
            });
            published.push(messageUpdatedEvent(tenantId, reply.message)); // a new outbound message
            conversation = reply.conversation;
            wakeSender = true;
          }
          published.push(conversationUpdatedEvent(tenantId, conversation));
          return { result: 'stored' as const, message };
        });
      } catch (error) {
        if (error instanceof DuplicateMessage) {
          published.length = 0;
          return { result: 'duplicate' as const };
        }
        throw error;
      }
    });
    if (wakeSender) this.deps.outbound.wake();
    await this.publish(published, log);
    return outcome;
  }

  private async status(target: ChannelTarget, event: MessageStatusEvent): Promise<IngestResult> {
    const failed = event.status === 'FAILED';
    const rank = MESSAGE_STATUS_RANK[event.status as MessageStatus];
    // FAILED only replaces QUEUED or SENT; any other status replaces a lower rank, FAILED (-1) included.
    const [minRank, maxRank] = failed ? [0, 2] : [-1, rank];
    const reason = event.error ? `${event.error.code}: ${event.error.message}`.slice(0, 1000) : null;
    const { tenantId } = target;
    return this.deps.router.withTenant(tenantId, async (manager) => {
      const [row] = await preparedQuery(manager, 'ingest_message_status_v1', STATUS_SQL, [
        event.provider,
        event.eventId,
        event.providerMessageId,
        event.status,
        minRank,
        maxRank,
        reason,
        event.clientMessageId ?? null,
      ]);
      if (row.fresh === 0) return 'duplicate';
      if (row.id !== null) {
        await this.publish([messageUpdatedEvent(tenantId, messageFromRow(row))], this.deps.log);
        return 'stored';
      }
      if (row.known) return 'stored'; // a stale or repeated ack: the message is already further up
      // An ack can overtake the send that is still recording the provider's id: ask for a redelivery.
      if (Date.now() - event.timestamp.getTime() < UNKNOWN_ACK_RETRY_WINDOW_MS) {
        await manager.query('DELETE FROM webhook_events WHERE provider = $1 AND event_id = $2', [event.provider, event.eventId]);
        return 'retry';
      }
      return 'ignored';
    });
  }

  private async reaction(target: ChannelTarget, event: ReactionEvent): Promise<IngestResult> {
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
      await this.publish([messageUpdatedEvent(tenantId, messageFromRow(row))], this.deps.log);
      return 'stored';
    });
  }

  private async sessionStatus(target: ChannelTarget, event: SessionStatusEvent): Promise<IngestResult> {
    const { tenantId, sessionId } = target;
    return this.deps.router.withTenant(tenantId, async (manager) => {
      let qr = event.qr ?? null;
      if (event.status === 'SCAN_QR_CODE' && !qr) {
        // WAHA announces each QR rotation without the QR itself: fetch the current one.
        const handle = await this.deps.providers.get(tenantId, sessionId, manager);
        qr = (await handle.provider.getQrCode().catch(() => null))?.value ?? null;
      }
      const engine = (event.raw as { engine?: unknown } | null)?.engine;
      const [rows]: [Array<Record<string, unknown>>, number] = await manager.query(SESSION_SQL, [
        event.provider,
        event.eventId,
        event.status,
        qr,
        event.me?.phone ?? null,
        typeof engine === 'string' ? engine.slice(0, 50) : null,
        event.status === 'FAILED' ? `${event.providerStatus}` : null,
        sessionId,
      ]);
      if (rows.length === 0) return 'duplicate';
      await this.publish([whatsappSessionUpdatedEvent(tenantId, camelizeRow<WhatsappSession>(rows[0]))], this.deps.log);
      return 'stored';
    });
  }

  /**
   * Copies a message's media into our storage before the transaction (providers delete theirs:
   * WAHA after 180 s). Skipped for a message we already have. A provider failure that may pass
   * asks for a redelivery; a permanent one stores the message without its media.
   */
  private async copyMedia(
    tenantId: string,
    sessionId: string,
    manager: EntityManager,
    event: InboundMessageEvent,
  ): Promise<'duplicate' | 'retry' | { file?: Awaited<ReturnType<FileStorage['put']>>; mimetype: string; filename: string; error?: string }> {
    const existing: unknown[] = await manager.query('SELECT 1 FROM messages WHERE provider_message_id = $1', [event.providerMessageId]);
    if (existing.length > 0) return 'duplicate';
    const ref = event.media!;
    try {
      const handle = await this.deps.providers.get(tenantId, sessionId, manager);
      const media = await handle.provider.fetchMedia(ref);
      const file = await this.deps.storage.put(tenantId, media.bytes, { maxBytes: this.deps.maxMediaBytes });
      const mimetype = (media.mimetype || ref.mimetype || 'application/octet-stream').slice(0, 255);
      return { file, mimetype, filename: (media.filename ?? ref.filename ?? defaultFilename(mimetype)).slice(0, 255) };
    } catch (error) {
      if (error instanceof ProviderError && error.retryable) return 'retry';
      this.deps.log.warn({ err: error, tenantId, providerMessageId: event.providerMessageId }, 'inbound media could not be copied');
      return { mimetype: ref.mimetype, filename: ref.filename ?? '', error: (error as Error).message?.slice(0, 500) ?? 'media unavailable' };
    }
  }

  private async publish(events: TenantEvent[], log: Logger): Promise<void> {
    for (const event of events) {
      await this.deps.events.publish(event).catch((error) => log.error({ err: error, type: event.type }, 'could not publish an event'));
    }
  }
}

function messageBody(event: InboundMessageEvent): string | null {
  if (event.body) return event.body;
  if (event.location) return event.location.name ?? event.location.address ?? `${event.location.latitude},${event.location.longitude}`;
  return null;
}

function defaultFilename(mimetype: string): string {
  const extension = mimetype.split('/')[1]?.split(/[;+]/)[0] ?? 'bin';
  return `media.${extension.replace(/[^a-z0-9]/gi, '') || 'bin'}`;
}

export function messageFromRow(row: Record<string, unknown>): Message {
  const message: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (!key.startsWith('c_') && key !== 'fresh' && key !== 'known') message[key] = value;
  return camelizeRow<Message>(message);
}

function conversationFromRow(row: Record<string, unknown>): Conversation {
  const conversation: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (key.startsWith('c_')) conversation[key.slice(2)] = value;
  return camelizeRow<Conversation>(conversation);
}
