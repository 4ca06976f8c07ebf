import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { signWahaBody } from '../../src/channels/waha/waha-signature';
import { deepMerge, FakeHttpServer, postRaw, sendBytes, sendJson, type RecordedRequest, type RouteHandler } from './fake-http-server';
import { readFixture } from './fixture-files';

export type FakeWahaSessionStatus = 'STOPPED' | 'STARTING' | 'SCAN_QR_CODE' | 'WORKING' | 'FAILED';

/** How the fake answers sends: each WAHA engine has its own format (WAHA issue #760, #1087). */
export type FakeWahaSendStyle = 'WAMESSAGE' | 'WEBJS_ID_OBJECT' | 'NOWEB' | 'EMPTY';

export interface FakeWahaSession {
  name: string;
  status: FakeWahaSessionStatus;
  config: Record<string, unknown> | null;
  qrValue: string;
}

export interface FakeWahaSentMessage {
  session: string;
  chatId: string;
  id: string;
  body: string;
  endpoint: string;
  timestamp: number;
}

export interface FakeWahaOptions {
  /** Required `X-Api-Key`; unset = no auth. */
  apiKey?: string;
  /** Key used to sign the webhooks this fake posts. */
  hmacKey?: string;
  /** Status a newly created (and started) session gets. */
  startStatus?: FakeWahaSessionStatus;
  sendStyle?: FakeWahaSendStyle;
  /** The account's own chat id. */
  me?: string;
  /** The base URL WAHA believes it has, used in `media.url` (WAHA often says localhost:3000). */
  reportedBaseUrl?: string;
}

export interface WahaWebhookOverrides {
  /** Envelope `id`; null removes it (as in the docs' minimal examples). */
  id?: string | null;
  session?: string;
  event?: string;
  timestamp?: number;
  metadata?: Record<string, unknown>;
  me?: Record<string, unknown>;
  /** Deep-merged into the fixture's payload. */
  payload?: Record<string, unknown>;
}

export interface PostWebhookOptions {
  /** Sign with this key instead of the fake's (null: send unsigned). */
  signWith?: string | null;
  /** Change the body after signing (a tampered delivery). */
  tamper?: (body: string) => string;
}

/** A 1x1 PNG, the fake's QR image. */
const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const SEND_ENDPOINTS = new Set(['/api/sendText', '/api/sendImage', '/api/sendFile']);

/**
 * A WAHA server for tests: sessions, QR, sends, sendSeen, chat history and file hosting, with
 * answers shaped like WAHA's documented ones, failure injection, and signed webhook delivery
 * built from test/fixtures/waha.
 */
export class FakeWahaServer extends FakeHttpServer {
  readonly sessions = new Map<string, FakeWahaSession>();
  readonly sent: FakeWahaSentMessage[] = [];
  readonly options: Required<Omit<FakeWahaOptions, 'apiKey' | 'reportedBaseUrl'>> & Pick<FakeWahaOptions, 'apiKey' | 'reportedBaseUrl'>;
  private readonly files = new Map<string, { bytes: Buffer; mimetype: string }>();
  private failures: { status: number; body: unknown }[] = [];
  private hangs = 0;
  private lostResponses = 0;

  constructor(options: FakeWahaOptions = {}) {
    super();
    this.options = {
      hmacKey: 'fake-waha-hmac-key-0123456789',
      startStatus: 'SCAN_QR_CODE',
      sendStyle: 'WAMESSAGE',
      me: '15550001111@c.us',
      ...options,
    };
  }

  static async start(options: FakeWahaOptions = {}): Promise<FakeWahaServer> {
    return new FakeWahaServer(options).listen();
  }

  /** The server settings that point an app at this fake. */
  appEnv(): Record<string, string> {
    return { WAHA_URL: this.url, WAHA_WEBHOOK_HMAC_KEY: this.options.hmacKey, ...(this.options.apiKey ? { WAHA_API_KEY: this.options.apiKey } : {}) };
  }

  /** The next `count` sends answer `status` (500 by default) with a WAHA-style error body. */
  failNextSends(count: number, status = 500, body: unknown = { statusCode: status, message: 'Internal server error' }): void {
    for (let i = 0; i < count; i += 1) this.failures.push({ status, body });
  }

  /** The next `count` sends never answer (nothing is sent). */
  hangNextSends(count: number): void {
    this.hangs += count;
  }

