import { createHash } from 'node:crypto';
import { z } from 'zod';
import type {
  DeliveryStatus,
  InboundMessageEvent,
  MediaRef,
  MessageStatusEvent,
  MessageType,
  ParsedWebhook,
  ReactionEvent,
  SessionStatusEvent,
} from '../channel-events';
import { MalformedWebhookError } from '../channel-errors';
import { checkWebhookPart, decodeWebhookBody } from '../webhook-body';
import { parseWhatsAppAddress, type WhatsAppAddress } from '../whatsapp-address';
import { mapWahaSessionStatus } from './waha-session-status';

/**
 * WAHA webhook body → normalised events. One body is one envelope
 * `{id, timestamp, event, session, metadata, me, payload, engine, environment}`.
 *
 * Decisions:
 * - Validation is strict on what we use (types, required fields, address syntax) and tolerant of
 *   extra fields, which WAHA adds per engine. A malformed body throws MalformedWebhookError and
 *   yields nothing.
 * - `message` and `message.any` parse the same way (subscribe to one of them only). Messages with
 *   `fromMe` and `source: "api"` are echoes of our own sends: ignored, because the send path
 *   records them (storing the echo too would race the send's own insert). `fromMe` messages from
 *   the linked phone (`source: "app"` or absent) become OUTBOUND message events so the inbox shows
 *   replies typed on the phone.
 * - Status updates (`status@broadcast`) and channel posts (`@newsletter`) are ignored.
 * - `message.ack` maps -1 ERROR→FAILED, 1 SERVER→SENT, 2 DEVICE→DELIVERED, 3 READ, 4 PLAYED;
 *   0 PENDING is ignored. In groups WEBJS appends `_<participant>` to the id; it is stripped so
 *   the ack matches the id our send returned.
 * - `message.ack.group` (one receipt per group member) is ignored: one member's READ is not the
 *   message's READ.
 * - Unknown events are ignored, not errors.
 * - eventId is the envelope `id` when present, else a hash of session, event, payload id and
 *   ack/status, so a redelivery of the same fact gets the same id.
 */

const address = z
  .string()
  .min(3)
  .refine((value) => parseWhatsAppAddress(value) !== null, { message: 'not a WhatsApp address' });

const envelopeSchema = z.object({
  id: z.string().min(1).nullish(),
  timestamp: z.number().nonnegative().nullish(),
  event: z.string().min(1),
  session: z.string().min(1).max(255),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  me: z.object({ id: z.string().min(3), pushName: z.string().nullish() }).nullish(),
  payload: z.unknown(),
  engine: z.string().nullish(),
});

const mediaSchema = z.object({
  url: z.string().min(1).nullish(),
  mimetype: z.string().min(1).nullish(),
  filename: z.string().nullish(),
  error: z.unknown().optional(),
});

const coordinate = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

const messageSchema = z.object({
  id: z.string().min(1),
  timestamp: z.number().nonnegative(),
  from: address,
  fromMe: z.boolean().default(false),
  to: address.nullish(),
  participant: address.nullish(),
  author: address.nullish(),
  source: z.string().nullish(),
  body: z.string().nullish(),
  hasMedia: z.boolean().default(false),
  media: mediaSchema.nullish(),
  location: z
    .object({ latitude: coordinate, longitude: coordinate, description: z.string().nullish() })
    .nullish(),
  vCards: z.array(z.string()).nullish(),
  replyTo: z.union([z.string().min(1), z.object({ id: z.string().min(1) }), z.null()]).optional(),
  _data: z.unknown().optional(),
});

const ACK_NAMES = ['ERROR', 'PENDING', 'SERVER', 'DEVICE', 'READ', 'PLAYED'] as const;

const ackSchema = z
  .object({
    id: z.string().min(1),
    from: address.nullish(),
    to: address.nullish(),
    participant: address.nullish(),
    fromMe: z.boolean().nullish(),
    ack: z.number().int().nullish(),
    ackName: z.string().nullish(),
  })
  .refine((ack) => typeof ack.ack === 'number' || typeof ack.ackName === 'string', {
    message: 'ack or ackName is required',
  });

