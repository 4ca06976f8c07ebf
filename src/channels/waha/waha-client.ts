import { z } from 'zod';
import { ProviderError } from '../channel-errors';
import {
  isRetryableHttpStatus,
  providerRequest,
  readBytesLimited,
  readSuccessBody,
  retryAfterMs,
  type ProviderHttpFailure,
} from '../provider-http';
import { parseWhatsAppAddress } from '../whatsapp-address';

/**
 * Thin HTTP client for WAHA (devlikeapro/waha). Every call carries `X-Api-Key` and a timeout.
 * WAHA has no client-chosen message id and no idempotency key on sends: see `outcomeUnknown`
 * on ProviderError and `getChatMessages` for reconciling an uncertain send.
 */
export interface WahaClientOptions {
  baseUrl: string;
  apiKey?: string;
  /** Session management, QR, lookups. */
  timeoutMs?: number;
  /** Sends (media sends upload and can be slow). */
  sendTimeoutMs?: number;
  maxMediaBytes?: number;
  fetchImpl?: typeof fetch;
}

export interface WahaWebhookConfig {
  url: string;
  events: string[];
  hmac?: { key: string } | null;
  retries?: { policy?: 'constant' | 'linear' | 'exponential'; delaySeconds?: number; attempts?: number } | null;
  customHeaders?: { name: string; value: string }[] | null;
}

export interface WahaSessionConfig {
  metadata?: Record<string, string>;
  webhooks?: WahaWebhookConfig[];
  [option: string]: unknown;
}

export interface WahaSessionInfo {
  name: string;
  status: string;
  config?: WahaSessionConfig | null;
  me?: { id: string; pushName?: string | null } | null;
}

export interface WahaFile {
  mimetype: string;
  filename?: string;
  url?: string;
  /** Base64. */
  data?: string;
}

export interface WahaSendTextRequest {
  session: string;
  chatId: string;
  text: string;
  reply_to?: string;
  linkPreview?: boolean;
}

export interface WahaSendFileRequest {
  session: string;
  chatId: string;
  file: WahaFile;
  caption?: string;
  reply_to?: string;
}

export interface WahaSendResponse {
  /** Serialized message id (`true_<chat>_<raw>`) or null when WAHA answered without one. */
  id: string | null;
  raw: unknown;
}

export interface WahaChatMessage {
  id: string;
  timestamp: number;
  fromMe: boolean;
  body: string | null;
}

const sessionInfoSchema = z.object({
  name: z.string().min(1),
  status: z.string().min(1),
  config: z.record(z.string(), z.unknown()).nullish(),
  me: z.object({ id: z.string(), pushName: z.string().nullish() }).nullish(),
});

const chatMessageSchema = z.object({
  id: z.string().min(1),
  timestamp: z.number(),
  fromMe: z.boolean(),
  body: z.string().nullish(),
});

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_SEND_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_MEDIA_BYTES = 100 * 1024 * 1024;

