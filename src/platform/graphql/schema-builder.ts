import { GraphQLEnumType, GraphQLSchema, type GraphQLObjectType } from 'graphql';
import { ERROR_CODE_MEANINGS, PROTOCOL_ERROR_CODE_MEANINGS } from '../errors';
import { buildSchema, getMetadataStorage, type ContainerType, type NonEmptyArray, type PubSub } from 'type-graphql';
import type { OperationArea, OperationKind } from '../auth/api-key-scopes';
import { createAuthChecker } from './auth-checker';
import { requireNonBlank, validateArgument } from './argument-validation';

/**
 * type-graphql insists on a PubSub once there is a @Subscription, but ours all pass `subscribe`
 * (tenant-scoped streams from the request context), so topics are never used.
 */
const noTopicPubSub: PubSub = {
  publish() {
    throw new Error('Publish through the TenantEventBus, not type-graphql topics');
  },
  subscribe() {
    throw new Error('Subscriptions must pass `subscribe: ({ context }) => context.tenant().events(...)`');
  },
};

/**
 * Builds the executable schema from resolver instances, each constructed by its module with the
 * narrow services it needs (explicit wiring, no reflection-based DI). type-graphql reads the
 * decorators of their classes and asks its container for the instance of each class.
 */
export async function buildGraphQLSchema(options: {
  resolvers: readonly object[];
  emitSchemaFile?: string;
  /** The API-key scope area of each resolver instance's operations (see ApiKeyScope); unlisted: none. */
  areas?: ReadonlyMap<object, OperationArea>;
  /** Per root field, overriding its resolver's area (`viewer`: ANY). */
  fieldAreas?: Readonly<Record<string, OperationArea>>;
}): Promise<GraphQLSchema> {
  const instances = new Map<Function, object>();
  for (const resolver of options.resolvers) {
    if (instances.has(resolver.constructor)) throw new Error(`Two instances of resolver ${resolver.constructor.name}`);
    instances.set(resolver.constructor, resolver);
  }
  const classes = [...instances.keys()];
  if (classes.length === 0) throw new Error('No resolvers');
  const container: ContainerType = {
    get(resolverClass: Function) {
      const instance = instances.get(resolverClass);
      if (!instance) throw new Error(`No instance of resolver ${resolverClass.name}`);
      return instance;
    },
  };
  requireNonBlank();
  const classAreas = new Map<Function, OperationArea>([...(options.areas ?? [])].map(([instance, area]) => [instance.constructor, area]));
  const fieldAreas = new Map<string, OperationArea>();
  const storage = getMetadataStorage();
  for (const [kind, fields] of [['query', storage.queries], ['mutation', storage.mutations], ['subscription', storage.subscriptions]] as const) {
    for (const field of fields) {
      const area = classAreas.get(field.target);
      if (area !== undefined) fieldAreas.set(`${kind}.${field.schemaName}`, area);
    }
  }
  const areaOf = (kind: OperationKind, field: string) => options.fieldAreas?.[field] ?? fieldAreas.get(`${kind}.${field}`);
  const schema = await buildSchema({
    resolvers: classes as NonEmptyArray<Function>,
    authChecker: createAuthChecker(areaOf),
    authMode: 'error',
    validateFn: validateArgument,
    container,
    pubSub: noTopicPubSub,
    emitSchemaFile: options.emitSchemaFile ? { path: options.emitSchemaFile, sortedSchema: true } : false,
  });
  // The error codes are part of the contract, though no field returns them.
  const config = schema.toConfig();
  describeRootType(config.query, 'Read operations');
  describeRootType(config.mutation, 'Write operations');
  describeRootType(config.subscription, 'Live events, delivered over WebSocket (graphql-ws) on the GraphQL path');
  return new GraphQLSchema({ ...config, types: [...config.types, errorCodeEnum()] });
}

/** type-graphql has no option for the root types' descriptions; set them on the built types. */
function describeRootType(type: GraphQLObjectType | null | undefined, description: string): void {
  if (type && !type.description) type.description = description;
}

/** Every `extensions.code` a client can receive, with its meaning. */
function errorCodeEnum(): GraphQLEnumType {
  const meanings = { ...ERROR_CODE_MEANINGS, ...PROTOCOL_ERROR_CODE_MEANINGS };
  return new GraphQLEnumType({
    name: 'ErrorCode',
    description: 'Every `extensions.code` an error can carry. Switch on codes, not messages: codes are stable, messages may change',
    values: Object.fromEntries(Object.entries(meanings).map(([code, description]) => [code, { value: code, description }])),
  });
}