const sessionStatusSchema = z.object({
  status: z.string().min(1),
  statuses: z.array(z.object({ status: z.string(), timestamp: z.number() })).nullish(),
  data: z.unknown().optional(),
});

const reactionSchema = z.object({
  id: z.string().min(1),
  from: address,
  fromMe: z.boolean().default(false),
  participant: address.nullish(),
  to: address.nullish(),
  timestamp: z.number().nonnegative(),
  reaction: z.object({ text: z.string(), messageId: z.string().min(1) }),
});

type Envelope = z.infer<typeof envelopeSchema>;

export interface ParsedWahaWebhook extends ParsedWebhook {
  provider: 'WAHA';
  /** WAHA session name: the channel route key. */
  routingKey: string;
  /** `config.metadata` set when the session was created; informational, never a tenant proof. */
  metadata: Record<string, unknown> | null;
  engine: string | null;
}

export interface WahaParseOptions {
  /** Clock for events that carry no time of their own. */
  now?: () => Date;
}


/** WAHA `ack` number → our ladder; null for PENDING (0) and for values WAHA does not define. */
export function mapWahaAck(ack: number): DeliveryStatus | null {
  switch (ack) {
    case -1:
      return 'FAILED';
    case 1:
      return 'SENT';
    case 2:
      return 'DELIVERED';
    case 3:
      return 'READ';
    case 4:
      return 'PLAYED';
    default:
      return null;
  }
}

/** Parses one webhook body (raw bytes, text or already-parsed JSON). Throws MalformedWebhookError. */
export function parseWahaWebhook(body: unknown, options: WahaParseOptions = {}): ParsedWahaWebhook {
  const json = decodeWebhookBody('WAHA', body);
  const envelope = checkWebhookPart('WAHA', envelopeSchema, json, '');
  const now = options.now ?? (() => new Date());
  const result: ParsedWahaWebhook = {
    provider: 'WAHA',
    routingKey: envelope.session,
    metadata: envelope.metadata ?? null,
    engine: envelope.engine ?? null,
    events: [],
    ignored: [],
  };
  const context: Context = { envelope, raw: json, now, result };
  switch (envelope.event) {
    case 'message':
    case 'message.any':
      parseMessage(context);
      break;
    case 'message.ack':
      parseAck(context);
      break;
    case 'message.ack.group':
      checkWebhookPart('WAHA', ackSchema, envelope.payload, 'payload');
      result.ignored.push({
        event: envelope.event,
        reason: 'per-member group receipt; the message status follows message.ack',
        providerMessageId: (envelope.payload as { id: string }).id,
      });
      break;
    case 'session.status':
      parseSessionStatus(context);
      break;
    case 'message.reaction':
      parseReaction(context);
      break;
    default:
      result.ignored.push({ event: envelope.event, reason: 'event not handled' });
  }
  return result;
}

interface Context {
  envelope: Envelope;
  raw: unknown;
  now: () => Date;
  result: ParsedWahaWebhook;
}

