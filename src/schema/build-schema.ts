import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './auth-checker';
import { errorMapping } from './error-mapping.middleware';

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
    emitSchemaFile: options.emitSchemaFile ? { path: options.emitSchemaFile, sortedSchema: false } : false,
  });
}
