import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { InboundMessageEvent, MessageType as ChannelMessageType } from '../../../channels/channel-events';
import { ProviderError } from '../../../channels/channel-errors';
import { parseWhatsAppAddress } from '../../../channels/whatsapp-address';
import { preparedQuery } from '../../../platform/db/prepared-query';
import type { Logger } from '../../../platform/logger';
import { appendEvents, eventsFromJson, RECORDED_EVENTS_JSON, recordEventsCte } from '../../../platform/events/event-log';
import type { DomainEvent } from '../../../platform/events/domain-event';
import type { EventDispatcher } from '../../../platform/events/event-dispatcher';
import type { FileStorage } from '../../../platform/storage/file-storage';
import type { TenantRouter } from '../../../platform/tenancy/tenant-router';
import { ContactEventType, contactPayloadSql } from '../../contacts/contacts.module';
import {
  conversationPayloadSql,
  InboxEventType,
  messagePayloadSql,
  messageSent,
  MessageStatus,
  MessageType,
  type Message,
} from '../../inbox/inbox.module';
import type { ChannelTarget } from '../channels/channel-route-cache';
import type { SessionProviders } from '../channels/session-providers';
import type { OutboundMessages } from '../outbound/outbound-message.service';
import type { InboundAutoReplies } from './inbound-auto-replies';
import type { IngestResult } from './ingest-result';
import { conversationFromRow, messageFromRow, MESSAGE_RETURNING } from './inbound-rows';

const CONTACT_PHONE = /^[1-9][0-9]{6,14}$/;

/**
 * One inbound message in ONE statement: the message is claimed (a webhook_events row keyed on its
 * provider id, so deliveries of one message, under the same or different event ids, serialize on
 * that unique key and only the first goes on; a message we sent ourselves is already in messages),
 * then the contact (by phone, or by WhatsApp id when the customer hides their number) and the
 * conversation are upserted on their unique indexes (concurrent
 * deliveries for a new customer cannot create two of either), the unread count raised and the
 * message inserted, and the domain events recorded (`contact.created` for a new customer, then
 * `message.received`). Everything downstream of a claim that did not happen is a no-op. A statement
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
  RETURNING *, (xmax = 0) AS created
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
), ${recordEventsCte(`(type, actor_kind, actor_id, subject_id, payload)
  SELECT e.type, 'PROVIDER', $1, e.subject_id, e.payload FROM (
    SELECT 1 AS ord, '${ContactEventType.CREATED}' AS type, contact.id AS subject_id,
           jsonb_build_object('contact', ${contactPayloadSql('contact')}) AS payload
      FROM contact WHERE contact.created AND EXISTS (SELECT 1 FROM msg)
    UNION ALL
    SELECT 2, '${InboxEventType.MESSAGE_RECEIVED}', msg.id,
           jsonb_build_object('message', ${messagePayloadSql('msg')}, 'conversation', ${conversationPayloadSql('conv')})
      FROM msg, conv
  ) AS e ORDER BY e.ord`)}
SELECT msg.*, ${RECORDED_EVENTS_JSON} AS events,
       conv.id AS c_id, conv.contact_id AS c_contact_id, conv.session_id AS c_session_id, conv.assignee_user_id AS c_assignee_user_id,
       conv.status AS c_status, conv.unread_count AS c_unread_count, conv.last_message_at AS c_last_message_at,
       conv.last_message_id AS c_last_message_id, conv.created_at AS c_created_at, conv.updated_at AS c_updated_at
  FROM (SELECT 1) AS one LEFT JOIN conv ON true LEFT JOIN msg ON true`;

/** Contacts are keyed by phone, or by WhatsApp id for customers who hide their number. */
const INBOUND_BY_PHONE_SQL = inboundSql('phone');
const INBOUND_BY_WHATSAPP_ID_SQL = inboundSql('whatsapp_id');

class DuplicateMessage extends Error {}

/** Auto-replies are the system's doing, on the tenant's rules. */
const AUTO_REPLY_ACTOR = { kind: 'SYSTEM', id: 'auto-reply' } as const;

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

export interface InboundMessageHandlerDeps {
  router: TenantRouter;
  dispatcher: Pick<EventDispatcher, 'dispatch'>;
  storage: FileStorage;
  providers: SessionProviders;
  autoReplies: InboundAutoReplies;
  outbound: OutboundMessages;
  log: Logger;
  maxMediaBytes: number;
}

/**
 * A message event (a customer's message, or one typed on the linked phone): stored once with its
 * contact and conversation, its media copied, and an auto-reply queued when a rule answers it.
 */
export class InboundMessageHandler {
  constructor(private readonly deps: InboundMessageHandlerDeps) {}

  /** Stores a message (customer's, or typed on the linked phone) and fires auto-replies. */
  async handle(target: ChannelTarget, event: InboundMessageEvent): Promise<{ result: IngestResult; message?: Message }> {
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

    const recorded: DomainEvent[] = [];
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
      const [statement, sql] = hiddenId ? ['ingest_inbound_hidden_v3', INBOUND_BY_WHATSAPP_ID_SQL] : ['ingest_inbound_message_v3', INBOUND_BY_PHONE_SQL];
      const stored = (row: Record<string, unknown>) => {
        const { events, ...rest } = row;
        recorded.push(...eventsFromJson(tenantId, events));
        return { message: messageFromRow(rest), conversation: conversationFromRow(rest) };
      };

      if (!media?.file && !plan?.rules.length) {
        // The hot path: one statement, atomic and committed on return, its events included.
        const [row] = await preparedQuery(manager, statement, sql, params(null));
        if (row.id === null) return { result: 'duplicate' as const };
        return { result: 'stored' as const, message: stored(row).message };
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
          const { message, conversation } = stored(row);

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
            recorded.push(...(await appendEvents(tx, tenantId, AUTO_REPLY_ACTOR, [messageSent(reply.message, reply.conversation)])));
            wakeSender = true;
          }
          return { result: 'stored' as const, message };
        });
      } catch (error) {
        if (error instanceof DuplicateMessage) {
          recorded.length = 0;
          return { result: 'duplicate' as const };
        }
        throw error;
      }
    });
    if (wakeSender) this.deps.outbound.wake();
    await this.deps.dispatcher.dispatch(tenantId, recorded);
    return outcome;
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

