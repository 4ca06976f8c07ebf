import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './auth-checker';

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
  return buildSchema({
    resolvers: options.resolvers,
    authChecker,
    authMode: 'error',
    validate: { forbidUnknownValues: false },
    container,
    emitSchemaFile: options.emitSchemaFile ? { path: options.emitSchemaFile, sortedSchema: true } : false,
  });
}
