import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray, type PubSub } from 'type-graphql';
import { authChecker } from './auth-checker';
import { errorMapping } from './error-mapping.middleware';

const UNUSED_PUBSUB: PubSub = {
  publish: () => {
    throw new Error('type-graphql PubSub is not used: publish through the EventBus');
  },
  subscribe: () => {
    throw new Error('type-graphql PubSub is not used: subscriptions declare `subscribe`');
  },
};

export interface SchemaOptions {
  resolvers: NonEmptyArray<Function>;
  /** Resolver instances, already wired with their services. */
  resolverInstances: Map<Function, object>;
  emitSchemaFile?: string;
}

export function buildCareslotSchema(options: SchemaOptions): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: options.resolvers,
    container: { get: (someClass: Function) => options.resolverInstances.get(someClass) },
    authChecker,
    authMode: 'error',
    globalMiddlewares: [errorMapping],
    // Validation errors must never echo what was submitted.
    validate: { forbidUnknownValues: false, validationError: { target: true, value: false } },
    // Subscriptions bring their own `subscribe` (events come from our EventBus); type-graphql
    // still insists on a PubSub being configured, so it gets one that must never be used.
    pubSub: UNUSED_PUBSUB,
    emitSchemaFile: options.emitSchemaFile ? { path: options.emitSchemaFile, sortedSchema: false } : false,
  });
}
