import { z } from 'zod';
import type {
  DeliveryStatus,
  IgnoredEvent,
  InboundMessageEvent,
  MediaRef,
  MessageStatusEvent,
  MessageType,
  ParsedWebhook,
  ReactionEvent,
} from '../channel-events';
import { MalformedWebhookError } from '../channel-errors';
import { checkWebhookPart, decodeWebhookBody } from '../webhook-body';
import { isRetryableCloudCode } from './cloud-error-codes';

/**
 * Cloud API webhook body → normalised events, grouped by routing key
 * (`entry[].changes[].value.metadata.phone_number_id`): one body may carry changes for several
 * numbers, which may belong to different tenants.
 *
 * - `messages[]` (+ `contacts[]` for the sender's profile name) → InboundMessageEvent;
 *   `type: reaction` → ReactionEvent; `type: system` is ignored.
 * - `statuses[]` → MessageStatusEvent (sent, delivered, read, failed; others ignored);
 *   `biz_opaque_callback_data` comes back as `clientMessageId`.
 * - Changes of other fields (template status, account updates, ...) are ignored.
 * - A malformed body throws MalformedWebhookError and yields nothing.
 * - eventId: `cloud_msg_<wamid>` / `cloud_status_<wamid>_<status>`; a redelivery keeps it.
 */

const digits = z.string().regex(/^\d{5,20}$/, 'must be digits');
const epochSeconds = z.string().regex(/^\d{1,12}$/, 'must be epoch seconds');
const nonEmpty = z.string().min(1);

const mediaSchema = z.object({
  id: nonEmpty,
  mime_type: nonEmpty,
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});

const errorSchema = z.object({
  code: z.union([z.number(), z.string()]),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});

const messageSchema = z.object({
  from: digits,
  id: nonEmpty,
  timestamp: epochSeconds,
  type: nonEmpty,
  text: z.object({ body: z.string() }).optional(),
  image: mediaSchema.optional(),
  video: mediaSchema.optional(),
  audio: mediaSchema.optional(),
  document: mediaSchema.optional(),
  sticker: mediaSchema.optional(),
  location: z
    .object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() })
    .optional(),
  contacts: z.array(z.unknown()).optional(),
  context: z.object({ from: z.string().optional(), id: z.string().optional() }).optional(),
  reaction: z.object({ message_id: nonEmpty, emoji: z.string().optional() }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.object({ id: z.string(), title: z.string() }).optional(),
    })
    .optional(),
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  errors: z.array(errorSchema).optional(),
});

const statusSchema = z.object({
  id: nonEmpty,
  status: nonEmpty,
  timestamp: epochSeconds,
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(errorSchema).optional(),
});

const messagesValueSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  metadata: z.object({ display_phone_number: z.string(), phone_number_id: digits }),
  contacts: z.array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string().optional() }).optional() })).optional(),
  messages: z.array(messageSchema).optional(),
  statuses: z.array(statusSchema).optional(),
  errors: z.array(errorSchema).optional(),
});

const bodySchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: nonEmpty,
      changes: z.array(z.object({ field: nonEmpty, value: z.unknown() })),
    }),
  ),
});

type CloudMessage = z.infer<typeof messageSchema>;
type CloudStatus = z.infer<typeof statusSchema>;
type MessagesValue = z.infer<typeof messagesValueSchema>;

export interface ParsedCloudWebhook extends ParsedWebhook {
  provider: 'CLOUD';
  /** phone_number_id: the channel route key. */
  routingKey: string;
  /** WhatsApp Business Account id of the entry. */
  businessAccountId: string;
}

const STATUS_MAP: Readonly<Record<string, DeliveryStatus>> = {
  sent: 'SENT',
  delivered: 'DELIVERED',
  read: 'READ',
  played: 'PLAYED',
  failed: 'FAILED',
};

const MEDIA_TYPES: Readonly<Record<string, MessageType>> = {
  image: 'IMAGE',
  video: 'VIDEO',
  audio: 'AUDIO',
  document: 'DOCUMENT',
  sticker: 'STICKER',
};

export interface CloudWebhookParseResult {
  /** One group per phone_number_id, in order of first appearance. */
  byRoutingKey: ParsedCloudWebhook[];
  /** Changes of fields we do not handle (they carry no phone_number_id to route by). */
  ignored: IgnoredEvent[];
}

/** Parses one webhook body (raw bytes, text or parsed JSON) into events grouped by phone_number_id. */
export function parseCloudWebhook(body: unknown): CloudWebhookParseResult {
  const json = decodeWebhookBody('CLOUD', body);
  const root = checkWebhookPart('CLOUD', bodySchema, json, '');
  const byNumber = new Map<string, ParsedCloudWebhook>();
  const ignored: IgnoredEvent[] = [];
  root.entry.forEach((entry, entryIndex) => {
    entry.changes.forEach((change, changeIndex) => {
      const path = `entry.${entryIndex}.changes.${changeIndex}.value`;
      if (change.field !== 'messages') {
        ignored.push({ event: change.field, reason: 'webhook field not handled' });
        return;
      }
      const value = checkWebhookPart('CLOUD', messagesValueSchema, change.value, path);
      const routingKey = value.metadata.phone_number_id;
      let group = byNumber.get(routingKey);
      if (!group) {
        group = { provider: 'CLOUD', routingKey, businessAccountId: entry.id, events: [], ignored: [] };
        byNumber.set(routingKey, group);
      }
      for (const message of value.messages ?? []) addMessage(group, value, message, json);
      for (const status of value.statuses ?? []) addStatus(group, value, status, json);
      for (const error of value.errors ?? []) {
        group.ignored.push({ event: 'errors', reason: `webhook error ${error.code}: ${error.title ?? error.message ?? ''}` });
      }
    });
  });
  return { byRoutingKey: [...byNumber.values()], ignored };
}