  /** The next `count` sends go out (recorded in `sent`) but their answer never comes: an uncertain send. */
  loseNextResponses(count: number): void {
    this.lostResponses += count;
  }

  setSendStyle(style: FakeWahaSendStyle): void {
    this.options.sendStyle = style;
  }

  /** Adds or changes a session directly (e.g. a phone that finished scanning: WORKING). */
  setSession(name: string, status: FakeWahaSessionStatus, config: Record<string, unknown> | null = null): FakeWahaSession {
    const existing = this.sessions.get(name);
    const session = existing ?? { name, status, config, qrValue: newQr() };
    session.status = status;
    if (config) session.config = config;
    this.sessions.set(name, session);
    return session;
  }

  /** Serves bytes at `/api/files/<relativePath>`; returns the URL WAHA would put in `media.url`. */
  hostFile(relativePath: string, bytes: Buffer, mimetype: string): string {
    this.files.set(relativePath, { bytes, mimetype });
    return `${this.options.reportedBaseUrl ?? this.url}/api/files/${relativePath}`;
  }

  /** Removes a hosted file, as WAHA does 180 s after download. */
  deleteFile(relativePath: string): void {
    this.files.delete(relativePath);
  }

  /** A webhook body from `test/fixtures/waha/<fixture>.json` with overrides, as WAHA would send it. */
  buildWebhook(fixture: string, overrides: WahaWebhookOverrides = {}): string {
    const base = readFixture(`waha/${fixture}.json`) as Record<string, unknown>;
    const { payload, id, ...envelope } = overrides;
    let body = deepMerge(base, envelope) as Record<string, unknown>;
    if (payload) body = { ...body, payload: deepMerge(body.payload, payload) };
    if (id === null) delete body.id;
    else if (id !== undefined) body = { id, ...body };
    return JSON.stringify(body);
  }

  /** Headers WAHA sends with a webhook, signed with `key`. */
  webhookHeaders(body: string, key: string | null = this.options.hmacKey): Record<string, string> {
    const headers: Record<string, string> = {
      'X-Webhook-Request-Id': randomBytes(8).toString('hex'),
      'X-Webhook-Timestamp': String(Date.now()),
    };
    if (key !== null) {
      headers['X-Webhook-Hmac'] = signWahaBody(body, key);
      headers['X-Webhook-Hmac-Algorithm'] = 'sha512';
    }
    return headers;
  }

  /** Builds, signs and POSTs a webhook to `targetUrl`. */
  async postWebhook(
    targetUrl: string,
    fixture: string,
    overrides: WahaWebhookOverrides = {},
    options: PostWebhookOptions = {},
  ): Promise<{ status: number; body: string; sent: string }> {
    const body = this.buildWebhook(fixture, overrides);
    const headers = this.webhookHeaders(body, options.signWith === undefined ? this.options.hmacKey : options.signWith);
    const sent = options.tamper ? options.tamper(body) : body;
    return { ...(await postRaw(targetUrl, sent, headers)), sent };
  }

  /** Payload overrides for an inbound text from `phone` (digits) on the `message` fixture. */
  static inboundText(phone: string, body: string, rawId = randomId()): Record<string, unknown> {
    return {
      id: `false_${phone}@c.us_${rawId}`,
      from: `${phone}@c.us`,
      fromMe: false,
      to: '15550001111@c.us',
      body,
      timestamp: Math.floor(Date.now() / 1000),
      source: 'app',
    };
  }

  protected route(request: RecordedRequest): RouteHandler | undefined {
    const { method, path } = request;
    if (path.startsWith('/api/files/') && method === 'GET') return this.authed((_, res) => this.serveFile(path, res));
    if (path === '/api/sessions' && method === 'POST') return this.authed((req, res) => this.createSession(req, res));
    const session = /^\/api\/sessions\/([^/]+)(?:\/(start|stop|logout|restart))?$/.exec(path);
    if (session) {
      const name = decodeURIComponent(session[1]);
      const action = session[2];
      if (!action && method === 'GET') return this.authed((_, res) => this.getSession(name, res));
      if (!action && method === 'PUT') return this.authed((req, res) => this.updateSession(name, req, res));
      if (!action && method === 'DELETE') return this.authed((_, res) => this.deleteSession(name, res));
      if (action && method === 'POST') return this.authed((_, res) => this.sessionAction(name, action, res));
    }
    const qr = /^\/api\/([^/]+)\/auth\/qr$/.exec(path);
    if (qr && method === 'GET') return this.authed((req, res) => this.getQr(decodeURIComponent(qr[1]), req, res));
    const history = /^\/api\/([^/]+)\/chats\/([^/]+)\/messages$/.exec(path);
    if (history && method === 'GET') {
      return this.authed((req, res) => this.chatMessages(decodeURIComponent(history[1]), decodeURIComponent(history[2]), req, res));
    }
    if (SEND_ENDPOINTS.has(path) && method === 'POST') return this.authed((req, res) => this.send(req, res));
    if (path === '/api/sendSeen' && method === 'POST') return this.authed((req, res) => this.sendSeen(req, res));
    return undefined;
  }

