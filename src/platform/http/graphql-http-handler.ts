import type { ApolloServer } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { IncomingMessage } from 'node:http';
import { AppError, ErrorCode } from '../errors';
import type { Authenticator } from '../auth/authenticator';
import type { RequestContextFactory } from '../graphql/request-context-factory';
import type { Identity, RequestContext } from '../graphql/request-context';
import { runCountingSql } from '../db/sql-statement-counter';
import { RateLimitedError } from '../rate-limit/rate-limited-error';
import { inLeaseScope } from '../tenancy/tenant-router';
import { sendJson, type RouteHandler } from './http-server';

/**
 * Serves GraphQL over HTTP through Apollo's integration API. The identity is resolved before
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
  /** The caller's address for per-address limits (TRUST_PROXY decides whether proxies are believed). */
  clientAddress?: (req: IncomingMessage) => string;
  /** Counts each request of an identity against the per-key and per-tenant request limits. */
  requestLimit?: (identity: Identity) => Promise<void>;
}): RouteHandler {
  return async (req, res, rawBody) => {
    let identity = null;
    try {
      identity = (await deps.authenticator.authenticate(req.headers.authorization))?.identity ?? null;
      if (identity) await deps.requestLimit?.(identity);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        const payload = { errors: [{ message: error.message, extensions: error.extensions }] };
        return sendJson(res, 429, payload, { 'retry-after': String(error.retryAfterSeconds) });
      }
      if (error instanceof AppError) {
        // Bad credentials: 401. Good credentials of a tenant that may not act now: 403.
        const status = error.code === ErrorCode.UNAUTHENTICATED || error.code === ErrorCode.TENANT_NOT_FOUND ? 401 : 403;
        return sendJson(res, status, { errors: [{ message: error.message, extensions: error.extensions }] });
      }
      throw error;
    }

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = undefined;
    if (req.method === 'POST' && rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      }
    }

    const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'].slice(0, 64) : undefined;
    const context = deps.contexts.create(identity, requestId, undefined, deps.clientAddress?.(req) ?? null);
    // One lease scope per request: nested leases of its tenant share the request's connection.
    const execute = () =>
      inLeaseScope(async () => {
        try {
          return await deps.apollo.executeHTTPGraphQLRequest({
            httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: new URL(req.url!, 'http://localhost').search, body },
            context: async () => context,
          });
        } finally {
          await context.dispose();
        }
      });
    const response = await (deps.countSqlStatements ? runCountingSql(execute).result : execute());
    res.statusCode = response.status ?? 200;
    for (const [name, value] of response.headers) res.setHeader(name, value);
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