function addMessage(group: ParsedCloudWebhook, value: MessagesValue, message: CloudMessage, body: unknown): void {
  const raw = { metadata: value.metadata, contacts: value.contacts, message, envelope: body };
  const timestamp = new Date(Number(message.timestamp) * 1000);
  if (message.type === 'reaction') {
    if (!message.reaction) throw new MalformedWebhookError('CLOUD', [`message ${message.id}: reaction type without reaction`]);
    const reaction: ReactionEvent = {
      kind: 'reaction',
      eventId: `cloud_reaction_${message.id}`,
      provider: 'CLOUD',
      routingKey: group.routingKey,
      timestamp,
      raw,
      providerMessageId: message.id,
      targetProviderMessageId: message.reaction.message_id,
      emoji: message.reaction.emoji ?? '',
      direction: 'INBOUND',
      chatId: message.from,
      from: message.from,
      fromId: message.from,
    };
    group.events.push(reaction);
    return;
  }
  if (message.type === 'system') {
    group.ignored.push({ event: 'messages', reason: 'system message', providerMessageId: message.id });
    return;
  }
  const { type, body: text, media, location } = content(message);
  const event: InboundMessageEvent = {
    kind: 'message',
    eventId: `cloud_msg_${message.id}`,
    provider: 'CLOUD',
    routingKey: group.routingKey,
    timestamp,
    raw,
    providerMessageId: message.id,
    direction: 'INBOUND',
    chatId: message.from,
    chatType: 'DIRECT',
    from: message.from,
    fromId: message.from,
    to: value.metadata.display_phone_number.replace(/\D/g, '') || null,
    body: text,
    type,
  };
  const name = value.contacts?.find((contact) => contact.wa_id === message.from)?.profile?.name;
  if (name) event.fromName = name;
  if (media) event.media = media;
  if (location) event.location = location;
  if (message.context?.id) event.replyTo = message.context.id;
  group.events.push(event);
}

function content(message: CloudMessage): {
  type: MessageType;
  body: string;
  media?: MediaRef;
  location?: InboundMessageEvent['location'];
} {
  const mediaType = MEDIA_TYPES[message.type];
  if (mediaType) {
    const media = message[message.type as 'image' | 'video' | 'audio' | 'document' | 'sticker'];
    if (!media) throw new MalformedWebhookError('CLOUD', [`message ${message.id}: ${message.type} type without ${message.type}`]);
    const ref: MediaRef = { provider: 'CLOUD', mediaId: media.id, mimetype: media.mime_type };
    if (media.sha256) ref.sha256 = media.sha256;
    if (media.filename) ref.filename = media.filename;
    const type = mediaType === 'AUDIO' && media.voice ? 'VOICE' : mediaType;
    return { type, body: media.caption ?? '', media: ref };
  }
  switch (message.type) {
    case 'text':
      if (!message.text) throw new MalformedWebhookError('CLOUD', [`message ${message.id}: text type without text`]);
      return { type: 'TEXT', body: message.text.body };
    case 'location': {
      if (!message.location) throw new MalformedWebhookError('CLOUD', [`message ${message.id}: location type without location`]);
      const location: NonNullable<InboundMessageEvent['location']> = {
        latitude: message.location.latitude,
        longitude: message.location.longitude,
      };
      if (message.location.name) location.name = message.location.name;
      if (message.location.address) location.address = message.location.address;
      return { type: 'LOCATION', body: '', location };
    }
    case 'contacts':
      return { type: 'CONTACT', body: '' };
    case 'interactive':
      return {
        type: 'INTERACTIVE',
        body: message.interactive?.button_reply?.title ?? message.interactive?.list_reply?.title ?? '',
      };
    case 'button':
      return { type: 'INTERACTIVE', body: message.button?.text ?? '' };
    default:
      return { type: 'UNKNOWN', body: '' };
  }
}

function addStatus(group: ParsedCloudWebhook, value: MessagesValue, status: CloudStatus, body: unknown): void {
  const mapped = STATUS_MAP[status.status];
  if (!mapped) {
    group.ignored.push({ event: 'statuses', reason: `status ${status.status}`, providerMessageId: status.id });
    return;
  }
  const event: MessageStatusEvent = {
    kind: 'status',
    eventId: `cloud_status_${status.id}_${status.status}`,
    provider: 'CLOUD',
    routingKey: group.routingKey,
    timestamp: new Date(Number(status.timestamp) * 1000),
    raw: { metadata: value.metadata, status, envelope: body },
    providerMessageId: status.id,
    status: mapped,
  };
  if (status.recipient_id) event.recipient = status.recipient_id;
  if (status.biz_opaque_callback_data) event.clientMessageId = status.biz_opaque_callback_data;
  if (mapped === 'FAILED') {
    const first = status.errors?.[0];
    const code = first ? String(first.code) : 'UNKNOWN';
    event.error = {
      code,
      message: [first?.title, first?.message, first?.error_data?.details].filter(Boolean).join(' — ') || 'failed',
      retryable: first ? isRetryableCloudCode(Number(first.code)) : false,
    };
  }
  group.events.push(event);
}
