import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { UseMiddleware, buildSchema, type NonEmptyArray, type PubSub } from 'type-graphql';
import { authChecker } from './auth-checker';
import { SERVED_BY_PAGE } from './cost-hints';
import { errorMapping } from './error-mapping.middleware';
import { InstantScalar } from './scalars';
import { validateArgument } from './validate-argument';

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

/**
 * Error mapping wraps every resolver method, but not plain object fields: as a global middleware,
 * type-graphql would wrap every field of every object (thousands of slot fields per availability
 * answer), which is where most of its overhead went.
 */
const withErrorMapping = new WeakSet<Function>();
function mapErrorsOf(resolverClass: Function): void {
  if (withErrorMapping.has(resolverClass)) return;
  withErrorMapping.add(resolverClass);
  UseMiddleware(errorMapping)(resolverClass);
}

/**
 * A field that a flat page's read embeds in its rows (SERVED_BY_PAGE) answers from the row when the
 * row holds it, as a plain field does: no resolver method, middleware or loader per row of an
 * agenda. Its resolver runs only when the row came from elsewhere (a single appointment, an event).
 */
function answerEmbeddedFromTheRow(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (field.extensions?.[SERVED_BY_PAGE] !== true || !resolve) continue;
      const name = field.name;
      const fromRow: GraphQLFieldResolver<Record<string, unknown>, unknown> = (source, args, context, info) =>
        (source[name] !== undefined ? source[name] : resolve(source, args, context, info));
      field.resolve = fromRow;
    }
  }
  return schema;
}

export async function buildCareslotSchema(options: SchemaOptions): Promise<GraphQLSchema> {
  for (const resolverClass of options.resolvers) mapErrorsOf(resolverClass);
  return answerEmbeddedFromTheRow(await buildSchema({
    resolvers: options.resolvers,
    container: { get: (someClass: Function) => options.resolverInstances.get(someClass) },
    authChecker,
    authMode: 'error',
    // class-validator on every object argument; errors never echo what was submitted. An argument
    // validated elsewhere names skipValidation (`validate: false` does not apply with a validateFn).
    validateFn: validateArgument,
    // Subscriptions bring their own `subscribe` (events come from our EventBus); type-graphql
    // still insists on a PubSub being configured, so it gets one that must never be used.
    pubSub: UNUSED_PUBSUB,
    // One date-time scalar: a Date field that names no scalar is an Instant too (not type-graphql's DateTimeISO).
    scalarsMap: [{ type: Date, scalar: InstantScalar }],
    emitSchemaFile: options.emitSchemaFile ? { path: options.emitSchemaFile, sortedSchema: false } : false,
  }));
}
