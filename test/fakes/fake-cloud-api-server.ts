import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { signCloudBody } from '../../src/channels/cloud/cloud-signature';
import { deepMerge, FakeHttpServer, postRaw, sendBytes, sendJson, type RecordedRequest, type RouteHandler } from './fake-http-server';
import { readFixture } from './fixture-files';

export interface FakeCloudPhoneNumber {
  phoneNumberId: string;
  accessToken: string;
  displayPhoneNumber: string;
}

export interface FakeCloudSentMessage {
  phoneNumberId: string;
  id: string;
  body: Record<string, unknown>;
}

export interface CloudWebhookOverrides {
  /** Sets `metadata.phone_number_id` of every change. */
  phoneNumberId?: string;
  /** Deep-merged into `entry[0].changes[0].value`. */
  value?: Record<string, unknown>;
  /** Deep-merged into `value.messages[0]`. */
  message?: Record<string, unknown>;
  /** Deep-merged into `value.statuses[0]`. */
  status?: Record<string, unknown>;
}

interface StoredMedia {
  owner: string;
  bytes: Buffer;
  mimeType: string;
}

interface InjectedFailure {
  status: number;
  code?: number;
  message: string;
  hang?: boolean;
}

/**
 * Meta's Graph API for WhatsApp, as far as our client uses it: phone number lookup, sends,
 * media upload, media lookup and download (Bearer token required), failure injection, and
 * signed webhook delivery built from test/fixtures/whatsapp-cloud. Paths may carry a version
 * prefix (`/v21.0/...`) like CLOUD_API_URL.
 */
export class FakeCloudApiServer extends FakeHttpServer {
  readonly sent: FakeCloudSentMessage[] = [];
  readonly readReceipts: { phoneNumberId: string; messageId: string }[] = [];
  readonly appSecret: string;
  private readonly numbers = new Map<string, FakeCloudPhoneNumber>();
  private readonly media = new Map<string, StoredMedia>();
  private failures: InjectedFailure[] = [];

  constructor(options: { appSecret?: string } = {}) {
    super();
    this.appSecret = options.appSecret ?? 'fake-cloud-app-secret';
  }

  static async start(options: { appSecret?: string } = {}): Promise<FakeCloudApiServer> {
    return new FakeCloudApiServer(options).listen();
  }

  /** CLOUD_API_URL for clients: the fake's URL with a Graph version prefix. */
  get graphUrl(): string {
    return `${this.url}/v21.0`;
  }

  addPhoneNumber(phoneNumberId: string, accessToken: string, displayPhoneNumber = '15550783881'): FakeCloudPhoneNumber {
    const number = { phoneNumberId, accessToken, displayPhoneNumber };
    this.numbers.set(phoneNumberId, number);
    return number;
  }

  /** Stores a media object (as if a customer sent it) and returns its media id. */
  addMedia(owner: string, bytes: Buffer, mimeType: string, mediaId = randomDigits(16)): string {
    this.media.set(mediaId, { owner, bytes, mimeType });
    return mediaId;
  }

  /** The next `count` sends fail with a Graph error (default: 400, code 131056 pair rate limit). */
  failNextSends(count: number, failure: Partial<InjectedFailure> = {}): void {
    const full: InjectedFailure = {
      status: failure.status ?? 400,
      code: failure.code ?? 131056,
      message: failure.message ?? '(#131056) (Business Account, Consumer Account) pair rate limit hit',
      hang: failure.hang,
    };
    for (let i = 0; i < count; i += 1) this.failures.push(full);
  }

  hangNextSends(count: number): void {
    this.failNextSends(count, { hang: true });
  }

  /** A webhook body from `test/fixtures/whatsapp-cloud/<fixture>.json` with overrides. */
  buildWebhook(fixture: string, overrides: CloudWebhookOverrides = {}): string {
    const body = readFixture<{ entry: { changes: { value: Record<string, unknown> }[] }[] }>(`whatsapp-cloud/${fixture}.json`);
    for (const entry of body.entry) {
      for (const change of entry.changes) {
        let value = deepMerge(change.value, overrides.value);
        if (overrides.phoneNumberId) value = deepMerge(value, { metadata: { phone_number_id: overrides.phoneNumberId } });
        const messages = value.messages as Record<string, unknown>[] | undefined;
        if (overrides.message && messages?.[0]) messages[0] = deepMerge(messages[0], overrides.message);
        const statuses = value.statuses as Record<string, unknown>[] | undefined;
        if (overrides.status && statuses?.[0]) statuses[0] = deepMerge(statuses[0], overrides.status);
        change.value = value;
      }
    }
    return JSON.stringify(body);
  }

  /** One body with the entries of several bodies (Meta batches changes of many numbers). */
  static mergeBodies(bodies: string[]): string {
    const parsed = bodies.map((body) => JSON.parse(body) as { object: string; entry: unknown[] });
    return JSON.stringify({ object: parsed[0].object, entry: parsed.flatMap((body) => body.entry) });
  }

  webhookHeaders(body: string, secret: string | null = this.appSecret): Record<string, string> {
    return secret === null ? {} : { 'X-Hub-Signature-256': signCloudBody(body, secret) };
  }

  async postWebhook(
    targetUrl: string,
    body: string,
    options: { signWith?: string | null; tamper?: (body: string) => string } = {},
  ): Promise<{ status: number; body: string }> {
    const headers = this.webhookHeaders(body, options.signWith === undefined ? this.appSecret : options.signWith);
    return postRaw(targetUrl, options.tamper ? options.tamper(body) : body, headers);
  }

