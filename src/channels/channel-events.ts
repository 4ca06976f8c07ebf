/**
 * Provider-neutral events produced by the webhook parsers (WAHA, Cloud API) and the sandbox.
 * The ingest stores them idempotently: `eventId` is unique per delivery of the same fact, so a
 * redelivered webhook yields the same `eventId`; `providerMessageId` is unique per message.
 */

export type ProviderKind = 'WAHA' | 'CLOUD' | 'SANDBOX';

export const PROVIDER_KINDS: readonly ProviderKind[] = ['WAHA', 'CLOUD', 'SANDBOX'];

export type SessionStatus = 'STARTING' | 'SCAN_QR_CODE' | 'WORKING' | 'FAILED' | 'STOPPED';

/** Delivery ladder of an outbound message; `FAILED` is terminal. PENDING acks are never emitted. */
export type DeliveryStatus = 'SENT' | 'DELIVERED' | 'READ' | 'PLAYED' | 'FAILED';

/** Rank on the ladder: a status may only replace one of lower rank (acks arrive out of order). */
export const DELIVERY_STATUS_RANK: Readonly<Record<DeliveryStatus, number>> = {
  SENT: 1,
  DELIVERED: 2,
  READ: 3,
  PLAYED: 4,
  FAILED: 5,
};

export type MessageType =
  | 'TEXT'
  | 'IMAGE'
  | 'VIDEO'
  | 'AUDIO'
  | 'VOICE'
  | 'DOCUMENT'
  | 'STICKER'
  | 'LOCATION'
  | 'CONTACT'
  | 'INTERACTIVE'
  | 'UNKNOWN';

/**
 * INBOUND: written by the customer. OUTBOUND: written by the business outside this server
 * (e.g. typed on the linked phone) and reported back by the provider.
 */
export type MessageDirection = 'INBOUND' | 'OUTBOUND';

export type ChatType = 'DIRECT' | 'GROUP';

/** Where the bytes of a message's media can be fetched with `WhatsAppProvider.fetchMedia`. */
export type MediaRef =
  | {
      provider: 'WAHA';
      /** WAHA's file URL; null when WAHA did not download the file (its `media.error` says why). */
      url: string | null;
      mimetype: string;
      filename?: string;
      error?: string;
    }
  | { provider: 'CLOUD'; mediaId: string; mimetype: string; sha256?: string; filename?: string }
  | { provider: 'SANDBOX'; key: string; mimetype: string; filename?: string };

interface ChannelEventBase {
  /** Unique per fact (not per delivery): the key for idempotent storage of the event. */
  eventId: string;
  provider: ProviderKind;
  /** WAHA session name or Cloud API phone_number_id: looked up in channel routes. */
  routingKey: string;
  timestamp: Date;
  /** The provider's own JSON for this event, for the message's raw payload column. */
  raw: unknown;
}

export interface InboundMessageEvent extends ChannelEventBase {
  kind: 'message';
  providerMessageId: string;
  direction: MessageDirection;
  /** The provider's chat address: `<digits>@c.us`, `<id>@g.us`, `<id>@lid` (WAHA) or the wa_id (Cloud). */
  chatId: string;
  chatType: ChatType;
  /** Author's phone as E.164 digits without '+'; null when hidden (WhatsApp `@lid` ids). */
  from: string | null;
  /** Author's provider address (raw jid / wa_id); always set, use it when `from` is null. */
  fromId: string;
  fromName?: string;
  /** Recipient's phone as E.164 digits (our number for INBOUND); null when unknown or hidden. */
  to: string | null;
  /** Text, or the caption of a media message; '' when there is none. */
  body: string;
  type: MessageType;
  media?: MediaRef;
  /** Provider id of the message this one replies to. */
  replyTo?: string;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
}

export interface MessageStatusEvent extends ChannelEventBase {
  kind: 'status';
  providerMessageId: string;
  status: DeliveryStatus;
  /** Recipient phone (digits) when the provider says. */
  recipient?: string;
  error?: { code: string; message: string; retryable: boolean };
  /** Cloud API: our clientMessageId echoed back through `biz_opaque_callback_data`. */
  clientMessageId?: string;
}

export interface SessionStatusEvent extends ChannelEventBase {
  kind: 'session';
  externalSessionId: string;
  status: SessionStatus;
  /** The provider's own status word (e.g. WAHA `PASSKEY_REQUIRED`, mapped to SCAN_QR_CODE). */
  providerStatus: string;
  qr?: string;
  /** The account the session is logged in as, when known. */
  me?: { id: string; phone: string | null; name?: string };
}

export interface ReactionEvent extends ChannelEventBase {
  kind: 'reaction';
  /** Id of the reaction itself. */
  providerMessageId: string;
  /** Id of the message reacted to. */
  targetProviderMessageId: string;
  /** '' when the reaction was removed. */
  emoji: string;
  direction: MessageDirection;
  chatId: string;
  from: string | null;
  fromId: string;
}

export type ChannelEvent = InboundMessageEvent | MessageStatusEvent | SessionStatusEvent | ReactionEvent;

/** An event the parser understood but deliberately did not turn into a ChannelEvent. */
export interface IgnoredEvent {
  event: string;
  reason: string;
  providerMessageId?: string;
}

/** Everything one webhook body says for one routing key. */
export interface ParsedWebhook {
  provider: ProviderKind;
  routingKey: string;
  events: ChannelEvent[];
  ignored: IgnoredEvent[];
}
