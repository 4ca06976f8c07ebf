import type { MediaRef, SessionStatus } from '../channel-events';
import { ProviderError, unsupportedOperation } from '../channel-errors';
import { toWahaChatId } from '../whatsapp-address';
import type {
  FetchedMedia,
  FindSentMessageQuery,
  MarkSeenInput,
  ProviderCapabilities,
  QrCode,
  SendMediaInput,
  SendResult,
  SendTemplateInput,
  SendTextInput,
  SessionState,
  StartSessionInput,
  WhatsAppProvider,
} from '../whatsapp-provider';
import type { WahaClient, WahaSessionConfig, WahaSessionInfo, WahaWebhookConfig } from './waha-client';
import { mapWahaSessionStatus } from './waha-session-status';

/**
 * `message.any` rather than `message` so replies typed on the linked phone reach the inbox (the
 * parser drops the echoes of our own API sends). Never subscribe to both: both fire per message.
 */
export const WAHA_WEBHOOK_EVENTS = ['message.any', 'message.ack', 'message.reaction', 'session.status'] as const;

export interface WahaProviderOptions {
  client: WahaClient;
  sessionName: string;
  /** WAHA_WEBHOOK_HMAC_KEY: WAHA signs every webhook of the session with it. */
  hmacKey: string;
  webhookRetries?: WahaWebhookConfig['retries'];
  /** How far back `findSentMessage` looks, in messages. */
  reconcileWindow?: number;
}

/** A WAHA session as a WhatsAppProvider. WAHA has no templates and no client message ids. */
export class WahaProvider implements WhatsAppProvider {
  readonly kind = 'WAHA' as const;
  readonly externalKey: string;
  readonly capabilities: ProviderCapabilities = {
    qrLogin: true,
    templates: false,
    clientMessageIds: false,
    sentMessageLookup: true,
  };

  constructor(private readonly options: WahaProviderOptions) {
    this.externalKey = options.sessionName;
  }

  private get client(): WahaClient {
    return this.options.client;
  }

  private get session(): string {
    return this.options.sessionName;
  }

  async startSession(input: StartSessionInput): Promise<SessionState> {
    const config = this.sessionConfig(input);
    const existing = await this.client.getSession(this.session);
    let info: WahaSessionInfo;
    if (!existing) {
      info = await this.client.createSession({ name: this.session, config, start: true });
    } else {
      // PUT restarts a running session, so only when the webhook or metadata really changed.
      if (configDiffers(existing.config ?? null, config)) await this.client.updateSession(this.session, config);
      info = await this.client.startSession(this.session);
    }
    return this.state(info, true);
  }

  async stopSession(): Promise<SessionState> {
    return this.state(await this.client.stopSession(this.session), false);
  }

  async logoutSession(): Promise<SessionState> {
    return this.state(await this.client.logoutSession(this.session), true);
  }

  async getQrCode(): Promise<QrCode | null> {
    const value = await this.client.getQrValue(this.session);
    return value ? { value } : null;
  }

  async sendText(input: SendTextInput): Promise<SendResult> {
    const sent = await this.client.sendText({
      session: this.session,
      chatId: this.chatId(input.to, 'sendText'),
      text: input.body,
      ...(input.replyToProviderId ? { reply_to: input.replyToProviderId } : {}),
    });
    return { providerMessageId: sent.id, raw: sent.raw };
  }

  async sendMedia(input: SendMediaInput): Promise<SendResult> {
    const operation = input.kind === 'image' ? 'sendImage' : 'sendFile';
    const file = input.url
      ? { mimetype: input.mimetype, url: input.url, ...(input.filename ? { filename: input.filename } : {}) }
      : {
          mimetype: input.mimetype,
          filename: input.filename ?? 'file',
          data: (input.bytes as Buffer).toString('base64'),
        };
    const request = {
      session: this.session,
      chatId: this.chatId(input.to, operation),
      file,
      ...(input.caption ? { caption: input.caption } : {}),
      ...(input.replyToProviderId ? { reply_to: input.replyToProviderId } : {}),
    };
    const sent = input.kind === 'image' ? await this.client.sendImage(request) : await this.client.sendFile(request);
    return { providerMessageId: sent.id, raw: sent.raw };
  }

