import {
  getNamedType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType,
  type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';

/** Every root field of the schema, with its root type name. */
export function rootFields(schema: GraphQLSchema): Array<{ root: 'Query' | 'Mutation' | 'Subscription'; field: GraphQLField<unknown, unknown> }> {
  const roots: Array<['Query' | 'Mutation' | 'Subscription', GraphQLObjectType | null | undefined]> = [
    ['Query', schema.getQueryType()], ['Mutation', schema.getMutationType()], ['Subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([root, type]) => Object.values(type?.getFields() ?? {}).map((field) => ({ root, field })));
}

/** The smallest selection a field's answer needs: nothing for a leaf, `__typename` otherwise. */
export function minimalSelection(type: GraphQLNamedType): string {
  return isLeafType(type) ? '' : '{ __typename }';
}

/** The operation keyword of a root. */
export const keywordOf = (root: 'Query' | 'Mutation' | 'Subscription'): string => root.toLowerCase();

/**
 * A value of an input type that GraphQL accepts and careslot's own validation refuses where it can:
 * empty strings, negative numbers, well-formed random ids, the first enum value, empty lists, and
 * every required field of nested inputs filled the same way.
 */
export function validButUnreasonable(type: GraphQLInputType, id: () => string): unknown {
  if (isNonNullType(type)) return validButUnreasonable(type.ofType, id);
  if (isListType(type)) return [];
  const named = getNamedType(type);
  if (isInputObjectType(named)) {
    return Object.fromEntries(Object.values(named.getFields())
      .filter((field) => isNonNullType(field.type))
      .map((field) => [field.name, validButUnreasonable(field.type, id)]));
  }
  if (isEnumType(named)) return named.getValues()[0]!.value;
  switch (named.name) {
    case 'ID': return id();
    case 'Int': case 'Float': return -1;
    case 'Boolean': return false;
    case 'Instant': case 'DateTimeISO': return '2000-01-01T00:00:00Z';
    default: return '';
  }
}