function parseMessage({ envelope, raw, result }: Context): void {
  const payload = checkWebhookPart('WAHA', messageSchema, envelope.payload, 'payload');
  if (payload.fromMe && !payload.to) {
    throw new MalformedWebhookError('WAHA', ['payload.to: required when fromMe is true']);
  }
  const chat = parseWhatsAppAddress(payload.fromMe ? (payload.to as string) : payload.from) as WhatsAppAddress;
  const ignore = (reason: string) =>
    result.ignored.push({ event: envelope.event, reason, providerMessageId: payload.id });
  if (chat.kind === 'broadcast' || chat.kind === 'newsletter') return void ignore(`${chat.kind} chat`);
  if (payload.fromMe && payload.source === 'api') return void ignore('echo of a message sent through the API');

  const me = envelope.me ? parseWhatsAppAddress(envelope.me.id) : null;
  const isGroup = chat.kind === 'group';
  let author: WhatsAppAddress;
  let recipient: WhatsAppAddress | null;
  if (payload.fromMe) {
    author = me ?? (parseWhatsAppAddress(payload.from) as WhatsAppAddress);
    recipient = isGroup ? null : chat;
  } else {
    const authorId = isGroup ? (payload.participant ?? payload.author) : payload.from;
    if (!authorId) throw new MalformedWebhookError('WAHA', ['payload.participant: required for group messages']);
    author = parseWhatsAppAddress(authorId) as WhatsAppAddress;
    recipient = me ?? (payload.to ? parseWhatsAppAddress(payload.to) : null);
  }

  const media = payload.hasMedia ? mediaRef(payload.media ?? null) : undefined;
  const event: InboundMessageEvent = {
    kind: 'message',
    eventId: eventId(envelope, payload.id),
    provider: 'WAHA',
    routingKey: envelope.session,
    timestamp: fromSeconds(payload.timestamp),
    raw,
    providerMessageId: payload.id,
    direction: payload.fromMe ? 'OUTBOUND' : 'INBOUND',
    chatId: chat.id,
    chatType: isGroup ? 'GROUP' : 'DIRECT',
    from: author.phone,
    fromId: author.id,
    to: recipient?.phone ?? null,
    body: payload.body ?? '',
    type: messageType(payload, media),
  };
  const fromName = payload.fromMe ? envelope.me?.pushName : pushName(payload._data);
  if (fromName) event.fromName = fromName;
  if (media) event.media = media;
  const replyTo = typeof payload.replyTo === 'string' ? payload.replyTo : payload.replyTo?.id;
  if (replyTo) event.replyTo = replyTo;
  if (payload.location) {
    event.location = { latitude: payload.location.latitude, longitude: payload.location.longitude };
    if (payload.location.description) event.location.name = payload.location.description;
  }
  result.events.push(event);
}

function parseAck({ envelope, raw, now, result }: Context): void {
  const payload = checkWebhookPart('WAHA', ackSchema, envelope.payload, 'payload');
  const ack = typeof payload.ack === 'number' ? payload.ack : ACK_NAMES.indexOf(payload.ackName as never) - 1;
  const providerMessageId = stripParticipantSuffix(payload.id, payload.participant);
  if (ack === 0) {
    result.ignored.push({ event: envelope.event, reason: 'PENDING ack', providerMessageId });
    return;
  }
  const status = mapWahaAck(ack);
  if (!status) {
    result.ignored.push({ event: envelope.event, reason: `unknown ack ${payload.ack ?? payload.ackName}`, providerMessageId });
    return;
  }
  const event: MessageStatusEvent = {
    kind: 'status',
    eventId: eventId(envelope, `${payload.id}|${status}`),
    provider: 'WAHA',
    routingKey: envelope.session,
    timestamp: envelope.timestamp ? new Date(envelope.timestamp) : now(),
    raw,
    providerMessageId,
    status,
  };
  const chat = payload.fromMe && payload.to ? payload.to : payload.from;
  const recipient = chat ? parseWhatsAppAddress(chat)?.phone : null;
  if (recipient) event.recipient = recipient;
  if (status === 'FAILED') {
    event.error = { code: 'ACK_ERROR', message: 'WhatsApp reported the message as failed (ack -1)', retryable: false };
  }
  result.events.push(event);
}

function parseSessionStatus({ envelope, raw, now, result }: Context): void {
  const payload = checkWebhookPart('WAHA', sessionStatusSchema, envelope.payload, 'payload');
  const status = mapWahaSessionStatus(payload.status);
  if (!status) {
    result.ignored.push({ event: envelope.event, reason: `unknown session status ${payload.status}` });
    return;
  }
  const lastChange = payload.statuses?.at(-1)?.timestamp;
  const event: SessionStatusEvent = {
    kind: 'session',
    eventId: eventId(envelope, `${payload.status}|${lastChange ?? envelope.timestamp ?? ''}`),
    provider: 'WAHA',
    routingKey: envelope.session,
    timestamp: new Date(envelope.timestamp ?? lastChange ?? now().getTime()),
    raw,
    externalSessionId: envelope.session,
    status,
    providerStatus: payload.status,
  };
  if (envelope.me) {
    const me = parseWhatsAppAddress(envelope.me.id);
    event.me = { id: me?.id ?? envelope.me.id, phone: me?.phone ?? null };
    if (envelope.me.pushName) event.me.name = envelope.me.pushName;
  }
  result.events.push(event);
}

