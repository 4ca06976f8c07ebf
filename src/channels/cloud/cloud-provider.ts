import type { MediaRef } from '../channel-events';
import { ProviderError, unsupportedOperation } from '../channel-errors';
import { toE164Digits } from '../whatsapp-address';
import type {
  FetchedMedia,
  MarkSeenInput,
  ProviderCapabilities,
  QrCode,
  SendCommon,
  SendMediaInput,
  SendResult,
  SendTemplateInput,
  SendTextInput,
  SessionState,
  StartSessionInput,
  WhatsAppProvider,
} from '../whatsapp-provider';
import type { CloudClient, CloudCredentials } from './cloud-client';

export interface CloudProviderOptions {
  client: CloudClient;
  phoneNumberId: string;
  /** The tenant's system-user token; stays in this object, never in logs or errors. */
  accessToken: string;
}

/** Meta's limit on `biz_opaque_callback_data`. */
const OPAQUE_DATA_MAX = 512;

/**
 * One Cloud API phone number as a WhatsAppProvider. There is no session to run: "start" checks
 * the credentials, "stop" and "logout" only change what we do. The webhook URL is configured in
 * the Meta app, not per number, so `startSession` ignores it.
 */
export class CloudProvider implements WhatsAppProvider {
  readonly kind = 'CLOUD' as const;
  readonly externalKey: string;
  readonly capabilities: ProviderCapabilities = {
    qrLogin: false,
    templates: true,
    clientMessageIds: false,
    sentMessageLookup: false,
  };
  private readonly credentials: CloudCredentials;

  constructor(private readonly options: CloudProviderOptions) {
    this.externalKey = options.phoneNumberId;
    this.credentials = { phoneNumberId: options.phoneNumberId, accessToken: options.accessToken };
  }

  async startSession(_input: StartSessionInput): Promise<SessionState> {
    await this.options.client.getPhoneNumber(this.credentials);
    return { externalSessionId: this.options.phoneNumberId, status: 'WORKING' };
  }

  async stopSession(): Promise<SessionState> {
    return { externalSessionId: this.options.phoneNumberId, status: 'STOPPED' };
  }

  async logoutSession(): Promise<SessionState> {
    return { externalSessionId: this.options.phoneNumberId, status: 'STOPPED' };
  }

  /** Cloud API numbers are registered in Meta's tools; there is never a QR to scan. */
  async getQrCode(): Promise<QrCode | null> {
    return null;
  }

  async sendText(input: SendTextInput): Promise<SendResult> {
    return this.send('sendText', input, { type: 'text', text: { body: input.body, preview_url: false } });
  }

  async sendMedia(input: SendMediaInput): Promise<SendResult> {
    const operation = input.kind === 'image' ? 'sendImage' : 'sendFile';
    const source = input.url
      ? { link: input.url }
      : {
          id: await this.options.client.uploadMedia(this.credentials, {
            bytes: input.bytes as Buffer,
            mimetype: input.mimetype,
            filename: input.filename,
          }),
        };
    if (input.kind === 'image') {
      return this.send(operation, input, { type: 'image', image: { ...source, ...(input.caption ? { caption: input.caption } : {}) } });
    }
    const document = {
      ...source,
      ...(input.caption ? { caption: input.caption } : {}),
      ...(input.filename ? { filename: input.filename } : {}),
    };
    return this.send(operation, input, { type: 'document', document });
  }

  async sendTemplate(input: SendTemplateInput): Promise<SendResult> {
    const template: Record<string, unknown> = { name: input.name, language: { code: input.languageCode } };
    if (input.components?.length) template.components = input.components;
    return this.send('sendTemplate', input, { type: 'template', template });
  }

  async markSeen(input: MarkSeenInput): Promise<void> {
    await this.options.client.markRead(this.credentials, input.providerMessageId);
  }

  async fetchMedia(ref: MediaRef): Promise<FetchedMedia> {
    if (ref.provider !== 'CLOUD') {
      throw unsupportedOperation('CLOUD', 'fetchMedia', `cannot fetch ${ref.provider} media through the Cloud API`);
    }
    const info = await this.options.client.getMediaInfo(this.options.accessToken, ref.mediaId);
    const downloaded = await this.options.client.downloadMedia(this.options.accessToken, info);
    const media: FetchedMedia = { bytes: downloaded.bytes, mimetype: downloaded.mimetype || ref.mimetype };
    if (ref.filename) media.filename = ref.filename;
    return media;
  }

  /** The Cloud API has no message history: reconcile through status webhooks (`clientMessageId`). */
  async findSentMessage(): Promise<undefined> {
    return undefined;
  }

  private async send(operation: string, input: SendCommon, content: Record<string, unknown>): Promise<SendResult> {
    const to = toE164Digits(input.to);
    if (!to) {
      throw new ProviderError({
        provider: 'CLOUD',
        operation,
        providerCode: 'INVALID_RECIPIENT',
        message: 'the Cloud API sends to phone numbers only',
        retryable: false,
      });
    }
    const message: Record<string, unknown> = { recipient_type: 'individual', to, ...content };
    if (input.replyToProviderId) message.context = { message_id: input.replyToProviderId };
    if (input.clientMessageId && input.clientMessageId.length <= OPAQUE_DATA_MAX) {
      message.biz_opaque_callback_data = input.clientMessageId;
    }
    const sent = await this.options.client.sendMessage(operation, this.credentials, message);
    return { providerMessageId: sent.id, raw: sent.raw };
  }
}
