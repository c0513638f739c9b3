import type { GraphQLSchema } from 'graphql';
import type { Services } from '../services';

/**
 * Subscription `subscribe` functions are declared statically in decorators, yet every server
 * (tests run several in one process) has its own services: they are found through the schema.
 */
const servicesBySchema = new WeakMap<GraphQLSchema, Services>();

export function bindServicesToSchema(schema: GraphQLSchema, services: Services): void {
  servicesBySchema.set(schema, services);
}

export function servicesOf(schema: GraphQLSchema): Services {
  const services = servicesBySchema.get(schema);
  if (!services) throw new Error('schema has no services bound');
  return services;
}
