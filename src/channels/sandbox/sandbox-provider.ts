import { randomBytes, randomUUID } from 'node:crypto';
import type {
  DeliveryStatus,
  InboundMessageEvent,
  MediaRef,
  MessageStatusEvent,
  SessionStatus,
  SessionStatusEvent,
} from '../channel-events';
import { ProviderError, unsupportedOperation } from '../channel-errors';
import { toE164Digits } from '../whatsapp-address';
import type {
  FetchedMedia,
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

export type SandboxStatusListener = (event: MessageStatusEvent | SessionStatusEvent) => void;

export interface SandboxProviderOptions {
  sessionName: string;
  /** Receives the simulated acks and session transitions, as the webhook ingest would. */
  onStatus?: SandboxStatusListener;
  /** Receives messages made with `simulateInbound`. */
  onInbound?: (event: InboundMessageEvent) => void;
  /** Delays after a send for SENT, DELIVERED, READ. */
  ackDelaysMs?: readonly [number, number, number];
  /** >0: start shows a fake QR for this long, then WORKING. 0: straight to WORKING. */
  qrPhaseMs?: number;
  /** Recipients (E.164 digits) whose messages are acked SENT then FAILED, to exercise failure paths. */
  failingRecipients?: ReadonlySet<string>;
  /** The sandbox's own number. */
  ownNumber?: string;
  /** Errors thrown by listeners land here instead of crashing a timer. */
  onListenerError?: (error: unknown) => void;
}

const DEFAULT_ACK_DELAYS_MS = [150, 400, 1200] as const;

/**
 * The provider used when none is configured: nothing leaves the process. Sends succeed with
 * generated ids and are acked SENT → DELIVERED → READ after short delays through `onStatus`.
 * Timers are unref'd and cancelled by `dispose()`.
 */
export class SandboxProvider implements WhatsAppProvider {
  readonly kind = 'SANDBOX' as const;
  readonly externalKey: string;
  readonly capabilities: ProviderCapabilities = {
    qrLogin: true,
    templates: true,
    clientMessageIds: true,
    sentMessageLookup: true,
  };
  private status: SessionStatus = 'STOPPED';
  private qr: string | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Sends already made, by clientMessageId: a retried send returns the first id (bounded). */
  private readonly sentByClientId = new Map<string, string>();

  constructor(private readonly options: SandboxProviderOptions) {
    this.externalKey = options.sessionName;
  }

  async startSession(_input: StartSessionInput): Promise<SessionState> {
    const qrPhaseMs = this.options.qrPhaseMs ?? 0;
    if (qrPhaseMs <= 0) {
      this.status = 'WORKING';
      return { externalSessionId: this.externalKey, status: 'WORKING' };
    }
    this.status = 'SCAN_QR_CODE';
    this.qr = `sandbox-qr:${this.externalKey}:${randomBytes(8).toString('hex')}`;
    this.later(qrPhaseMs, () => {
      this.status = 'WORKING';
      this.qr = null;
      this.emitSession('WORKING');
    });
    return { externalSessionId: this.externalKey, status: 'SCAN_QR_CODE', qrCode: this.qr };
  }

  async stopSession(): Promise<SessionState> {
    this.status = 'STOPPED';
    this.qr = null;
    return { externalSessionId: this.externalKey, status: 'STOPPED' };
  }

  async logoutSession(): Promise<SessionState> {
    return this.stopSession();
  }

  async getQrCode(): Promise<QrCode | null> {
    return this.status === 'SCAN_QR_CODE' && this.qr ? { value: this.qr } : null;
  }

  async sendText(input: SendTextInput): Promise<SendResult> {
    return this.send('sendText', input, { type: 'text', body: input.body });
  }

  async sendMedia(input: SendMediaInput): Promise<SendResult> {
    return this.send(input.kind === 'image' ? 'sendImage' : 'sendFile', input, {
      type: input.kind,
      mimetype: input.mimetype,
      caption: input.caption ?? '',
    });
  }

  async sendTemplate(input: SendTemplateInput): Promise<SendResult> {
    return this.send('sendTemplate', input, { type: 'template', name: input.name, language: input.languageCode });
  }

  async markSeen(): Promise<void> {
    // Nothing to tell anyone.
  }

  async fetchMedia(ref: MediaRef): Promise<FetchedMedia> {
    if (ref.provider !== 'SANDBOX') {
      throw unsupportedOperation('SANDBOX', 'fetchMedia', `cannot fetch ${ref.provider} media in the sandbox`);
    }
    const media: FetchedMedia = { bytes: Buffer.from(ref.key, 'base64'), mimetype: ref.mimetype };
    if (ref.filename) media.filename = ref.filename;
    return media;
  }

  /** Sandbox sends never end in doubt. */
  async findSentMessage(): Promise<null> {
    return null;
  }

  /** Makes a customer message appear, as a WAHA or Cloud webhook would deliver it. */
  simulateInbound(input: {
    from: string;
    body: string;
    fromName?: string;
    media?: { bytes: Buffer; mimetype: string; filename?: string };
  }): InboundMessageEvent {
    const from = toE164Digits(input.from);
    if (!from) throw new TypeError(`not a phone number: ${input.from}`);
    const id = `sandbox_in_${randomUUID()}`;
    const event: InboundMessageEvent = {
      kind: 'message',
      eventId: id,
      provider: 'SANDBOX',
      routingKey: this.externalKey,
      timestamp: new Date(),
      raw: { simulated: true, from, body: input.body },
      providerMessageId: id,
      direction: 'INBOUND',
      chatId: from,
      chatType: 'DIRECT',
      from,
      fromId: from,
      to: this.ownNumber,
      body: input.body,
      type: 'TEXT',
    };
    if (input.fromName) event.fromName = input.fromName;
    if (input.media) {
      const ref: MediaRef = { provider: 'SANDBOX', key: input.media.bytes.toString('base64'), mimetype: input.media.mimetype };
      if (input.media.filename) ref.filename = input.media.filename;
      event.media = ref;
      event.type = input.media.mimetype.startsWith('image/') ? 'IMAGE' : 'DOCUMENT';
    }
    this.deliver(() => this.options.onInbound?.(event));
    return event;
  }

  /** Cancels pending acks and session transitions. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private get ownNumber(): string {
    return this.options.ownNumber ?? '15550000000';
  }

  private async send(operation: string, input: SendCommon, content: Record<string, unknown>): Promise<SendResult> {
    const to = toE164Digits(input.to);
    if (!to) {
      throw new ProviderError({
        provider: 'SANDBOX',
        operation,
        providerCode: 'INVALID_RECIPIENT',
        message: `not a phone number: ${input.to}`,
        retryable: false,
      });
    }
    const previous = this.sentByClientId.get(input.clientMessageId);
    if (previous) return { providerMessageId: previous, raw: { simulated: true, duplicateOf: input.clientMessageId } };
    const providerMessageId = `sandbox_${randomUUID()}`;
    this.remember(input.clientMessageId, providerMessageId);
    const [sentMs, deliveredMs, readMs] = this.options.ackDelaysMs ?? DEFAULT_ACK_DELAYS_MS;
    const fails = this.options.failingRecipients?.has(to) ?? false;
    this.later(sentMs, () => this.emitAck(providerMessageId, to, 'SENT'));
    if (fails) {
      this.later(deliveredMs, () => this.emitAck(providerMessageId, to, 'FAILED'));
    } else {
      this.later(deliveredMs, () => this.emitAck(providerMessageId, to, 'DELIVERED'));
      this.later(readMs, () => this.emitAck(providerMessageId, to, 'READ'));
    }
    return { providerMessageId, raw: { simulated: true, to, ...content } };
  }

  private remember(clientMessageId: string, providerMessageId: string): void {
    if (this.sentByClientId.size >= 1000) {
      const oldest = this.sentByClientId.keys().next().value;
      if (oldest !== undefined) this.sentByClientId.delete(oldest);
    }
    this.sentByClientId.set(clientMessageId, providerMessageId);
  }

  private emitAck(providerMessageId: string, recipient: string, status: DeliveryStatus): void {
    const event: MessageStatusEvent = {
      kind: 'status',
      eventId: `sandbox_${providerMessageId}_${status}`,
      provider: 'SANDBOX',
      routingKey: this.externalKey,
      timestamp: new Date(),
      raw: { simulated: true, providerMessageId, status },
      providerMessageId,
      status,
      recipient,
    };
    if (status === 'FAILED') {
      event.error = { code: 'SANDBOX_FAILURE', message: 'simulated failure for this recipient', retryable: false };
    }
    this.deliver(() => this.options.onStatus?.(event));
  }

  private emitSession(status: SessionStatus): void {
    const event: SessionStatusEvent = {
      kind: 'session',
      eventId: `sandbox_session_${this.externalKey}_${status}_${Date.now()}`,
      provider: 'SANDBOX',
      routingKey: this.externalKey,
      timestamp: new Date(),
      raw: { simulated: true, status },
      externalSessionId: this.externalKey,
      status,
      providerStatus: status,
      me: { id: `${this.ownNumber}@c.us`, phone: this.ownNumber, name: 'Sandbox' },
    };
    this.deliver(() => this.options.onStatus?.(event));
  }

  private deliver(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      this.options.onListenerError?.(error);
    }
  }

  private later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }
}
