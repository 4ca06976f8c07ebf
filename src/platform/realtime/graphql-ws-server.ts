import type http from 'node:http';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  createSourceEventStream,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger';
import type { Authenticator } from '../auth/authenticator';
import type { IdentityChange, IdentityChanges } from '../auth/identity-changes';
import type { DisposableContext, RequestContextFactory } from '../graphql/request-context-factory';
import type { Identity } from '../graphql/request-context';
import { assertWithinLimits, type QueryLimits } from '../graphql/query-limits';
import { MAX_DOCUMENT_TOKENS } from '../graphql/apollo-server';
import { createErrorFormatter } from '../graphql/error-formatter';
import { assertCleanInput } from '../graphql/input-guard';
import { AppError, ErrorCode } from '../errors';
import { TenantEventStream } from './tenant-event-stream';
import { inLeaseScope } from '../tenancy/tenant-router';

/** A subscriber whose socket holds more unsent bytes than this is dropped at once (SUBSCRIBER_MAX_BUFFERED_BYTES). */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** A socket whose unsent bytes make no progress for this long is dropped (SUBSCRIBER_STALL_MS). */
export const DEFAULT_STALL_MS = 10_000;
/** Events of one subscription executed together, at most (one context, relation loads batched). */
export const MAX_EVENTS_PER_BATCH = 100;
/** Close code for a missing, bad or expired token (graphql-ws's Unauthorized). */
export const UNAUTHORIZED_CLOSE_CODE = 4401;
/** A valid identity that may not connect, e.g. its tenant is suspended. */
export const FORBIDDEN_CLOSE_CODE = 4403;
/**
 * Close code for a subscriber that stopped reading (or fell too far behind): reconnect and refetch.
 * Not one of graphql-ws's own codes (its 4408 and 4429 mean other things, and its client gives up
 * on 4429), so graphql-ws clients retry it by default.
 */
export const STALLED_SUBSCRIBER_CLOSE_CODE = 4413;
export const STALLED_SUBSCRIBER_CLOSE_REASON = 'Too slow reading live events: reconnect, then refetch what you show';
/** Operations one socket may run at once; an inbox needs a handful. */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_SOCKET = 25;
/** Ping every this often; a peer that has not answered by the next ping is terminated. */
export const KEEP_ALIVE_MS = 12_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_CACHED_DOCUMENTS = 500;

interface ConnectionState {
  socket?: WebSocket;
  identity?: Identity;
  expiryTimer?: NodeJS.Timeout;
  contexts: Map<string, DisposableContext>;
  /** The caller's address from the upgrade request (see TRUST_PROXY), for per-address limits. */
  clientAddress?: string;
  /** A re-check of the identity in flight (one at a time per socket). */
  checking?: Promise<Identity | null>;
  /** When the identity was last re-checked (ms). */
  checkedAt: number;
  /** Live event streams of the socket's subscriptions, let go of at once when it is dropped. */
  streams: Set<TenantEventStream>;
  /** When a result was last handed to the socket (each send waits for the previous one to flush). */
  progressAt: number;
  /** Closed as a stalled subscriber. */
  dropped: boolean;
}

/** What a subscription's event stream needs from the operation that opened it. */
interface Operation {
  socket: WebSocket;
  state: ConnectionState;
  requestId: string;
  /** The identity events run with: per tenant and role, see sharedIdentity(). */
  identity: Identity | null;
  /** Operations with the same key run once per event and share the result; null: never shared. */
  shareKey: string | null;
}

/**
 * graphql-ws on the HTTP server's /graphql path. Applies what Apollo's plugins do on HTTP
 * (auth, depth, cost, error codes), because those plugins never see WebSocket operations.
 * The token's expiry closes the socket; a socket that stops reading is terminated.
 *
 * The identity is not trusted for the socket's life: every operation re-checks it with the
 * cached checks HTTP uses (membership and current role, API key revocation, tenant status,
 * platform admin existence), and so does a timer for every open socket each
 * `recheckIntervalMs` (the tenant cache TTL), and an IdentityChanges notice at once. An identity
 * that is gone closes its socket: 4401 (removed, revoked, deleted) or 4403 (tenant not active,
 * role changed: reconnect to act with the current role).
 */
