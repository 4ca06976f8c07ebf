import fs from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import type { Logger } from '../logger';
import { isTransientDbError, TRANSIENT_RETRY_AFTER_SECONDS } from '../db/pg-errors';
import { registerGraphqlExplorer } from './graphql-explorer';

export type RouteHandler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown;

/** What a module contributes to the HTTP server: nothing tenant-specific, nothing Fastify-wide. */
export interface Route {
  method: 'GET' | 'POST';
  /** Exact path; `:name` segments (e.g. `/documents/:id/content`) arrive in `request.params`. */
  path: string;
  /** The body, if any, is the raw bytes (`rawBody(request)`), as webhook signatures need them. */
  handler: RouteHandler;
  /** Larger bodies get 413 before the handler runs. */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Methods a known path answers 405 to when it has no route for them (OPTIONS is CORS's). */
const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface HttpServerOptions {
  log: Logger;
  /** Origins allowed to call the API from a browser; an empty list allows none. */
  corsOrigins: readonly string[];
  /** Serve the bundled GraphiQL at /graphiql. */
  explorer: boolean;
  /** A built web app served at `/` (index.html for unknown GET paths); skipped when it does not exist. */
  staticRoot?: string;
}

/** The raw body bytes of a request (empty when there is none). */
export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** Sends a JSON body with a status; returns the reply, which an async handler returns too. */
export function sendJson(reply: FastifyReply, status: number, payload: unknown, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers(headers).type('application/json; charset=utf-8').send(JSON.stringify(payload));
}

/**
 * Fastify with CORS, compression, the explorer and static files. GraphQL, webhooks (which need
 * the raw body for signatures), health and media share one port with the WebSocket endpoint
 * (attached by graphql-ws to `server`). Every body is kept as raw bytes: handlers parse it.
 * Routes are added with addRoutes() before it listens.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { log } = options;
  const app = Fastify({ bodyLimit: DEFAULT_MAX_BODY_BYTES, logger: false });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  await app.register(fastifyCors, {
    origin: [...options.corsOrigins],
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight', 'x-apollo-operation-name'],
    exposedHeaders: ['retry-after'],
    maxAge: 600,
  });
  // Answers only; request bodies stay as sent, since signatures are over those exact bytes.
  await app.register(fastifyCompress, { globalDecompression: false });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error.statusCode === 413) return sendJson(reply, 413, { error: 'payload too large' });
    if (error.statusCode === 400 && error.code?.startsWith('FST_')) return sendJson(reply, 400, { error: error.message });
    // The database refused or dropped the connection: a client (or a provider) should try again.
    if (isTransientDbError(error)) {
      log.warn({ err: error, path: request.url.split('?')[0] }, 'database unavailable; answered 503');
      return sendJson(reply, 503, { error: 'database unavailable, try again later' }, { 'retry-after': String(TRANSIENT_RETRY_AFTER_SECONDS) });
    }
    log.error({ err: error, path: request.url.split('?')[0] }, 'unhandled error in HTTP handler');
    return sendJson(reply, 500, { error: 'internal server error' });
  });

  if (options.explorer) registerGraphqlExplorer(app);

  const staticRoot = options.staticRoot && fs.existsSync(options.staticRoot) ? options.staticRoot : null;
  if (staticRoot) {
    await app.register(fastifyStatic, { root: staticRoot, prefix: '/', index: ['index.html'] });
  }
  app.setNotFoundHandler((request, reply) => {
    // A client-side route of the web app: its page, which routes in the browser.
    if (staticRoot && request.method === 'GET' && request.headers.accept?.includes('text/html')) {
      return reply.code(200).sendFile('index.html');
    }
    return sendJson(reply, 404, { error: 'not found' });
  });
  return app;
}

/** Adds the routes; a known path answers other methods with 405, like the server always did. */
export function addRoutes(app: FastifyInstance, routes: readonly Route[]): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    app.route({ method: route.method, url: route.path, bodyLimit: route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, handler: route.handler });
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    methodsByPath.set(route.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    const others = OTHER_METHODS.filter((method) => !methods.has(method));
    if (others.length > 0) app.route({ method: others, url: path, handler: (_request, reply) => sendJson(reply, 405, { error: 'method not allowed' }) });
  }

}
