import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
  /** False when no route matched: the fake answered 404. */
  expected: boolean;
}

export type RouteHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

/**
 * Base of the provider fakes: a real HTTP server on 127.0.0.1 with an ephemeral port that records
 * every request. Paths no route claims answer 404 and are kept in `unexpectedRequests`, so a test
 * can assert that nothing unplanned went out.
 */
export abstract class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  private baseUrl = '';
  private readonly hanging = new Set<ServerResponse>();

  get url(): string {
    if (!this.baseUrl) throw new Error('fake server is not listening');
    return this.baseUrl;
  }

  get unexpectedRequests(): RecordedRequest[] {
    return this.requests.filter((request) => !request.expected);
  }

  /** Requests to one method + path (query ignored). */
  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  async listen(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The route for a request, or undefined for 404. */
  protected abstract route(request: RecordedRequest): RouteHandler | undefined;

  /** Never answers (until close): simulates a provider that hangs. */
  protected hang(response: ServerResponse): void {
    this.hanging.add(response);
    response.on('close', () => this.hanging.delete(response));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    let json: unknown;
    if (rawBody.length > 0 && String(req.headers['content-type'] ?? '').includes('json')) {
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        json = undefined;
      }
    }
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      json,
      expected: true,
    };
    this.requests.push(request);
    const handler = this.route(request);
    if (!handler) {
      request.expected = false;
      sendJson(res, 404, { statusCode: 404, message: `Cannot ${request.method} ${request.path}`, error: 'Not Found' });
      return;
    }
    try {
      await handler(request, res);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { statusCode: 500, message: String(error) });
    }
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendBytes(response: ServerResponse, status: number, bytes: Buffer, contentType: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length });
  response.end(bytes);
}

/** Deep merge for fixture overrides: objects merge, everything else (arrays, null) replaces. */
export function deepMerge<T>(base: T, override: unknown): T {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    merged[key] = key in merged ? deepMerge(merged[key], value) : value;
  }
  return merged as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Posts a raw body with headers to a URL (the fakes' webhook deliveries). */
export async function postRaw(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}
