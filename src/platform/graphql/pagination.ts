import { ArgsType, Field, Int, ObjectType, UseMiddleware, type ClassType, type MiddlewareFn } from 'type-graphql';
import { Max, Min } from 'class-validator';
import { invalidField, validationFailed } from '../errors';
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

/**
 * Arguments of a list that also pages backwards (Relay): `last` items before `before` (or the
 * end of the list). Forward (first, after) and backward (last, before) arguments do not mix.
 */
@ArgsType()
export class BidirectionalConnectionArgs extends ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Page size from the end, 1-${MAX_PAGE_SIZE}; not with first or after` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  last?: number;

  @Field(() => String, { nullable: true, description: 'startCursor of the following page' })
  before?: string;
}

/** Backward arguments of a connection, where the list supports them. */
export interface BackwardArgs {
  last?: number;
  before?: string;
}

/** Which way a page is read; VALIDATION_FAILED when forward and backward arguments are mixed. */
export function pagingDirection(args: ConnectionArgs & BackwardArgs): 'forward' | 'backward' {
  const forward = args.first != null || args.after != null;
  const backward = args.last != null || args.before != null;
  if (forward && backward) {
    throw invalidField(args.last != null ? 'last' : 'before', 'Page forwards (first, after) or backwards (last, before), not both');
  }
  return backward ? 'backward' : 'forward';
}

/**
 * Relay's PageInfo. The flag of the side a page was read from is exact (one row more is fetched);
 * the other is true when the page was read from a cursor (there were items on that side of it).
 */
@ObjectType({
  simpleResolvers: true,
  description:
    "Relay's page info. Paging forwards, hasNextPage is exact and hasPreviousPage is true after a cursor; paging backwards (last, before), the other way round",
})
export class PageInfo {
  @Field({ description: 'More items after endCursor' }) hasNextPage: boolean;
  @Field({ description: 'More items before startCursor' }) hasPreviousPage: boolean;
  @Field(() => String, { nullable: true, description: "The first edge's cursor; pass it as `before` for the page before" })
  startCursor: string | null;
  @Field(() => String, { nullable: true, description: "The last edge's cursor; pass it as `after` for the page after" })
  endCursor: string | null;
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

  @ObjectType(`${name}Edge`, { simpleResolvers: true, description: `One ${name} of a page, with its cursor` })
  class EdgeType {
    @Field({ description: 'Pass as `after` (or `before`) to page from this item' }) cursor: string;
    @Field(() => nodeType, { description: `The ${name}` }) node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay connection)` })
  class ConnectionObject {
    @Field(() => [EdgeType], { simple: true, description: 'The items of this page, in list order' }) edges: EdgeType[];
    @Field(() => PageInfo, { simple: true, description: 'Cursors and whether there is more' }) pageInfo: PageInfo;
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

export function decodeCursor(cursor: string, arity: number, field = 'after'): Array<string | number | null> {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity) return values;
  } catch {
    // fall through
  }
  throw validationFailed('Invalid cursor', { field });
}

export const pageSize = (args: ConnectionArgs) => args.first ?? DEFAULT_PAGE_SIZE;

/**
 * Builds a connection from rows fetched with LIMIT first + 1: the extra row only says
 * whether there is a next page. `reading.afterCursor`: the rows were read after a cursor, so
 * there are items before them. `reading.backward`: the rows were read backwards (from the end,
 * or `before` a cursor when `reading.beforeCursor`), nearest first: they are put back in list
 * order, and the extra row says whether there is a previous page.
 */
export function toConnection<Row, Node = Row>(
  rows: Row[],
  first: number,
  cursorOf: (row: Row) => ReadonlyArray<string | number | null>,
  totalCount: () => Promise<number>,
  toNode: (row: Row) => Node = (row) => row as unknown as Node,
  reading: { afterCursor?: boolean; backward?: boolean; beforeCursor?: boolean } = {},
): Connection<Node> {
  const more = rows.length > first;
  const page = rows.slice(0, first);
  if (reading.backward) page.reverse();
  // An edge's cursor is encoded only if the client selects it (a getter; pages rarely ask).
  const edges = page.map((row) => ({
    get cursor() {
      return encodeCursor(cursorOf(row));
    },
    node: toNode(row),
  }));
  const start = page[0];
  const end = page[page.length - 1];
  return {
    edges,
    pageInfo: {
      hasNextPage: reading.backward ? Boolean(reading.beforeCursor) : more,
      hasPreviousPage: reading.backward ? more : Boolean(reading.afterCursor),
      startCursor: start === undefined ? null : encodeCursor(cursorOf(start)),
      endCursor: end === undefined ? null : encodeCursor(cursorOf(end)),
    },
    totalCount,
  };
}
