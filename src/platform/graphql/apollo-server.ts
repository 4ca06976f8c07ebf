import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Logger } from '../logger';
import { currentSqlStatementCount } from '../db/sql-statement-counter';
import { createErrorFormatter } from './error-formatter';
import { assertWithinLimits, type QueryLimits } from './query-limits';
import { assertCleanInput } from './input-guard';
import type { RequestContext } from './request-context';
import { retryAfterPlugin } from '../rate-limit/retry-after.plugin';
import { bindErrorLog } from './error-formatter';
import { operationLabel, type PlatformMetrics } from '../metrics';

/** Upper bound on tokens in one document: stops huge alias/field floods before validation. */
export const MAX_DOCUMENT_TOKENS = 5_000;

export function createApolloServer(options: {
  schema: GraphQLSchema;
  /** Closed first on stop (in-flight requests finish). */
  httpServer: FastifyInstance;
  limits: QueryLimits;
  introspection: boolean;
  exposeSqlCount: boolean;
  log: Logger;
  /** Runs after the HTTP server stops accepting requests, e.g. closing WebSockets. */
  onDrain?: () => Promise<void>;
  /** Counts and times every operation by type. */
  metrics?: PlatformMetrics;
}): ApolloServer<RequestContext> {
  const { schema, limits } = options;
  // Operations already found within the limits, per parsed document (Apollo reuses the document of
  // a repeated query): the check walks the whole document twice and is a pure function of it and
  // the variables. At most 100 variable sets per document are remembered.
  const withinLimits = new WeakMap<DocumentNode, Set<string>>();

  const queryLimitsPlugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operationName, operation }) {
          // Over HTTP a subscription would run its resolver without an event: refuse it plainly.
          if (operation?.operation === 'subscription') {
            throw new GraphQLError('Subscriptions run over WebSocket (graphql-ws) on this same path, not over HTTP', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          try {
            assertCleanInput(document, request.variables);
          } catch (error) {
            throw badRequest(error as GraphQLError);
          }
          const key = `${operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}`;
          let checked = withinLimits.get(document);
          if (checked?.has(key)) return;
          try {
            assertWithinLimits(schema, document, request.variables, operationName, limits);
            if (!checked) withinLimits.set(document, (checked = new Set()));
            if (checked.size >= 100) checked.clear();
            checked.add(key);
          } catch (error) {
            throw badRequest(error as GraphQLError);
          }
        },
      };
    },
  };

  const sqlCountPlugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const statements = currentSqlStatementCount();
          if (response.body.kind === 'single' && statements !== null) {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sqlStatements: statements };
          }
        },
      };
    },
  };

  // Errors are formatted (and unexpected ones logged) where the context is out of reach: the
  // request's own logger, with its request and tenant ids, is tied to them first.
  // At debug level each operation is logged too (its request and tenant ids come with ctx.log).
  const debug = options.log.isLevelEnabled('debug');
  const requestLogPlugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      const started = debug ? performance.now() : 0;
      return {
        async didEncounterErrors({ contextValue, errors }) {
          for (const error of errors) bindErrorLog(error, contextValue.log);
        },
        ...(debug
          ? {
              async willSendResponse({ contextValue, operation, operationName, response }) {
                const errors = response.body.kind === 'single' ? (response.body.singleResult.errors?.length ?? 0) : 0;
                contextValue.log.debug(
                  { operation: operation?.operation ?? null, operationName: operationName ?? null, errors, ms: Math.round(performance.now() - started) },
                  'graphql operation answered',
                );
              },
            }
          : {}),
      };
    },
  };

  const metrics = options.metrics;
  const metricsPlugin: ApolloServerPlugin<RequestContext> | null = metrics
    ? {
        async requestDidStart() {
          const started = performance.now();
          let operation: string | undefined;
          return {
            async didResolveOperation(request) {
              operation = request.operation?.operation;
            },
            async willSendResponse({ response }) {
              const ok = response.body.kind === 'single' ? !response.body.singleResult.errors?.length : true;
              metrics.observeOperation(operationLabel(operation), 'http', ok, (performance.now() - started) / 1000);
            },
          };
        },
      }
    : null;

  return new ApolloServer<RequestContext>({
    schema,
    introspection: options.introspection,
    formatError: createErrorFormatter(options.log, { hideSchemaDetails: !options.introspection }),
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown order (HTTP, sockets, pools, embedded Postgres).
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: MAX_DOCUMENT_TOKENS },
    plugins: [
      fastifyApolloDrainPlugin(options.httpServer),
      // Apollo's landing page loads Sandbox from a CDN; browsers get the bundled GraphiQL instead.
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are used; the default cache-control plugin would wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      requestLogPlugin,
      ...(metricsPlugin ? [metricsPlugin] : []),
      queryLimitsPlugin,
      retryAfterPlugin<RequestContext>(),
      ...(options.exposeSqlCount ? [sqlCountPlugin] : []),
      ...(options.onDrain
        ? [{ async serverWillStart() { return { drainServer: options.onDrain! }; } } satisfies ApolloServerPlugin<RequestContext>]
        : []),
    ],
  });
}

/** The same error answered with HTTP 400: the operation was refused before it ran. */
function badRequest(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
}
