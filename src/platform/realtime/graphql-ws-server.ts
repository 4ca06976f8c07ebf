import type http from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger';
import type { Authenticator } from '../auth/authenticator';
import type { DisposableContext, RequestContextFactory } from '../graphql/request-context-factory';
import type { Identity } from '../graphql/request-context';
import { assertWithinLimits, type QueryLimits } from '../graphql/query-limits';
import { MAX_DOCUMENT_TOKENS } from '../graphql/apollo-server';
import { createErrorFormatter } from '../graphql/error-formatter';

/** A subscriber whose socket holds more unsent bytes than this is too slow and is dropped. */
export const MAX_SOCKET_BUFFER_BYTES = 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ConnectionState {
  identity?: Identity;
  expiryTimer?: NodeJS.Timeout;
  contexts: Map<string, DisposableContext>;
}

/**
 * graphql-ws on the HTTP server's /graphql path. Applies what Apollo's plugins do on HTTP
 * (auth, depth, cost, error codes), because those plugins never see WebSocket operations.
 * The token's expiry closes the socket; a socket that stops reading is terminated.
 */
export function createGraphQLWsServer(options: {
  httpServer: http.Server;
  schema: GraphQLSchema;
  authenticator: Authenticator;
  contexts: RequestContextFactory;
  limits: QueryLimits;
  log: Logger;
}) {
  const { schema, limits, log } = options;
  const formatError = createErrorFormatter(log);
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: 256 * 1024 });
  const states = new WeakMap<object, ConnectionState>();
  const stateOf = (extra: object) => {
    let state = states.get(extra);
    if (!state) states.set(extra, (state = { contexts: new Map() }));
    return state;
  };

  const cleanup = useServer<Record<string, unknown> | undefined, { socket: WebSocket }>(
    {
      schema,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        try {
          const auth = await options.authenticator.authenticate(typeof authorization === 'string' ? authorization : null);
          if (!auth) return false;
          const state = stateOf(ctx.extra);
          state.identity = auth.identity;
          if (auth.expiresAt) {
            const socket = ctx.extra.socket;
            state.expiryTimer = setTimeout(
              () => socket.close(4401, 'Token expired'),
              Math.min(MAX_TIMER_MS, Math.max(0, auth.expiresAt.getTime() - Date.now())),
            );
            state.expiryTimer.unref();
          }
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: (ctx, id, payload) => {
        const state = stateOf(ctx.extra);
        let document;
        try {
          document = parse(payload.query, { maxTokens: MAX_DOCUMENT_TOKENS });
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(schema, document, specifiedRules);
        if (errors.length > 0) return errors;
        try {
          assertWithinLimits(schema, document, payload.variables ?? undefined, payload.operationName, limits);
        } catch (error) {
          return [error as GraphQLError];
        }
        const contextValue = options.contexts.create(state.identity ?? null);
        state.contexts.set(id, contextValue);
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
        return args;
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        if (ctx.extra.socket.bufferedAmount > MAX_SOCKET_BUFFER_BYTES) {
          log.warn({ buffered: ctx.extra.socket.bufferedAmount }, 'dropping a subscriber that stopped reading');
          ctx.extra.socket.terminate();
          return;
        }
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
      onComplete: async (ctx, id) => {
        const state = stateOf(ctx.extra);
        const context = state.contexts.get(id);
        state.contexts.delete(id);
        await context?.dispose();
      },
      onClose: async (ctx) => {
        const state = stateOf(ctx.extra);
        clearTimeout(state.expiryTimer);
        await Promise.all([...state.contexts.values()].map((context) => context.dispose()));
        state.contexts.clear();
      },
    },
    wsServer,
  );

  return {
    wsServer,
    /** Closes every socket; used while draining. */
    close: async () => {
      await cleanup.dispose();
    },
  };
}
