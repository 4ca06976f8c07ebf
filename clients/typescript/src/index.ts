import { Client, CombinedError, fetchExchange, subscriptionExchange, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

export * from '../generated/graphql';
export type { TypedDocumentNode } from '@urql/core';

/** The state of the WebSocket that carries subscriptions. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface CrmClientOptions {
  /** The GraphQL endpoint, e.g. `https://crm.example.com/graphql`; relative (`/graphql`) in a browser. */
  url: string;
  /** The bearer token (a JWT from login/signUp, or an API key), or a function read before each request. */
  token?: string | null | (() => string | null | undefined);
  /** The WebSocket endpoint; default: `url` with ws(s):// instead of http(s)://. */
  wsUrl?: string;
  /** A WebSocket implementation where there is no global one (Node 20: `require('ws')`). */
  webSocketImpl?: unknown;
  /** Open the WebSocket at once rather than on the first subscription. Default false. */
  eager?: boolean;
  /** Told whenever the WebSocket's state changes. */
  onConnectionChange?: (state: ConnectionState) => void;
  /**
   * Told when the WebSocket connects again after it was lost: events may have been missed
   * meanwhile, so refetch what is on screen.
   */
  onReconnected?: () => void;
  /** Told when the server refuses the token (WebSocket close 4401): sign in again. */
  onUnauthorized?: (reason: string) => void;
}

/** A GraphQL error answer, with the server's stable `extensions.code` when it gave one. */
export class CrmError extends Error {
  readonly code: string | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(message: string, code: string | undefined, extensions: Record<string, unknown>, cause: unknown) {
    super(message, { cause });
    this.name = 'CrmError';
    this.code = code;
    this.extensions = extensions;
  }

  static from(error: unknown): CrmError {
    if (error instanceof CrmError) return error;
    if (error instanceof CombinedError) {
      const first = error.graphQLErrors[0];
      if (first) {
        const extensions = (first.extensions ?? {}) as Record<string, unknown>;
        return new CrmError(first.message, typeof extensions.code === 'string' ? extensions.code : undefined, extensions, error);
      }
      return new CrmError(error.networkError?.message ?? error.message, 'NETWORK_ERROR', {}, error);
    }
    return new CrmError(error instanceof Error ? error.message : String(error), undefined, {}, error);
  }
}

export interface CrmClient {
  /** The underlying urql client (for React bindings such as `urql`'s Provider). */
  readonly urql: Client;
  /** The underlying graphql-ws client. */
  readonly ws: WsClient;
  /** Runs a query over HTTP (never cached); rejects with CrmError. */
  query<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data>;
  /** Runs a mutation over HTTP; rejects with CrmError. */
  mutate<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data>;
  /** Starts a subscription over graphql-ws; answers a function that stops it. */
  subscribe<Data, Variables extends AnyVariables>(
    document: TypedDocumentNode<Data, Variables>,
    variables: Variables,
    onData: (data: Data) => void,
    onError?: (error: CrmError) => void,
  ): () => void;
  /** An absolute URL for a path the API answered (e.g. Message.media.url, which is relative). */
  resolveUrl(path: string): string;
  /** Closes the WebSocket; the client is unusable afterwards. */
  close(): Promise<void>;
}

function readToken(token: CrmClientOptions['token']): string | null {
  const value = typeof token === 'function' ? token() : token;
  return value ? value : null;
}

function absolute(url: string): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return new URL(url, base).toString();
}

/** Exponential back-off between reconnect attempts, at most 10 s, with jitter. */
function retryWait(retries: number): Promise<void> {
  const ms = Math.min(10_000, 500 * 2 ** retries) * (0.75 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A typed client for the CRM's GraphQL API: queries and mutations over HTTP (fetch), subscriptions
 * over graphql-ws, which reconnects for ever with back-off; after a reconnect, `onReconnected` tells
 * the caller to refetch, since events sent while it was away are not replayed.
 */
export function createCrmClient(options: CrmClientOptions): CrmClient {
  const httpUrl = absolute(options.url);
  const wsUrl = options.wsUrl ?? httpUrl.replace(/^http/, 'ws');
  let everConnected = false;
  let lostSinceConnected = false;
  let disposed = false;

  const authorization = (): Record<string, string> => {
    const token = readToken(options.token);
    return token ? { authorization: `Bearer ${token}` } : {};
  };

  const ws = createWsClient({
    url: wsUrl,
    lazy: !options.eager,
    keepAlive: 15_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait,
    shouldRetry: () => true,
    connectionParams: () => authorization(),
    ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
    on: {
      connecting: (isRetry) => options.onConnectionChange?.(isRetry || everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        const reconnected = lostSinceConnected;
        everConnected = true;
        lostSinceConnected = false;
        options.onConnectionChange?.('connected');
        if (reconnected) options.onReconnected?.();
      },
      closed: (event) => {
        const { code, reason } = (event ?? {}) as { code?: number; reason?: string };
        if (everConnected) lostSinceConnected = true;
        if (code === 4401) options.onUnauthorized?.(reason || 'Unauthorized');
        // Lazy mode closes an idle socket normally (1000); it opens again with the next subscription.
        const idle = disposed || code === 4401 || (code === 1000 && reason === 'Normal Closure');
        options.onConnectionChange?.(idle ? 'closed' : 'reconnecting');
      },
    },
  });

  const urql = new Client({
    url: httpUrl,
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetchOptions: () => ({ headers: authorization() }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });

  const unwrap = <Data>(result: { data?: Data; error?: CombinedError }): Data => {
    if (result.error) throw CrmError.from(result.error);
    if (result.data === undefined) throw new CrmError('The server answered no data', 'NO_DATA', {}, null);
    return result.data;
  };

  return {
    urql,
    ws,
    query: async (document, variables) => unwrap(await urql.query(document, variables).toPromise()),
    mutate: async (document, variables) => unwrap(await urql.mutation(document, variables).toPromise()),
    subscribe(document, variables, onData, onError) {
      const { unsubscribe } = urql.subscription(document, variables).subscribe((result) => {
        if (result.error) onError?.(CrmError.from(result.error));
        else if (result.data !== undefined) onData(result.data);
      });
      return unsubscribe;
    },
    resolveUrl: (path) => new URL(path, httpUrl).toString(),
    close: async () => {
      disposed = true;
      await ws.dispose();
    },
  };
}