export class WahaClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly sendTimeoutMs: number;
  private readonly maxMediaBytes: number;

  constructor(private readonly options: WahaClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.maxMediaBytes = options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES;
  }

  /** GET /api/sessions/{session}; null when WAHA does not know the session. */
  async getSession(name: string): Promise<WahaSessionInfo | null> {
    const response = await this.call('getSession', 'GET', `/api/sessions/${seg(name)}`, undefined, { acceptStatuses: [404] });
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    return this.sessionInfo('getSession', await readSuccessBody(response, this.meta('getSession')));
  }

  /** POST /api/sessions: creates the session with its config and, by default, starts it. */
  async createSession(input: { name: string; config: WahaSessionConfig; start?: boolean }): Promise<WahaSessionInfo> {
    const body = { name: input.name, start: input.start ?? true, config: input.config };
    const response = await this.call('createSession', 'POST', '/api/sessions', body);
    return this.sessionInfo('createSession', await readSuccessBody(response, this.meta('createSession')));
  }

  /** PUT /api/sessions/{session}: replaces the config (WAHA restarts a running session). */
  async updateSession(name: string, config: WahaSessionConfig): Promise<WahaSessionInfo> {
    const response = await this.call('updateSession', 'PUT', `/api/sessions/${seg(name)}`, { name, config });
    return this.sessionInfo('updateSession', await readSuccessBody(response, this.meta('updateSession')));
  }

  /** POST /api/sessions/{session}/start — idempotent in WAHA. */
  startSession(name: string): Promise<WahaSessionInfo> {
    return this.sessionAction('startSession', name, 'start');
  }

  /** POST /api/sessions/{session}/stop — keeps the login. */
  stopSession(name: string): Promise<WahaSessionInfo> {
    return this.sessionAction('stopSession', name, 'stop');
  }

  /** POST /api/sessions/{session}/logout — drops the login; a running session starts over. */
  logoutSession(name: string): Promise<WahaSessionInfo> {
    return this.sessionAction('logoutSession', name, 'logout');
  }

  /** GET /api/{session}/auth/qr?format=raw; null unless the session is in SCAN_QR_CODE (WAHA answers 422). */
  async getQrValue(session: string): Promise<string | null> {
    const response = await this.call('getQrCode', 'GET', `/api/${seg(session)}/auth/qr?format=raw`, undefined, {
      acceptStatuses: [422],
    });
    if (response.status === 422) {
      await response.body?.cancel();
      return null;
    }
    const body = await readSuccessBody(response, this.meta('getQrCode'));
    const value = (body as { value?: unknown } | null)?.value;
    if (typeof value !== 'string' || !value) throw this.unexpected('getQrCode', 'QR answer without a value');
    return value;
  }

  /** GET /api/{session}/auth/qr?format=image with `Accept: application/json`: base64 PNG. */
  async getQrImage(session: string): Promise<{ mimetype: string; data: Buffer } | null> {
    const response = await this.call('getQrCode', 'GET', `/api/${seg(session)}/auth/qr?format=image`, undefined, {
      acceptStatuses: [422],
    });
    if (response.status === 422) {
      await response.body?.cancel();
      return null;
    }
    const body = (await readSuccessBody(response, this.meta('getQrCode'))) as { mimetype?: unknown; data?: unknown } | null;
    if (typeof body?.data !== 'string') throw this.unexpected('getQrCode', 'QR image answer without data');
    return { mimetype: typeof body.mimetype === 'string' ? body.mimetype : 'image/png', data: Buffer.from(body.data, 'base64') };
  }

  /** POST /api/sendText */
  sendText(request: WahaSendTextRequest): Promise<WahaSendResponse> {
    return this.send('sendText', '/api/sendText', request);
  }

  /** POST /api/sendImage */
  sendImage(request: WahaSendFileRequest): Promise<WahaSendResponse> {
    return this.send('sendImage', '/api/sendImage', request);
  }

  /** POST /api/sendFile */
  sendFile(request: WahaSendFileRequest): Promise<WahaSendResponse> {
    return this.send('sendFile', '/api/sendFile', request);
  }

  /** POST /api/sendSeen */
  async sendSeen(request: { session: string; chatId: string; messageId?: string; participant?: string }): Promise<void> {
    const response = await this.call('markSeen', 'POST', '/api/sendSeen', request);
    await response.body?.cancel();
  }

  /** GET /api/{session}/chats/{chatId}/messages — recent messages, newest first, without media. */
  async getChatMessages(session: string, chatId: string, limit = 20): Promise<WahaChatMessage[]> {
    const path = `/api/${seg(session)}/chats/${seg(chatId)}/messages?limit=${limit}&downloadMedia=false`;
    const response = await this.call('getChatMessages', 'GET', path);
    const body = await readSuccessBody(response, this.meta('getChatMessages'));
    const parsed = z.array(chatMessageSchema).safeParse(body);
    if (!parsed.success) throw this.unexpected('getChatMessages', 'messages answer is not a message list');
    return parsed.data.map((message) => ({ ...message, body: message.body ?? null }));
  }

  /**
   * Downloads a file WAHA announced in a webhook (`media.url`). Only `/api/files/...` paths are
   * fetched, and always from our configured WAHA_URL: WAHA reports URLs with its own idea of its
   * host (often `localhost:3000`), and our API key must never be sent to a host a payload names.
   */
  async downloadMedia(url: string): Promise<{ bytes: Buffer; mimetype: string | null }> {
    let path: string;
    try {
      const parsed = new URL(url, 'http://waha.invalid');
      path = parsed.pathname + parsed.search;
    } catch {
      throw this.rejectedMediaUrl(url);
    }
    if (!path.startsWith('/api/files/')) throw this.rejectedMediaUrl(url);
    const response = await this.call('fetchMedia', 'GET', path, undefined, { acceptStatuses: [404] });
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ProviderError({
        provider: 'WAHA',
        operation: 'fetchMedia',
        providerCode: 'MEDIA_GONE',
        message: 'WAHA no longer has the file (it deletes media after 180 s by default)',
        retryable: false,
        httpStatus: 404,
      });
    }
    const bytes = await readBytesLimited(response, this.maxMediaBytes, this.meta('fetchMedia'));
    return { bytes, mimetype: response.headers.get('content-type') };
  }

  private async send(operation: string, path: string, body: object): Promise<WahaSendResponse> {
    const response = await this.call(operation, 'POST', path, body, { isSend: true });
    const raw = await readSuccessBody(response, { ...this.meta(operation), isSend: true, timeoutMs: this.sendTimeoutMs });
    return { id: extractWahaMessageId(raw), raw };
  }

  private async sessionAction(operation: string, name: string, action: 'start' | 'stop' | 'logout'): Promise<WahaSessionInfo> {
    const response = await this.call(operation, 'POST', `/api/sessions/${seg(name)}/${action}`, {});
    const body = await readSuccessBody(response, this.meta(operation));
    // Older WAHA versions answer these without a body: ask for the state.
    if (body && typeof body === 'object' && 'status' in body) return this.sessionInfo(operation, body);
    const info = await this.getSession(name);
    if (!info) throw this.unexpected(operation, `session ${name} vanished`);
    return info;
  }

  private call(
    operation: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    json?: unknown,
    extra: { acceptStatuses?: number[]; isSend?: boolean } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.options.apiKey) headers['X-Api-Key'] = this.options.apiKey;
    return providerRequest({
      provider: 'WAHA',
      operation,
      method,
      url: `${this.baseUrl}${path}`,
      headers,
      json,
      timeoutMs: extra.isSend ? this.sendTimeoutMs : this.timeoutMs,
      isSend: extra.isSend,
      acceptStatuses: extra.acceptStatuses,
      classifyFailure: (failure) => classifyWahaFailure(operation, failure, extra.isSend ?? false),
      fetchImpl: this.options.fetchImpl,
    });
  }

  private meta(operation: string) {
    return { provider: 'WAHA' as const, operation, timeoutMs: this.timeoutMs };
  }

  private sessionInfo(operation: string, body: unknown): WahaSessionInfo {
    const parsed = sessionInfoSchema.safeParse(body);
    if (!parsed.success) throw this.unexpected(operation, 'session answer without name and status');
    return parsed.data as WahaSessionInfo;
  }

  private unexpected(operation: string, message: string): ProviderError {
    return new ProviderError({ provider: 'WAHA', operation, providerCode: 'UNEXPECTED_RESPONSE', message, retryable: false });
  }

  private rejectedMediaUrl(url: string): ProviderError {
    return new ProviderError({
      provider: 'WAHA',
      operation: 'fetchMedia',
      providerCode: 'MEDIA_URL_REJECTED',
      message: `not a WAHA file URL: ${url.slice(0, 200)}`,
      retryable: false,
    });
  }
}