  sendTemplate(_input: SendTemplateInput): Promise<SendResult> {
    return Promise.reject(
      unsupportedOperation('WAHA', 'sendTemplate', 'message templates exist only on the WhatsApp Cloud API'),
    );
  }

  async markSeen(input: MarkSeenInput): Promise<void> {
    await this.client.sendSeen({
      session: this.session,
      chatId: this.chatId(input.chatId, 'markSeen'),
      messageId: input.providerMessageId,
      ...(input.participant ? { participant: input.participant } : {}),
    });
  }

  async fetchMedia(ref: MediaRef): Promise<FetchedMedia> {
    if (ref.provider !== 'WAHA') {
      throw unsupportedOperation('WAHA', 'fetchMedia', `cannot fetch ${ref.provider} media through WAHA`);
    }
    if (!ref.url) {
      throw new ProviderError({
        provider: 'WAHA',
        operation: 'fetchMedia',
        providerCode: 'MEDIA_UNAVAILABLE',
        message: ref.error ?? 'WAHA did not download the media',
        retryable: false,
      });
    }
    const downloaded = await this.client.downloadMedia(ref.url);
    const media: FetchedMedia = { bytes: downloaded.bytes, mimetype: ref.mimetype || downloaded.mimetype || 'application/octet-stream' };
    if (ref.filename) media.filename = ref.filename;
    return media;
  }

  async findSentMessage(query: FindSentMessageQuery): Promise<string | null> {
    const messages = await this.client.getChatMessages(
      this.session,
      this.chatId(query.to, 'findSentMessage'),
      this.options.reconcileWindow ?? 20,
    );
    // Allow for clock skew between us and WAHA.
    const since = query.sentAfter.getTime() / 1000 - 30;
    const match = messages.find((message) => message.fromMe && message.body === query.body && message.timestamp >= since);
    return match?.id ?? null;
  }

  private sessionConfig(input: StartSessionInput): WahaSessionConfig {
    const webhook: WahaWebhookConfig = {
      url: input.webhookUrl,
      events: [...WAHA_WEBHOOK_EVENTS],
      hmac: { key: this.options.hmacKey },
      retries: this.options.webhookRetries ?? { policy: 'exponential', delaySeconds: 2, attempts: 10 },
    };
    return { metadata: { ...(input.metadata ?? {}) }, webhooks: [webhook] };
  }

  private async state(info: WahaSessionInfo, lookForQr: boolean): Promise<SessionState> {
    const status: SessionStatus = mapWahaSessionStatus(info.status) ?? 'STARTING';
    const state: SessionState = { externalSessionId: info.name, status };
    if (lookForQr && status === 'SCAN_QR_CODE') {
      // The QR is a convenience here; the session.status webhook triggers the next fetch anyway.
      const qr = await this.client.getQrValue(this.session).catch(() => null);
      if (qr) state.qrCode = qr;
    }
    return state;
  }

  private chatId(to: string, operation: string): string {
    try {
      return toWahaChatId(to);
    } catch (error) {
      throw new ProviderError({
        provider: 'WAHA',
        operation,
        providerCode: 'INVALID_RECIPIENT',
        message: (error as Error).message,
        retryable: false,
      });
    }
  }
}

function configDiffers(current: WahaSessionConfig | null, wanted: WahaSessionConfig): boolean {
  if (!current) return true;
  const webhooks = Array.isArray(current.webhooks) ? current.webhooks : [];
  const want = wanted.webhooks?.[0];
  const have = webhooks.find((hook) => hook?.url === want?.url);
  if (!have || webhooks.length !== 1) return true;
  if ([...(have.events ?? [])].sort().join(',') !== [...(want?.events ?? [])].sort().join(',')) return true;
  if (!have.hmac?.key || have.hmac.key !== want?.hmac?.key) return true;
  return JSON.stringify(sortKeys(current.metadata ?? {})) !== JSON.stringify(sortKeys(wanted.metadata ?? {}));
}

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