  private authed(handler: RouteHandler): RouteHandler {
    return (request, response) => {
      if (this.options.apiKey && request.headers['x-api-key'] !== this.options.apiKey) {
        sendJson(response, 401, { statusCode: 401, message: 'Unauthorized' });
        return;
      }
      return handler(request, response);
    };
  }

  private sessionDto(session: FakeWahaSession) {
    return {
      name: session.name,
      status: session.status,
      config: session.config,
      me: session.status === 'WORKING' ? { id: this.options.me, pushName: 'Fake WAHA' } : null,
      engine: { engine: 'WEBJS' },
    };
  }

  private createSession(request: RecordedRequest, response: ServerResponse): void {
    const body = (request.json ?? {}) as { name?: string; start?: boolean; config?: Record<string, unknown> };
    const name = body.name ?? `session_${randomId().slice(0, 8)}`;
    if (this.sessions.has(name)) {
      sendJson(response, 422, { statusCode: 422, message: `Session '${name}' already exists`, error: 'Unprocessable Entity' });
      return;
    }
    const session = this.setSession(name, body.start === false ? 'STOPPED' : this.options.startStatus, body.config ?? null);
    sendJson(response, 201, this.sessionDto(session));
  }

  private getSession(name: string, response: ServerResponse): void {
    const session = this.sessions.get(name);
    if (!session) return void sendJson(response, 404, { statusCode: 404, message: 'Session not found', error: 'Not Found' });
    sendJson(response, 200, this.sessionDto(session));
  }

  private updateSession(name: string, request: RecordedRequest, response: ServerResponse): void {
    const session = this.sessions.get(name);
    if (!session) return void sendJson(response, 404, { statusCode: 404, message: 'Session not found', error: 'Not Found' });
    session.config = ((request.json ?? {}) as { config?: Record<string, unknown> }).config ?? null;
    sendJson(response, 200, this.sessionDto(session));
  }

  private deleteSession(name: string, response: ServerResponse): void {
    this.sessions.delete(name);
    sendJson(response, 200, {});
  }

  private sessionAction(name: string, action: string, response: ServerResponse): void {
    const session = this.sessions.get(name);
    if (!session) return void sendJson(response, 404, { statusCode: 404, message: 'Session not found', error: 'Not Found' });
    if (action === 'stop') session.status = 'STOPPED';
    else if (action === 'logout') {
      session.qrValue = newQr();
      session.status = session.status === 'STOPPED' ? 'STOPPED' : 'SCAN_QR_CODE';
    } else if (session.status === 'STOPPED' || session.status === 'FAILED' || action === 'restart') {
      session.status = this.options.startStatus;
    }
    sendJson(response, 201, this.sessionDto(session));
  }

  private getQr(name: string, request: RecordedRequest, response: ServerResponse): void {
    const session = this.sessions.get(name);
    if (!session) return void sendJson(response, 404, { statusCode: 404, message: 'Session not found', error: 'Not Found' });
    if (session.status !== 'SCAN_QR_CODE') {
      sendJson(response, 422, {
        statusCode: 422,
        message: `Can get QR code only in SCAN_QR_CODE status. The current status is '${session.status}'`,
        error: 'Unprocessable Entity',
      });
      return;
    }
    if (request.query.get('format') === 'raw') return void sendJson(response, 200, { value: session.qrValue });
    if (String(request.headers.accept ?? '').includes('application/json')) {
      return void sendJson(response, 200, { mimetype: 'image/png', data: TINY_PNG.toString('base64') });
    }
    sendBytes(response, 200, TINY_PNG, 'image/png');
  }

