import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '../errors';
import type { Authenticator } from '../auth/authenticator';
import type { DisposableContext, RequestContextFactory } from '../graphql/request-context-factory';
import type { Identity, RequestContext } from '../graphql/request-context';
import { runCountingSql } from '../db/sql-statement-counter';
import { RateLimitedError } from '../rate-limit/rate-limited-error';
import { inLeaseScope } from '../tenancy/tenant-router';
import { rawBody, sendJson, type RouteHandler } from './http-server';

/**
 * Serves GraphQL over HTTP through Apollo's Fastify integration. The identity is resolved before
 * Apollo runs; the request's tenant connection is returned as soon as the response is complete.
 */
export function graphqlHttpHandler(deps: {
  apollo: ApolloServer<RequestContext>;
  authenticator: Authenticator;
  contexts: RequestContextFactory;
  /**
   * Count each request's SQL statements (EXPOSE_SQL_COUNT). Off by default: the count follows the
   * request through AsyncLocalStorage, whose promise hooks cost about 15% of an inbox page's CPU.
   */
  countSqlStatements?: boolean;
  /** Browsers opening /graphql without a query are sent here (the explorer), when given. */
  explorerPath?: string;
  /** The caller's address for per-address limits (TRUST_PROXY decides whether proxies are believed). */
  clientAddress?: (req: IncomingMessage) => string;
  /** Counts each request of an identity against the per-key and per-tenant request limits. */
  requestLimit?: (identity: Identity) => Promise<void>;
}): RouteHandler {
  const requestContexts = new WeakMap<FastifyRequest, DisposableContext>();
  // Typed for a route whose reply is a string; ours are the generic routes of http-server.ts.
  const apollo = fastifyApolloHandler<RequestContext>(deps.apollo, { context: async (request) => requestContexts.get(request)! }) as unknown as RouteHandler;

  return async function (request, reply) {
    if (deps.explorerPath && request.method === 'GET' && request.headers.accept?.includes('text/html') && !new URLSearchParams(request.url.split('?')[1] ?? '').has('query')) {
      return reply.redirect(deps.explorerPath, 302);
    }
    let identity = null;
    try {
      identity = (await deps.authenticator.authenticate(request.headers.authorization))?.identity ?? null;
      if (identity) await deps.requestLimit?.(identity);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        const payload = { errors: [{ message: error.message, extensions: error.extensions }] };
        return sendJson(reply, 429, payload, { 'retry-after': String(error.retryAfterSeconds) });
      }
      if (error instanceof AppError) {
        // Bad credentials: 401. Good credentials of a tenant that may not act now: 403.
        const status = error.code === ErrorCode.UNAUTHENTICATED || error.code === ErrorCode.TENANT_NOT_FOUND ? 401 : 403;
        return sendJson(reply, status, { errors: [{ message: error.message, extensions: error.extensions }] });
      }
      throw error;
    }

    // Any content type is read as bytes (see createHttpServer); Apollo checks the type itself.
    const body = rawBody(request);
    let parsed: unknown = undefined;
    if (request.method === 'POST' && body.length > 0) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return sendJson(reply, 400, { errors: [{ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      }
    }
    request.body = parsed;

    // The id the HTTP server gave the request (a sane X-Request-Id, else generated): logged and answered.
    const context = deps.contexts.create(
      identity,
      request.id,
      undefined,
      deps.clientAddress?.(request.raw) ?? null,
    );
    requestContexts.set(request, context);
    // One lease scope per request: nested leases of its tenant share the request's connection.
    const execute = () =>
      inLeaseScope(async () => {
        try {
          return await apollo.call(this, request, reply);
        } finally {
          await context.dispose();
        }
      });
    return deps.countSqlStatements ? runCountingSql(execute).result : execute();
  };
}