  protected route(request: RecordedRequest): RouteHandler | undefined {
    const path = request.path.replace(/^\/v\d+\.\d+(?=\/)/, '');
    const download = /^\/media-download\/([^/]+)$/.exec(path);
    if (download && request.method === 'GET') return (req, res) => this.download(download[1], req, res);
    const messages = /^\/([^/]+)\/messages$/.exec(path);
    if (messages && request.method === 'POST') return (req, res) => this.messages(messages[1], req, res);
    const upload = /^\/([^/]+)\/media$/.exec(path);
    if (upload && request.method === 'POST') return (req, res) => this.upload(upload[1], req, res);
    const object = /^\/([^/]+)$/.exec(path);
    if (object && request.method === 'GET') return (req, res) => this.getObject(object[1], req, res);
    return undefined;
  }

  private token(request: RecordedRequest): string | null {
    const header = request.headers.authorization;
    return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
  }

  /** The phone number whose token the request carries, or null after answering 401. */
  private authorize(request: RecordedRequest, response: ServerResponse, phoneNumberId: string): FakeCloudPhoneNumber | null {
    const number = this.numbers.get(phoneNumberId);
    const token = this.token(request);
    if (!number || !token || token !== number.accessToken) {
      graphError(response, 401, 190, 'Invalid OAuth access token - Cannot parse access token', 'OAuthException');
      return null;
    }
    return number;
  }

  private getObject(id: string, request: RecordedRequest, response: ServerResponse): void {
    const stored = this.media.get(id);
    if (stored) {
      if (!this.authorize(request, response, stored.owner)) return;
      sendJson(response, 200, {
        messaging_product: 'whatsapp',
        url: `${this.url}/media-download/${id}?ext=${Date.now()}&hash=${randomBytes(6).toString('hex')}`,
        mime_type: stored.mimeType,
        sha256: createHash('sha256').update(stored.bytes).digest('hex'),
        file_size: String(stored.bytes.length),
        id,
      });
      return;
    }
    const number = this.numbers.get(id);
    if (number) {
      if (!this.authorize(request, response, id)) return;
      sendJson(response, 200, {
        verified_name: 'Fake Business',
        display_phone_number: number.displayPhoneNumber,
        id,
        quality_rating: 'GREEN',
      });
      return;
    }
    graphError(response, 400, 100, `Unsupported get request. Object with ID '${id}' does not exist`, 'GraphMethodException');
  }

  private download(mediaId: string, request: RecordedRequest, response: ServerResponse): void {
    const stored = this.media.get(mediaId);
    if (!stored) return void graphError(response, 404, 100, 'media not found', 'GraphMethodException');
    if (!this.authorize(request, response, stored.owner)) return;
    sendBytes(response, 200, stored.bytes, stored.mimeType);
  }

  private messages(phoneNumberId: string, request: RecordedRequest, response: ServerResponse): void {
    if (!this.authorize(request, response, phoneNumberId)) return;
    const body = (request.json ?? {}) as Record<string, unknown>;
    if (body.messaging_product !== 'whatsapp') {
      return void graphError(response, 400, 100, '(#100) The parameter messaging_product is required.', 'OAuthException');
    }
    if (body.status === 'read') {
      if (typeof body.message_id !== 'string') return void graphError(response, 400, 100, '(#100) message_id is required', 'OAuthException');
      this.readReceipts.push({ phoneNumberId, messageId: body.message_id });
      return void sendJson(response, 200, { success: true });
    }
    const failure = this.failures.shift();
    if (failure?.hang) return this.hang(response);
    if (failure) return void graphError(response, failure.status, failure.code, failure.message, 'OAuthException');
    if (typeof body.to !== 'string' || !/^\d{5,15}$/.test(body.to)) {
      return void graphError(response, 400, 100, '(#100) Invalid parameter', 'OAuthException');
    }
    const type = body.type;
    if (typeof type !== 'string' || !['text', 'template', 'image', 'document'].includes(type) || !(type in body)) {
      return void graphError(response, 400, 100, `(#100) Param ${String(type)} is required`, 'OAuthException');
    }
    const id = `wamid.${Buffer.from(`${body.to}${randomBytes(12).toString('hex')}`).toString('base64')}`;
    this.sent.push({ phoneNumberId, id, body });
    sendJson(response, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [type === 'template' ? { id, message_status: 'accepted' } : { id }],
    });
  }

  private async upload(phoneNumberId: string, request: RecordedRequest, response: ServerResponse): Promise<void> {
    if (!this.authorize(request, response, phoneNumberId)) return;
    const contentType = String(request.headers['content-type'] ?? '');
    if (!contentType.startsWith('multipart/form-data')) {
      return void graphError(response, 400, 100, '(#100) multipart/form-data expected', 'OAuthException');
    }
    const form = await new Response(new Uint8Array(request.rawBody), { headers: { 'content-type': contentType } }).formData();
    const file = form.get('file');
    if (form.get('messaging_product') !== 'whatsapp' || !(file instanceof Blob)) {
      return void graphError(response, 400, 100, '(#100) file and messaging_product are required', 'OAuthException');
    }
    const id = this.addMedia(phoneNumberId, Buffer.from(await file.arrayBuffer()), String(form.get('type') ?? file.type));
    sendJson(response, 200, { id });
  }
}

function graphError(response: ServerResponse, status: number, code: number | undefined, message: string, type: string): void {
  sendJson(response, status, {
    error: {
      message,
      type,
      code,
      error_data: { messaging_product: 'whatsapp', details: message },
      fbtrace_id: randomBytes(8).toString('base64'),
    },
  });
}

function randomDigits(length: number): string {
  let digits = '';
  while (digits.length < length) digits += String(randomBytes(4).readUInt32BE() % 10);
  return digits;
}