function parseReaction({ envelope, raw, result }: Context): void {
  const payload = checkWebhookPart('WAHA', reactionSchema, envelope.payload, 'payload');
  const chatId = payload.fromMe ? (payload.to ?? payload.from) : payload.from;
  const chat = parseWhatsAppAddress(chatId) as WhatsAppAddress;
  const me = envelope.me ? parseWhatsAppAddress(envelope.me.id) : null;
  const author = payload.fromMe
    ? (me ?? (parseWhatsAppAddress(payload.from) as WhatsAppAddress))
    : (parseWhatsAppAddress(payload.participant ?? payload.from) as WhatsAppAddress);
  const event: ReactionEvent = {
    kind: 'reaction',
    eventId: eventId(envelope, `${payload.id}|${payload.reaction.messageId}|${payload.reaction.text}`),
    provider: 'WAHA',
    routingKey: envelope.session,
    timestamp: fromSeconds(payload.timestamp),
    raw,
    providerMessageId: payload.id,
    targetProviderMessageId: payload.reaction.messageId,
    emoji: payload.reaction.text,
    direction: payload.fromMe ? 'OUTBOUND' : 'INBOUND',
    chatId: chat.id,
    from: author.phone,
    fromId: author.id,
  };
  result.events.push(event);
}

function eventId(envelope: Envelope, key: string): string {
  if (envelope.id) return envelope.id;
  const digest = createHash('sha256').update(`${envelope.session}\n${envelope.event}\n${key}`).digest('hex');
  return `waha_${digest.slice(0, 40)}`;
}

/** WEBJS group acks: `true_<group>@g.us_<raw>_<participant>` → `true_<group>@g.us_<raw>`. */
function stripParticipantSuffix(id: string, participant: string | null | undefined): string {
  if (!participant) return id;
  const suffix = `_${participant}`;
  return id.endsWith(suffix) && id.split('_').length > 3 ? id.slice(0, -suffix.length) : id;
}

function fromSeconds(seconds: number): Date {
  return new Date(Math.round(seconds * 1000));
}

function mediaRef(media: z.infer<typeof mediaSchema> | null): MediaRef {
  const ref: MediaRef = {
    provider: 'WAHA',
    url: media?.url ?? null,
    mimetype: media?.mimetype ?? 'application/octet-stream',
  };
  if (media?.filename) ref.filename = media.filename;
  if (!ref.url) {
    ref.error = media?.error ? String(JSON.stringify(media.error)) : 'WAHA did not download the media';
  }
  return ref;
}

function messageType(payload: z.infer<typeof messageSchema>, media: MediaRef | undefined): MessageType {
  if (payload.location) return 'LOCATION';
  if (payload.vCards && payload.vCards.length > 0) return 'CONTACT';
  if (media) {
    const engineType = engineMessageType(payload._data);
    if (engineType === 'sticker') return 'STICKER';
    if (media.mimetype.startsWith('image/')) return 'IMAGE';
    if (media.mimetype.startsWith('video/')) return 'VIDEO';
    if (media.mimetype.startsWith('audio/')) return engineType === 'ptt' ? 'VOICE' : 'AUDIO';
    return 'DOCUMENT';
  }
  return payload.body ? 'TEXT' : 'UNKNOWN';
}

/** Engine-specific `_data` is unvalidated: read defensively. */
function engineMessageType(data: unknown): string | undefined {
  const type = (data as { type?: unknown } | null | undefined)?.type;
  return typeof type === 'string' ? type : undefined;
}

function pushName(data: unknown): string | undefined {
  const record = data as Record<string, unknown> | null | undefined;
  const info = record?.Info as Record<string, unknown> | undefined;
  for (const candidate of [record?.notifyName, record?.pushName, info?.PushName]) {
    if (typeof candidate === 'string' && candidate.trim()) return candidate.trim();
  }
  return undefined;
}
