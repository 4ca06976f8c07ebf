import { GraphQLError, type DocumentNode, type GraphQLSchema, validate, getNamedType } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { getComplexity, simpleEstimator, fieldExtensionsEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { AppError, ErrorCode } from '../errors';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

/** Default page size of connections when `first` is not given; keep in step with pagination. */
export const DEFAULT_PAGE_SIZE = 20;

/** A connection's cost is its children's cost times the page size asked for (first or last). */
const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!getNamedType(field.type).name.endsWith('Connection')) return undefined;
  const size = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : DEFAULT_PAGE_SIZE;
  return 1 + childComplexity * Math.max(1, size);
};

/**
 * Depth and cost limits for one operation. Used by the HTTP server (an Apollo plugin) and by
 * graphql-ws (onSubscribe), because Apollo's plugins never see WebSocket operations.
 */
export function assertWithinLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  limits: QueryLimits,
): void {
  const depthErrors = validate(schema, document, [depthLimit(limits.maxDepth)]);
  if (depthErrors.length > 0) {
    throw new AppError(ErrorCode.QUERY_TOO_COMPLEX, `Query is deeper than ${limits.maxDepth} levels`, {
      maxDepth: limits.maxDepth,
    });
  }
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [fieldExtensionsEstimator(), connectionEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code) throw error;
    // Costing coerces the variables first, so a bad variable (null for a non-null type) fails here
    // before Apollo's own check: it is bad input, not an internal error.
    throw new AppError(ErrorCode.VALIDATION_FAILED, (error as Error).message);
  }
  if (cost > limits.maxCost) {
    throw new AppError(ErrorCode.QUERY_TOO_COMPLEX, `Query cost ${cost} exceeds the limit of ${limits.maxCost}`, {
      cost,
      maxCost: limits.maxCost,
    });
  }
}