/**
 * The sent message's id from a send answer. Each engine answers in its own format: WEBJS a
 * WAMessage (`id` string, or `id._serialized`), NOWEB/GOWS the engine message
 * (`key: {remoteJid, fromMe, id}`). Some WEBJS versions answer 201 with an empty body: null.
 */
export function extractWahaMessageId(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const record = body as Record<string, unknown>;
  if (typeof record.id === 'string' && record.id) return record.id;
  const serialized = (record.id as { _serialized?: unknown } | null | undefined)?._serialized;
  if (typeof serialized === 'string' && serialized) return serialized;
  const key = record.key as { remoteJid?: unknown; fromMe?: unknown; id?: unknown } | undefined;
  if (key && typeof key.id === 'string' && key.id && typeof key.remoteJid === 'string') {
    const chat = parseWhatsAppAddress(key.remoteJid)?.id ?? key.remoteJid;
    return `${key.fromMe === false ? 'false' : 'true'}_${chat}_${key.id}`;
  }
  const dataId = ((record._data as { id?: { _serialized?: unknown } } | undefined)?.id)?._serialized;
  return typeof dataId === 'string' && dataId ? dataId : null;
}

/** WAHA (NestJS) errors: `{statusCode, message, error}` or `{exception: {message}}`. */
export function classifyWahaFailure(operation: string, failure: ProviderHttpFailure, isSend: boolean): ProviderError {
  const body = failure.body as { message?: unknown; error?: unknown; exception?: { message?: unknown } } | string | null;
  let message = `HTTP ${failure.status}`;
  if (typeof body === 'string' && body.trim()) message = body.trim().slice(0, 300);
  else if (body && typeof body === 'object') {
    const candidate = body.exception?.message ?? body.message ?? body.error;
    if (typeof candidate === 'string') message = candidate.slice(0, 300);
    else if (Array.isArray(candidate)) message = candidate.map(String).join('; ').slice(0, 300);
  }
  return new ProviderError({
    provider: 'WAHA',
    operation,
    providerCode: `HTTP_${failure.status}`,
    message,
    retryable: isRetryableHttpStatus(failure.status),
    httpStatus: failure.status,
    // A 5xx on a send may come after WhatsApp took the message.
    outcomeUnknown: isSend && failure.status >= 500,
    retryAfterMs: retryAfterMs(failure.headers),
  });
}

function seg(value: string): string {
  return encodeURIComponent(value);
}