  private send(request: RecordedRequest, response: ServerResponse): void {
    if (this.hangs > 0) {
      this.hangs -= 1;
      return this.hang(response);
    }
    const failure = this.failures.shift();
    if (failure) return void sendJson(response, failure.status, failure.body);
    const body = (request.json ?? {}) as { session?: string; chatId?: string; text?: string; caption?: string };
    const session = body.session ? this.sessions.get(body.session) : undefined;
    if (!session) return void sendJson(response, 404, { statusCode: 404, message: 'Session not found', error: 'Not Found' });
    if (session.status !== 'WORKING') {
      sendJson(response, 422, {
        statusCode: 422,
        message: `Session status is not as expected. Try again later or restart the session. Current status: ${session.status}`,
        error: 'Unprocessable Entity',
      });
      return;
    }
    if (typeof body.chatId !== 'string' || !/@(c\.us|g\.us|lid)$/.test(body.chatId)) {
      return void sendJson(response, 400, { statusCode: 400, message: ['chatId must be a chat id'], error: 'Bad Request' });
    }
    const rawId = randomId();
    const id = `true_${body.chatId}_${rawId}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const text = body.text ?? body.caption ?? '';
    this.sent.push({ session: session.name, chatId: body.chatId, id, body: text, endpoint: request.path, timestamp });
    if (this.lostResponses > 0) {
      this.lostResponses -= 1;
      return this.hang(response);
    }
    switch (this.options.sendStyle) {
      case 'EMPTY':
        response.writeHead(201, { 'content-length': 0 });
        response.end();
        return;
      case 'NOWEB':
        sendJson(response, 201, {
          key: { remoteJid: body.chatId.replace('@c.us', '@s.whatsapp.net'), fromMe: true, id: rawId },
          message: { extendedTextMessage: { text } },
          messageTimestamp: String(timestamp),
          status: 'PENDING',
        });
        return;
      case 'WEBJS_ID_OBJECT': {
        const message = this.sentMessage(id, body.chatId, text, timestamp, request.path !== '/api/sendText');
        sendJson(response, 201, { ...message, id: { fromMe: true, remote: body.chatId, id: rawId, _serialized: id } });
        return;
      }
      default:
        sendJson(response, 201, this.sentMessage(id, body.chatId, text, timestamp, request.path !== '/api/sendText'));
    }
  }

  /** A WAMessage for our own send, from the `message.any` fixture (which is an own message). */
  private sentMessage(id: string, chatId: string, body: string, timestamp: number, hasMedia: boolean) {
    const fixture = readFixture<{ payload: Record<string, unknown> }>('waha/message.any.json');
    return deepMerge(fixture.payload, { id, timestamp, from: this.options.me, fromMe: true, source: 'api', to: chatId, body, hasMedia });
  }

  private sendSeen(request: RecordedRequest, response: ServerResponse): void {
    const body = (request.json ?? {}) as { session?: string };
    if (!body.session || !this.sessions.has(body.session)) {
      return void sendJson(response, 404, { statusCode: 404, message: 'Session not found', error: 'Not Found' });
    }
    sendJson(response, 201, {});
  }

  private chatMessages(sessionName: string, chatId: string, request: RecordedRequest, response: ServerResponse): void {
    if (!this.sessions.has(sessionName)) {
      return void sendJson(response, 404, { statusCode: 404, message: 'Session not found', error: 'Not Found' });
    }
    const limit = Number(request.query.get('limit') ?? 100);
    const messages = this.sent
      .filter((message) => message.session === sessionName && message.chatId === chatId)
      .reverse()
      .slice(0, limit)
      .map((message) => this.sentMessage(message.id, message.chatId, message.body, message.timestamp, message.endpoint !== '/api/sendText'));
    sendJson(response, 200, messages);
  }

  private serveFile(path: string, response: ServerResponse): void {
    const file = this.files.get(decodeURIComponent(path.slice('/api/files/'.length)));
    if (!file) return void sendJson(response, 404, { statusCode: 404, message: 'File not found', error: 'Not Found' });
    sendBytes(response, 200, file.bytes, file.mimetype);
  }
}

function randomId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

function newQr(): string {
  return `2@${randomBytes(24).toString('base64')},fake-waha-qr`;
}
