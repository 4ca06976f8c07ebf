import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ProviderError } from '../channel-errors';
import { providerRequest, readBytesLimited, readSuccessBody } from '../provider-http';
import { classifyCloudFailure } from './cloud-error-codes';

/**
 * Meta WhatsApp Cloud API (Graph API) client. One client serves every tenant: each tenant has its
 * own phone_number_id and access token, passed per call and never stored here.
 */
export interface CloudClientOptions {
  /** CLOUD_API_URL, version included: `https://graph.facebook.com/v21.0`. */
  baseUrl: string;
  timeoutMs?: number;
  sendTimeoutMs?: number;
  maxMediaBytes?: number;
  fetchImpl?: typeof fetch;
}

export interface CloudCredentials {
  phoneNumberId: string;
  accessToken: string;
}

export interface CloudMediaInfo {
  id: string;
  url: string;
  mimeType: string;
  sha256?: string;
  fileSize?: number;
}

const sendResponseSchema = z.object({
  messages: z.array(z.object({ id: z.string().min(1) })).min(1),
});

const mediaInfoSchema = z.object({
  id: z.string().min(1).optional(),
  url: z.string().url(),
  mime_type: z.string().min(1),
  sha256: z.string().optional(),
  file_size: z.union([z.number(), z.string()]).optional(),
});

const phoneNumberSchema = z.object({
  id: z.string().min(1),
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
});

const GRAPH_ID = /^[A-Za-z0-9_.-]{1,128}$/;