export function createGraphQLWsServer(options: {
  httpServer: http.Server;
  schema: GraphQLSchema;
  authenticator: Authenticator;
  contexts: RequestContextFactory;
  limits: QueryLimits;
  log: Logger;
  maxSubscriptionsPerSocket?: number;
  /** The caller's address from the upgrade request, for per-address limits. */
  clientAddress?: (req: http.IncomingMessage) => string;
  /** Counts each operation against the per-key and per-tenant request limits. */
  requestLimit?: (identity: Identity) => Promise<void>;
  /** Notices of revoked access from this instance's resolvers. */
  identityChanges?: IdentityChanges;
  /** How often every open socket's identity is re-checked (TENANT_CACHE_TTL_MS). */
  recheckIntervalMs?: number;
  /** Refused, as on HTTP, when false; "Did you mean" hints are then removed too. */
  introspection?: boolean;
  /** Told of every operation a socket starts: its type, whether it was accepted, and how long that took. */
  observeOperation?: (operation: string | undefined, ok: boolean, seconds: number) => void;
  /** A socket whose unsent bytes make no progress for this long is closed as stalled. */
  stallMs?: number;
  /** A socket holding more unsent bytes than this is closed as stalled at once. */
  maxBufferedBytes?: number;
}) {
  const { schema, limits, log } = options;
  const introspection = options.introspection ?? true;
  const validationRules = introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const maxSubscriptions = options.maxSubscriptionsPerSocket ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_SOCKET;
  const operations = new WeakMap<object, Operation>();
  /**
   * Parsed and validated documents by query text (least recently used dropped first): ten
   * thousand open inboxes send the same few subscriptions, and an AST per socket is kilobytes.
   */
  const documents = new Map<string, DocumentNode>();
  /** Short ids of documents for share keys, so a key does not copy the query text. */
  const documentIds = new WeakMap<DocumentNode, number>();
  let lastDocumentId = 0;
  const documentId = (document: DocumentNode) => {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = ++lastDocumentId));
    return id;
  };
  const formatError = createErrorFormatter(log, { hideSchemaDetails: !introspection });
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: 256 * 1024 });
  const states = new WeakMap<object, ConnectionState>();
  /** Sockets with an identity, for re-checks. */
  const open = new Set<ConnectionState>();

  /** Closes the socket when its identity lost access. */
  const closeForLostAccess = (state: ConnectionState, error: AppError) => {
    open.delete(state);
    const code = error.code === ErrorCode.UNAUTHENTICATED ? UNAUTHORIZED_CLOSE_CODE : FORBIDDEN_CLOSE_CODE;
    state.socket?.close(code, error.message.slice(0, 120));
  };

  /**
   * The socket's identity as it stands now, or null after closing the socket because it lost
   * access. A role change also closes: the socket's subscriptions run with the role they began
   * with, so the client reconnects to act with the current one. A control database hiccup keeps
   * the socket (and throws, failing only the operation that asked).
   */
  const recheck = (state: ConnectionState): Promise<Identity | null> => {
    const identity = state.identity;
    if (!identity || !open.has(state)) return Promise.resolve(null);
    state.checkedAt = Date.now();
    state.checking ??= options.authenticator
      .recheck(identity)
      .then((current) => {
        if (current.kind !== 'platformAdmin' && identity.kind !== 'platformAdmin' && current.role !== identity.role) {
          closeForLostAccess(state, new AppError(ErrorCode.FORBIDDEN, `Your role changed to ${current.role}: connect again`));
          return null;
        }
        return identity;
      })
      .catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
        closeForLostAccess(state, error);
        return null;
      })
      .finally(() => {
        state.checking = undefined;
      });
    return state.checking;
  };
  const recheckQuietly = (state: ConnectionState) =>
    recheck(state).catch((error: unknown) => log.warn({ err: error }, 'could not re-check the identity of a socket; keeping it'));

  const concerns = (identity: Identity, change: IdentityChange) => {
    switch (change.kind) {
      case 'member':
        return identity.kind === 'user' && identity.userId === change.userId && identity.tenantId === change.tenantId;
      case 'apiKey':
        return identity.kind === 'apiKey' && identity.apiKeyId === change.apiKeyId;
      case 'tenant':
        return identity.kind !== 'platformAdmin' && identity.tenantId === change.tenantId;
      case 'platformAdmin':
        return identity.kind === 'platformAdmin' && identity.adminId === change.adminId;
    }
  };
  const stopListening = options.identityChanges?.listen((change) => {
    for (const state of open) if (state.identity && concerns(state.identity, change)) void recheckQuietly(state);
  });
  // Elsewhere a change shows once this instance's cached entry expires: each socket is re-checked
  // once per cache TTL (a re-check costs ~15 µs when cached: 10,000 sockets every 5 s is ~3% of a
  // core), so a change made elsewhere closes its sockets within about two TTLs at worst.
  const recheckEveryMs = Math.max(250, options.recheckIntervalMs ?? 1_000);
  const recheckTimer = setInterval(
    () => {
      const due = Date.now() - recheckEveryMs;
      for (const state of open) if (state.checkedAt <= due) void recheckQuietly(state);
    },
    Math.min(1_000, recheckEveryMs),
  );
  recheckTimer.unref();
  const stateOf = (extra: object) => {
    let state = states.get(extra);
    if (!state) states.set(extra, (state = { contexts: new Map(), checkedAt: Date.now(), streams: new Set(), progressAt: Date.now(), dropped: false }));
    return state;
  };

  /**
   * Lets go of a subscriber that stopped reading: its streams leave the bus at once (nothing more
   * queues for it), and the socket is closed with a code and reason that tell the client to
   * reconnect and refetch, since it missed events. The close frame waits behind the unsent bytes;
   * ws destroys the socket if the peer never reads it (its close timeout).
   */
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const dropStalled = (state: ConnectionState, why: string) => {
    if (state.dropped) return;
    state.dropped = true;
    open.delete(state);
    log.warn({ why, buffered: state.socket?.bufferedAmount, tenantId: state.identity && 'tenantId' in state.identity ? state.identity.tenantId : undefined }, 'dropping a subscriber that stopped reading');
    for (const stream of state.streams) void stream.return();
    state.streams.clear();
    state.socket?.close(STALLED_SUBSCRIBER_CLOSE_CODE, STALLED_SUBSCRIBER_CLOSE_REASON);
  };
  // Stalled: unsent bytes wait and no result went out for stallMs. A slow server never counts
  // against a client (nothing waits in its socket then), nor does a burst a client is still reading.
  const stallTimer = setInterval(
    () => {
      const due = Date.now() - stallMs;
      for (const state of open) {
        if (state.socket && state.streams.size > 0 && state.socket.bufferedAmount > 0 && state.progressAt < due) dropStalled(state, 'no progress');
      }
    },
    Math.max(50, Math.min(1_000, stallMs / 4)),
  );
  stallTimer.unref();

  const cleanup = useServer<Record<string, unknown> | undefined, { socket: WebSocket; request: http.IncomingMessage }>(
    {
      schema,
      subscribe: (args) => subscribeWithEventContexts(args),
      execute: (args) => inLeaseScope(() => execute(args)),
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        // GraphiQL sends its header editor's headers as connectionParams, spelled as typed.
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        let auth;
        try {
          auth = await options.authenticator.authenticate(typeof authorization === 'string' ? authorization : null);
        } catch (error) {
          if (!(error instanceof AppError)) log.error({ err: error }, 'could not authenticate a WebSocket');
          // Bad credentials share expiry's code, so a client refreshes its token and reconnects
          // either way; a genuine identity whose tenant may not be served is forbidden instead.
          const forbidden = error instanceof AppError && error.code !== ErrorCode.UNAUTHENTICATED;
          socket.close(forbidden ? FORBIDDEN_CLOSE_CODE : UNAUTHORIZED_CLOSE_CODE, error instanceof AppError ? error.message : 'Unauthorized');
          return false;
        }
        if (!auth) {
          socket.close(UNAUTHORIZED_CLOSE_CODE, 'Sign in first: send connectionParams.authorization');
          return false;
        }
        const state = stateOf(ctx.extra);
        state.identity = auth.identity;
        if (ctx.extra.request) state.clientAddress = options.clientAddress?.(ctx.extra.request);
        state.socket = socket;
        open.add(state);
        if (auth.expiresAt) {
          state.expiryTimer = setTimeout(
            () => socket.close(UNAUTHORIZED_CLOSE_CODE, 'Token expired'),
            Math.min(MAX_TIMER_MS, Math.max(0, auth.expiresAt.getTime() - Date.now())),
          );
          state.expiryTimer.unref();
        }
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const started = performance.now();
        let prepared: ExecutionArgs | readonly GraphQLError[] | undefined;
        try {
          prepared = await prepareOperation(ctx, id, payload);
        } catch (error) {
          // Never 4500 for what a client sent: answer this operation with an error instead.
          if (error instanceof GraphQLError) prepared = [error];
          else {
            log.error({ err: error }, 'could not prepare a WebSocket operation');
            prepared = [new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } })];
          }
        }
        if (options.observeOperation) {
          const accepted = prepared !== undefined && !Array.isArray(prepared) ? (prepared as ExecutionArgs) : null;
          const operation = accepted ? getOperationAST(accepted.document, accepted.operationName)?.operation : undefined;
          options.observeOperation(operation, accepted !== null, (performance.now() - started) / 1000);
        }
        return prepared;
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        const state = stateOf(ctx.extra);
        state.progressAt = Date.now();
        if (ctx.extra.socket.bufferedAmount > maxBufferedBytes) {
          dropStalled(state, 'buffer limit');
          return;
        }
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
      // graphql-ws wraps an error thrown by an event stream (TENANT_NOT_ACTIVE, SUBSCRIBER_TOO_SLOW)
      // without a path, so Apollo's unwrapping misses it: format the original.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => {
          const original = error.originalError instanceof GraphQLError ? error.originalError : error;
          return formatError(original.toJSON(), original);
        }),
      onComplete: async (ctx, id) => {
        const state = stateOf(ctx.extra);
        const context = state.contexts.get(id);
        state.contexts.delete(id);
        await context?.dispose();
      },
      onClose: async (ctx) => {
        const state = stateOf(ctx.extra);
        open.delete(state);
        state.streams.clear();
        clearTimeout(state.expiryTimer);
        await Promise.all([...state.contexts.values()].map((context) => context.dispose()));
        state.contexts.clear();
      },
    },
    wsServer,
    KEEP_ALIVE_MS,
  );

  /** Results of one event, by operation key, while the event is still queued for someone. */
  const sharedResults = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

  /**
   * graphql's subscribe() runs every event with the one context of the subscription. Here events
   * get fresh contexts instead (own DataLoaders, tenant connection leased on first use and
   * released once the results are built), so a long-lived subscription never holds a connection
   * or serves cached rows of long ago.
   *
   * Subscribers of one tenant that run the same operation with the same variables and role
   * (every open inbox of a tenant, typically) share one execution per event, as Hasura
   * multiplexes them: the result cannot differ between them, because events run with an
   * identity that has the tenant and role but no user (sharedIdentity). Without this, an event
   * costs one GraphQL execution per subscriber.
   *
   * The events that wait for a subscriber when it pulls (a burst) run together, in one context:
   * their relation fields (conversation, contact, last message) load in one statement each for
   * the batch, so the server catches up instead of falling further behind with one round of
   * queries per event. A batch of one is the quiet case.
   */
  async function subscribeWithEventContexts(args: ExecutionArgs) {
    const operation = operations.get(args.contextValue as object);
    const source = await createSourceEventStream(args);
    if (!operation || !isAsyncIterator(source)) return source as ExecutionResult;
    const { state } = operation;
    const stream = source instanceof TenantEventStream ? source : null;
    if (stream) {
      if (state.dropped) await stream.return();
      state.streams.add(stream);
      // A memory bound only (SUBSCRIPTION_QUEUE_LIMIT): events are shared, so a queue is pointers.
      stream.onOverflow(() => dropStalled(state, 'queue limit'));
    }
    let sequence = 0;
    const runTogether = (events: unknown[]): Array<Promise<ExecutionResult>> => {
      sequence += 1;
      const context = options.contexts.create(operation.identity, `${operation.requestId}.${sequence}`);
      const results = inLeaseScope(() =>
        events.map(async (event) => execute({ ...args, rootValue: event, contextValue: context }) as ExecutionResult),
      );
      void Promise.allSettled(results).then(() => context.dispose());
      return results;
    };
    const resultsOf = (events: unknown[]): Array<Promise<ExecutionResult>> => {
      const key = operation.shareKey;
      if (key === null) return runTogether(events);
      const results: Array<Promise<ExecutionResult> | undefined> = [];
      const missing: number[] = [];
      events.forEach((event, index) => {
        const known = typeof event === 'object' && event !== null ? sharedResults.get(event)?.get(key) : undefined;
        results.push(known);
        if (!known) missing.push(index);
      });
      if (missing.length > 0) {
        const ran = runTogether(missing.map((index) => events[index]));
        missing.forEach((index, i) => {
          results[index] = ran[i];
          const event = events[index];
          if (typeof event !== 'object' || event === null) return;
          let byKey = sharedResults.get(event);
          if (!byKey) sharedResults.set(event, (byKey = new Map()));
          byKey.set(key, ran[i]);
        });
      }
      return results as Array<Promise<ExecutionResult>>;
    };
    const pull = async (): Promise<Array<Promise<ExecutionResult>>> => {
      if (stream) return resultsOf(await stream.nextBatch(MAX_EVENTS_PER_BATCH));
      const next = await source.next();
      return next.done ? [] : resultsOf([next.value]);
    };
    return batchedAsyncIterator(source, pull);
  }


  /** What onSubscribe does: the checks in order, then the execution arguments (or errors to answer with). */
  async function prepareOperation(
    ctx: { extra: { socket: WebSocket } },
    id: string,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  ): Promise<ExecutionArgs | readonly GraphQLError[] | undefined> {
    const state = stateOf(ctx.extra);
    if (state.identity && !(await recheck(state))) return [new AppError(ErrorCode.UNAUTHENTICATED, 'This connection lost its access')];
    if (state.identity) await options.requestLimit?.(state.identity);
    if (state.contexts.size >= maxSubscriptions) {
      return [
        new AppError(ErrorCode.TOO_MANY_SUBSCRIPTIONS, `One connection may run at most ${maxSubscriptions} operations at once`, {
          maxSubscriptions,
        }),
      ];
    }
    let document = documents.get(payload.query);
    if (document) {
      documents.delete(payload.query); // most recently used last
    } else {
      try {
        document = parse(payload.query, { maxTokens: MAX_DOCUMENT_TOKENS });
      } catch (error) {
        return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
      }
      const errors = validate(schema, document, validationRules);
      if (errors.length > 0) return errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
      if (documents.size >= MAX_CACHED_DOCUMENTS) documents.delete(documents.keys().next().value as string);
    }
    documents.set(payload.query, document);
    // Before anything else reads the variables (the cost check coerces them, the share key stringifies them).
    assertCleanInput(document, payload.variables);
    assertWithinLimits(schema, document, payload.variables ?? undefined, payload.operationName, limits);
    const contextValue = options.contexts.create(state.identity ?? null, undefined, undefined, state.clientAddress ?? null);
    state.contexts.set(id, contextValue);
    const identity = state.identity ?? null;
    operations.set(contextValue, {
      socket: ctx.extra.socket,
      state,
      requestId: contextValue.requestId,
      identity: identity && sharedIdentity(identity),
      shareKey:
        identity && identity.kind !== 'platformAdmin'
          ? [identity.tenantId, identity.kind, identity.role, documentId(document), payload.operationName ?? '', JSON.stringify(payload.variables ?? {})].join(' ')
          : null,
    });
    const args: ExecutionArgs = {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue,
    };
    return args;
  }

  return {
    wsServer,
    /** Open authenticated sockets and the operations they run (metrics). */
    figures: () => {
      let operationsRunning = 0;
      for (const state of open) operationsRunning += state.contexts.size;
      return { sockets: open.size, operations: operationsRunning };
    },
    /** Closes every socket; used while draining. */
    close: async () => {
      clearInterval(recheckTimer);
      clearInterval(stallTimer);
      stopListening?.();
      await cleanup.dispose();
    },
  };
}

