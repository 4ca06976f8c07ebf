import type { MediaRef, ProviderKind, SessionStatus } from './channel-events';

/**
 * One WhatsApp channel (a WAHA session, a Cloud API phone number, a sandbox session) behind one
 * interface. An instance is bound to one channel: the registry builds it from the channel's row,
 * so credentials never travel through call arguments. Failures throw `ProviderError`.
 */
export interface WhatsAppProvider {
  readonly kind: ProviderKind;
  /** WAHA session name / Cloud phone_number_id / sandbox session name: the channel route's key. */
  readonly externalKey: string;
  readonly capabilities: ProviderCapabilities;

  /** Creates (or re-configures) and starts the session; idempotent. */
  startSession(input: StartSessionInput): Promise<SessionState>;
  /** Stops the session, keeping its login. Idempotent. */
  stopSession(): Promise<SessionState>;
  /** Logs the linked device out; the next start needs a new QR scan. */
  logoutSession(): Promise<SessionState>;
  /** The current QR to scan, or null when the session is not waiting for one. */
  getQrCode(): Promise<QrCode | null>;

  sendText(input: SendTextInput): Promise<SendResult>;
  sendMedia(input: SendMediaInput): Promise<SendResult>;
  /** Approved template (Cloud API only; required outside the 24-hour customer window). */
  sendTemplate(input: SendTemplateInput): Promise<SendResult>;
  /** Marks an inbound message (and the chat up to it) as read. */
  markSeen(input: MarkSeenInput): Promise<void>;
  /** Downloads media referenced by an inbound event. Copy it at ingest: WAHA deletes files after 180 s. */
  fetchMedia(ref: MediaRef): Promise<FetchedMedia>;
  /**
   * After a send failed with `outcomeUnknown`, looks for the message among the chat's recent
   * outgoing messages. Returns its provider id, or null when it was not sent. Providers that
   * cannot look (Cloud API) resolve to undefined: reconcile through status webhooks instead.
   */
  findSentMessage(query: FindSentMessageQuery): Promise<string | null | undefined>;
}

export interface ProviderCapabilities {
  qrLogin: boolean;
  templates: boolean;
  /** The provider deduplicates on our clientMessageId itself (none of ours does). */
  clientMessageIds: boolean;
  /** Can look up recently sent messages (`findSentMessage`). */
  sentMessageLookup: boolean;
}

export interface StartSessionInput {
  /** Our public webhook endpoint for this provider. */
  webhookUrl: string;
  /** Stored by WAHA and echoed on every webhook (tenant id, channel id). Strings only. */
  metadata?: Record<string, string>;
}

export interface SessionState {
  externalSessionId: string;
  status: SessionStatus;
  /** QR payload (the raw string to render) when the status is SCAN_QR_CODE and one was available. */
  qrCode?: string;
}

export interface QrCode {
  /** The raw value to encode as a QR code. */
  value: string;
  /** A rendered PNG when the provider returns one. */
  image?: { mimetype: string; data: Buffer };
}

/** Recipient: E.164 phone (any spelling) or, on WAHA, an explicit chat id (`...@g.us`). */
export type Recipient = string;

export interface SendCommon {
  to: Recipient;
  /**
   * Our durable id for the outbound message (the queue row id). No provider deduplicates on it:
   * WAHA has no client id field and the Cloud API has no idempotency key. It is logged and, on the
   * Cloud API, sent as `biz_opaque_callback_data` so status webhooks carry it back.
   */
  clientMessageId: string;
  replyToProviderId?: string;
}

export interface SendTextInput extends SendCommon {
  body: string;
}

export type MediaKind = 'image' | 'file';

export type SendMediaInput = SendCommon & {
  kind: MediaKind;
  mimetype: string;
  filename?: string;
  caption?: string;
} & ({ url: string; bytes?: never } | { bytes: Buffer; url?: never });

export interface SendTemplateInput extends SendCommon {
  name: string;
  languageCode: string;
  /** Cloud API `template.components`, passed through as given. */
  components?: unknown[];
}

export interface SendResult {
  /**
   * The provider's id of the sent message; null when the provider accepted the message without
   * reporting an id (a known WAHA WEBJS behaviour): the echo/ack webhooks will carry it.
   */
  providerMessageId: string | null;
  /** The provider's response body, for logs. */
  raw: unknown;
}

export interface MarkSeenInput {
  /** The chat: E.164 phone or chat id. */
  chatId: string;
  providerMessageId: string;
  /** Group author (WAHA NOWEB needs it for group messages). */
  participant?: string;
}

export interface FetchedMedia {
  bytes: Buffer;
  mimetype: string;
  filename?: string;
}

export interface FindSentMessageQuery {
  to: Recipient;
  body: string;
  /** When the uncertain attempt started; older messages are not considered. */
  sentAfter: Date;
}