export class CloudClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly sendTimeoutMs: number;
  private readonly maxMediaBytes: number;

  constructor(private readonly options: CloudClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
    this.maxMediaBytes = options.maxMediaBytes ?? 100 * 1024 * 1024;
  }

  /** GET /{phone_number_id}: checks that the token can use the number. */
  async getPhoneNumber(credentials: CloudCredentials): Promise<z.infer<typeof phoneNumberSchema>> {
    const operation = 'startSession';
    const response = await this.call(operation, 'GET', `/${graphId(credentials.phoneNumberId, operation)}`, credentials.accessToken);
    const parsed = phoneNumberSchema.safeParse(await readSuccessBody(response, this.meta(operation)));
    if (!parsed.success) throw unexpected(operation, 'phone number answer without id');
    return parsed.data;
  }

  /** POST /{phone_number_id}/messages with a complete message object; returns the wamid. */
  async sendMessage(
    operation: string,
    credentials: CloudCredentials,
    message: Record<string, unknown>,
  ): Promise<{ id: string; raw: unknown }> {
    const path = `/${graphId(credentials.phoneNumberId, operation)}/messages`;
    const response = await this.call(operation, 'POST', path, credentials.accessToken, {
      json: { messaging_product: 'whatsapp', ...message },
      isSend: true,
    });
    const raw = await readSuccessBody(response, { ...this.meta(operation), isSend: true });
    const parsed = sendResponseSchema.safeParse(raw);
    if (!parsed.success) {
      // Meta answered 2xx: the message was most likely accepted, we just cannot tell its id.
      throw new ProviderError({
        provider: 'CLOUD',
        operation,
        providerCode: 'UNEXPECTED_RESPONSE',
        message: 'send answer without messages[0].id',
        retryable: false,
        outcomeUnknown: true,
      });
    }
    return { id: parsed.data.messages[0].id, raw };
  }

  /** Marks an inbound message as read (blue ticks). */
  async markRead(credentials: CloudCredentials, messageId: string): Promise<void> {
    const path = `/${graphId(credentials.phoneNumberId, 'markSeen')}/messages`;
    const response = await this.call('markSeen', 'POST', path, credentials.accessToken, {
      json: { messaging_product: 'whatsapp', status: 'read', message_id: messageId },
    });
    await response.body?.cancel();
  }

  /** POST /{phone_number_id}/media (multipart); returns the media id to send by `id`. */
  async uploadMedia(
    credentials: CloudCredentials,
    file: { bytes: Buffer; mimetype: string; filename?: string },
  ): Promise<string> {
    const operation = 'uploadMedia';
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', file.mimetype);
    form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.mimetype }), file.filename ?? 'file');
    const path = `/${graphId(credentials.phoneNumberId, operation)}/media`;
    const response = await this.call(operation, 'POST', path, credentials.accessToken, { body: form });
    const body = (await readSuccessBody(response, this.meta(operation))) as { id?: unknown } | null;
    if (typeof body?.id !== 'string' || !body.id) throw unexpected(operation, 'upload answer without id');
    return body.id;
  }

  /** GET /{media_id}: a short-lived download URL (needs the same token) and the file's facts. */
  async getMediaInfo(accessToken: string, mediaId: string): Promise<CloudMediaInfo> {
    const operation = 'fetchMedia';
    const response = await this.call(operation, 'GET', `/${graphId(mediaId, operation)}`, accessToken);
    const parsed = mediaInfoSchema.safeParse(await readSuccessBody(response, this.meta(operation)));
    if (!parsed.success) throw unexpected(operation, 'media answer without url and mime_type');
    const info: CloudMediaInfo = { id: parsed.data.id ?? mediaId, url: parsed.data.url, mimeType: parsed.data.mime_type };
    if (parsed.data.sha256) info.sha256 = parsed.data.sha256;
    if (parsed.data.file_size !== undefined) info.fileSize = Number(parsed.data.file_size);
    return info;
  }

  /** Downloads the URL from getMediaInfo with the Bearer token; checks size and, when known, sha256. */
  async downloadMedia(accessToken: string, info: CloudMediaInfo): Promise<{ bytes: Buffer; mimetype: string }> {
    const operation = 'fetchMedia';
    const response = await providerRequest({
      provider: 'CLOUD',
      operation,
      method: 'GET',
      url: info.url,
      headers: { Authorization: `Bearer ${accessToken}`, Accept: '*/*' },
      timeoutMs: this.sendTimeoutMs,
      // Meta's media host may redirect; fetch drops Authorization on cross-origin redirects.
      redirect: 'follow',
      classifyFailure: (failure) => classifyCloudFailure(operation, failure, false),
      fetchImpl: this.options.fetchImpl,
    });
    const bytes = await readBytesLimited(response, this.maxMediaBytes, this.meta(operation));
    if (info.sha256 && !sha256Matches(bytes, info.sha256)) {
      throw new ProviderError({
        provider: 'CLOUD',
        operation,
        providerCode: 'MEDIA_CHECKSUM_MISMATCH',
        message: 'downloaded media does not match its sha256',
        retryable: true,
      });
    }
    return { bytes, mimetype: info.mimeType };
  }

  private call(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    accessToken: string,
    extra: { json?: unknown; body?: FormData; isSend?: boolean } = {},
  ): Promise<Response> {
    if (!accessToken) throw unexpected(operation, 'no access token for this phone number');
    return providerRequest({
      provider: 'CLOUD',
      operation,
      method,
      url: `${this.baseUrl}${path}`,
      headers: { Authorization: `Bearer ${accessToken}` },
      json: extra.json,
      body: extra.body,
      timeoutMs: extra.isSend ? this.sendTimeoutMs : this.timeoutMs,
      isSend: extra.isSend,
      classifyFailure: (failure) => classifyCloudFailure(operation, failure, extra.isSend ?? false),
      fetchImpl: this.options.fetchImpl,
    });
  }

  private meta(operation: string) {
    return { provider: 'CLOUD' as const, operation, timeoutMs: this.timeoutMs };
  }
}

/** Meta gives sha256 as hex in the media answer and as base64 in webhooks; accept either. */
function sha256Matches(bytes: Buffer, expected: string): boolean {
  const digest = createHash('sha256').update(bytes).digest();
  return expected.toLowerCase() === digest.toString('hex') || expected === digest.toString('base64');
}

function graphId(value: string, operation: string): string {
  if (!GRAPH_ID.test(value)) {
    throw new ProviderError({
      provider: 'CLOUD',
      operation,
      providerCode: 'INVALID_ID',
      message: 'not a Graph API id',
      retryable: false,
    });
  }
  return value;
}

function unexpected(operation: string, message: string): ProviderError {
  return new ProviderError({ provider: 'CLOUD', operation, providerCode: 'UNEXPECTED_RESPONSE', message, retryable: false });
}
