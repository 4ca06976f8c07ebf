import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType, type NonEmptyArray, type PubSub } from 'type-graphql';
import { authChecker } from './auth-checker';
import { requireNonBlank, validateArgument } from './argument-validation';

/**
 * type-graphql insists on a PubSub once there is a @Subscription, but ours all pass `subscribe`
 * (tenant-scoped streams from the request context), so topics are never used.
 */
const noTopicPubSub: PubSub = {
  publish() {
    throw new Error('Publish through AppServices.events, not type-graphql topics');
  },
  subscribe() {
    throw new Error('Subscriptions must pass `subscribe: ({ context }) => context.tenant().events(...)`');
  },
};

/**
 * Builds the executable schema from resolver classes. Resolvers are constructed once with the
 * app's services as their only argument (explicit wiring, no reflection-based DI).
 */
export function buildGraphQLSchema<Services>(options: {
  resolvers: NonEmptyArray<Function>;
  services: Services;
  emitSchemaFile?: string;
}): Promise<GraphQLSchema> {
  const instances = new Map<Function, unknown>();
  const container: ContainerType = {
    get(resolverClass: new (services: Services) => unknown) {
      let instance = instances.get(resolverClass);
      if (!instance) {
        instance = new resolverClass(options.services);
        instances.set(resolverClass, instance);
      }
      return instance;
    },
  };
  requireNonBlank();
  return buildSchema({
    resolvers: options.resolvers,
    authChecker,
    authMode: 'error',
    validateFn: validateArgument,
    container,
    pubSub: noTopicPubSub,
    emitSchemaFile: options.emitSchemaFile ? { path: options.emitSchemaFile, sortedSchema: true } : false,
  });
}