/**
 * The identity subscription events run with: tenant, kind and role only. Its user (or API key)
 * id throws when read, so a resolver that would answer differently per user cannot silently
 * hand one user's answer to another through a shared result; such a field must not be served
 * by subscriptions (or the share key must grow the user).
 */
function sharedIdentity(identity: Identity): Identity {
  if (identity.kind === 'platformAdmin') return identity;
  const shared = { ...identity };
  for (const key of ['userId', 'apiKeyId'] as const) {
    if (!(key in shared)) continue;
    Object.defineProperty(shared, key, {
      enumerable: false,
      get() {
        throw new Error(`Subscription events run per tenant and role: identity.${key} is not available to them`);
      },
    });
  }
  return Object.freeze(shared);
}

/** The codes Apollo gives these errors on HTTP, so clients see the same on both transports. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> & AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/**
 * The results of a source's events in order: `pull` fetches the next batch of them (empty when the
 * source ended), and a batch is drained before the next pull. Hand-written rather than an async
 * generator, so return() reaches the source at once even while a next() waits for the next event.
 */
function batchedAsyncIterator<R>(source: AsyncIterator<unknown>, pull: () => Promise<Array<Promise<R>>>): AsyncGenerator<R, undefined> {
  const done = { done: true, value: undefined } as const;
  let pending: Array<Promise<R>> = [];
  let closed = false;
  const close = async () => {
    closed = true;
    pending = [];
    await source.return?.();
    return done;
  };
  const mapped: AsyncGenerator<R, undefined> = {
    async next() {
      if (closed) return done;
      try {
        if (pending.length === 0) {
          pending = await pull();
          // Awaited one by one below; a batch cut short by close must not report its failures.
          for (const result of pending) result.catch(() => undefined);
        }
        const result = pending.shift();
        if (!result) return done;
        return { done: false, value: await result };
      } catch (error) {
        await close();
        throw error;
      }
    },
    return: close,
    async throw(error: unknown) {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}
