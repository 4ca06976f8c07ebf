import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import { isTransientDbError, TRANSIENT_RETRY_AFTER_SECONDS } from '../db/pg-errors';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST';
  /** Exact path, or a pattern for paths with ids. */
  path: string | RegExp;
  handler: RouteHandler;
  /** Larger bodies get 413 before the handler runs. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export class PayloadTooLargeError extends Error {}

/**
 * A plain node:http server with a small route table: GraphQL, webhooks (which need the raw
 * body for signatures), health and media all share one port with the WebSocket endpoint.
 */
export function createHttpServer(routes: Route[], log: Logger): http.Server {
  return http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const route = routes.find(
      (candidate) =>
        candidate.method === req.method &&
        (typeof candidate.path === 'string' ? candidate.path === pathname : candidate.path.test(pathname)),
    );
    if (!route) {
      const pathKnown = routes.some((r) => (typeof r.path === 'string' ? r.path === pathname : r.path.test(pathname)));
      return sendJson(res, pathKnown ? 405 : 404, { error: pathKnown ? 'method not allowed' : 'not found' });
    }
    try {
      const body = req.method === 'POST' ? await readBody(req, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) : Buffer.alloc(0);
      await route.handler(req, res, body);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) return sendJson(res, 413, { error: 'payload too large' });
      // The database refused or dropped the connection: a client (or a provider) should try again.
      if (isTransientDbError(error) && !res.headersSent) {
        log.warn({ err: error, path: pathname }, 'database unavailable; answered 503');
        res.setHeader('retry-after', String(TRANSIENT_RETRY_AFTER_SECONDS));
        return sendJson(res, 503, { error: 'database unavailable, try again later' });
      }
      log.error({ err: error, path: pathname }, 'unhandled error in HTTP handler');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' });
      else res.end();
    }
  });
}

export function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new PayloadTooLargeError());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new PayloadTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
