import type { GraphQLField, GraphQLObjectType, GraphQLSchema } from 'graphql';

export type RootKind = 'query' | 'mutation' | 'subscription';

export interface RootField {
  rootKind: RootKind;
  /** The root type (Query, Mutation, Subscription). */
  rootType: GraphQLObjectType;
  field: GraphQLField<unknown, unknown>;
}

/** Every field of the Query, Mutation and Subscription types: what the fuzzer must cover. */
export function rootFieldsOf(schema: GraphQLSchema): RootField[] {
  const roots: Array<[RootKind, GraphQLObjectType | null | undefined]> = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([rootKind, rootType]) =>
    rootType ? Object.values(rootType.getFields()).map((field) => ({ rootKind, rootType, field })) : [],
  );
}

export const rootFieldKey = (root: RootField): string => `${root.rootKind} ${root.field.name}`;
