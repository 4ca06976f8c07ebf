import { ArgsType, Field, Int, ObjectType, UseMiddleware, type ClassType, type MiddlewareFn } from 'type-graphql';
import { Max, Min } from 'class-validator';
import { validationFailed } from '../errors';
import { DEFAULT_PAGE_SIZE } from './query-limits';

export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1-${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** What a connection resolver returns; totalCount runs only when the client asks for it. */
export interface Connection<T> {
  edges: Array<Edge<T>>;
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
}

/** Connections carry totalCount as a function (COUNT runs only when asked); this calls it. */
const resolveLazyCount: MiddlewareFn = async (_data, next) => {
  const value = await next();
  return typeof value === 'function' ? value() : value;
};

/** `XConnection` / `XEdge` object types for a node type, the same shape everywhere. */
export function ConnectionType<T extends object>(nodeType: ClassType<T>) {
  const name = nodeType.name.replace(/Type$/, '');

  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class EdgeType {
    @Field() cursor: string;
    @Field(() => nodeType) node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionObject {
    @Field(() => [EdgeType], { simple: true }) edges: EdgeType[];
    @Field(() => PageInfo, { simple: true }) pageInfo: PageInfo;
    @Field(() => Int, { description: 'All items matching the filter, across pages' })
    @UseMiddleware(resolveLazyCount)
    totalCount: number;
  }

  return ConnectionObject;
}

/** Cursors are opaque to clients: base64url JSON of the keyset values of the last row. */
export function encodeCursor(values: ReadonlyArray<string | number | null>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): Array<string | number | null> {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity) return values;
  } catch {
    // fall through
  }
  throw validationFailed('Invalid cursor', { field: 'after' });
}

export const pageSize = (args: ConnectionArgs) => args.first ?? DEFAULT_PAGE_SIZE;

/**
 * Builds a connection from rows fetched with LIMIT first + 1: the extra row only says
 * whether there is a next page.
 */
export function toConnection<Row, Node = Row>(
  rows: Row[],
  first: number,
  cursorOf: (row: Row) => ReadonlyArray<string | number | null>,
  totalCount: () => Promise<number>,
  toNode: (row: Row) => Node = (row) => row as unknown as Node,
): Connection<Node> {
  const page = rows.slice(0, first);
  // An edge's cursor is encoded only if the client selects it (a getter; pages rarely ask).
  const edges = page.map((row) => ({
    get cursor() {
      return encodeCursor(cursorOf(row));
    },
    node: toNode(row),
  }));
  const last = page[page.length - 1];
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: last === undefined ? null : encodeCursor(cursorOf(last)) },
    totalCount,
  };
}
