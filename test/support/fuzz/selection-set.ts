import {
  getNamedType, isAbstractType, isLeafType, isRequiredArgument, type GraphQLField, type GraphQLNamedType,
  type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema,
} from 'graphql';

/**
 * The selection set of a root field, built from its return type: every leaf field, and object
 * fields expanded while the operation stays within `maxDepth` (the root field is level 1, as the
 * server's depth rule counts). Unions and interfaces get `__typename` and an inline fragment per
 * possible type (fragments add no depth). Fields that need arguments are left out: the fuzzer
 * aims at root arguments.
 *
 * Below the second level only leaves are selected: a paged list (`first: 100`) costs its page
 * size times its children, and a valid operation should stay under the cost limit too.
 */
export function selectionSetFor(schema: GraphQLSchema, type: GraphQLOutputType, maxDepth: number): string | undefined {
  return selectionOf(schema, getNamedType(type), maxDepth - 1, 1);
}

const FULL_EXPANSION_LEVELS = 2;

function selectionOf(schema: GraphQLSchema, type: GraphQLNamedType, remaining: number, level: number): string | undefined {
  if (isLeafType(type)) return undefined;
  if (isAbstractType(type)) {
    const fragments = schema.getPossibleTypes(type).map((member) => `... on ${member.name} ${objectSelection(schema, member, remaining, level)}`);
    return `{ __typename ${fragments.join(' ')} }`;
  }
  return objectSelection(schema, type as GraphQLObjectType, remaining, level);
}

function objectSelection(schema: GraphQLSchema, type: GraphQLObjectType, remaining: number, level: number): string {
  const selectable = Object.values(type.getFields()).filter((field) => !field.args.some(isRequiredArgument));
  const leaves = selectable.filter((field) => isLeafType(getNamedType(field.type))).map((field) => field.name);
  const nested = remaining >= 2 && level <= FULL_EXPANSION_LEVELS ? selectable.flatMap((field) => nestedSelection(schema, field, remaining, level)) : [];
  // An object without selectable leaves (or a level too deep to open it) still needs a selection.
  const parts = [...leaves, ...nested];
  return `{ ${parts.length > 0 ? parts.join(' ') : '__typename'} }`;
}

function nestedSelection(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>, remaining: number, level: number): string[] {
  const named = getNamedType(field.type);
  if (isLeafType(named)) return [];
  const inner = selectionOf(schema, named, remaining - 1, level + 1);
  return inner ? [`${field.name} ${inner}`] : [];
}
