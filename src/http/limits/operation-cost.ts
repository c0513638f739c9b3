import {
  Kind, SchemaMetaFieldDef, TypeMetaFieldDef, getNamedType, isInterfaceType, isObjectType, valueFromASTUntyped, visit,
  type DirectiveNode, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLNamedType,
  type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValueNode,
} from 'graphql';
import { INTROSPECTION_ROOT_FIELDS, UnmeasurableDocument } from './document-shape';
import { FLAT_PAGE, SERVED_BY_PAGE } from '../../schema/cost-hints';

/** The cost of one operation: its own fields, and apart from them what it asks of introspection. */
export interface Cost {
  cost: number;
  introspectionCost: number;
}

/** A part's cost while pricing: of `cost`, what fields with resolvers of their own cost (outside any page below), which a flat page pays per row. */
interface PartCost extends Cost {
  resolvedCost?: number;
}

/** How many items an introspection list field answers at most on this schema (types, fields, args…). */
export type IntrospectionListSizes = ReadonlyMap<string, number>;

/**
 * Cost as careslot prices a query: a field with a page size (`first`) costs 1 + first × its
 * children (at least 1), a flat page 1 + first + its children, every other field 1 + its children, a leaf 1. Introspection list fields
 * are priced by the most items they can answer on this schema, so nesting them multiplies as the
 * answer does. Each fragment is priced once, so the walk is linear in the document.
 */
export function costOf(
  schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>, listSizes: IntrospectionListSizes, selectionBudget: number,
): Cost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const defaults = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }
  const valueOf = (node: ValueNode): unknown => {
    if (node.kind !== Kind.VARIABLE) return valueFromASTUntyped(node);
    const name = node.name.value;
    return variables[name] !== undefined ? variables[name] : defaults.get(name);
  };
  const included = (directives: readonly DirectiveNode[] | undefined): boolean => {
    for (const directive of directives ?? []) {
      const condition = directive.arguments?.find((argument) => argument.name.value === 'if');
      if (!condition) continue;
      // Only a definite true/false leaves something out: anything else is priced as included.
      const value = valueOf(condition.value);
      if (directive.name.value === 'skip' && value === true) return false;
      if (directive.name.value === 'include' && value === false) return false;
    }
    return true;
  };
  const pageSizeOf = (node: FieldNode, field: GraphQLField<unknown, unknown> | undefined): number | undefined => {
    const argument = node.arguments?.find((candidate) => candidate.name.value === 'first');
    const fieldDefault = field?.args.find((arg) => arg.name === 'first')?.defaultValue;
    // An argument whose variable was not sent (and has no default of its own) leaves the field's default in force.
    const given = argument ? valueOf(argument.value) : undefined;
    const value = given === undefined ? fieldDefault : given;
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(value, 0) : undefined;
  };

  const priced = new Map<string, PartCost>();
  const pricing = new Set<string>();
  let selections = 0;

  const selectionSetCost = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined): PartCost => {
    let cost = 0;
    let introspectionCost = 0;
    let resolvedCost = 0;
    for (const selection of selectionSet.selections) {
      if (++selections > selectionBudget) throw new UnmeasurableDocument('the document has more selections than its budget');
      if (!included(selection.directives)) continue;
      let inner: PartCost;
      if (selection.kind === Kind.FIELD) {
        inner = fieldCost(selection, parentType);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        inner = selectionSetCost(selection.selectionSet, type);
      } else {
        inner = fragmentCost(selection.name.value);
      }
      cost += inner.cost;
      introspectionCost += inner.introspectionCost;
      resolvedCost += inner.resolvedCost ?? 0;
    }
    return { cost, introspectionCost, resolvedCost };
  };

  const fieldCost = (node: FieldNode, parentType: GraphQLNamedType | undefined): PartCost => {
    const name = node.name.value;
    const field = fieldOf(schema, parentType, name);
    const below = node.selectionSet ? selectionSetCost(node.selectionSet, field ? getNamedType(field.type) : undefined) : { cost: 0, introspectionCost: 0 };
    const introspection = INTROSPECTION_ROOT_FIELDS.has(name) || (parentType?.name.startsWith('__') ?? false);
    if (introspection) {
      const size = parentType ? listSizes.get(`${parentType.name}.${name}`) : undefined;
      const children = below.cost + below.introspectionCost;
      return { cost: 0, introspectionCost: size === undefined ? 1 + children : 1 + size * Math.max(children, 1) };
    }
    const pageSize = pageSizeOf(node, field);
    if (pageSize === undefined) {
      // A field resolved on its own (not a plain field of its row, nor embedded by a flat page's read) costs again for every row of a flat page above it.
      const resolvedOnItsOwn = field?.resolve !== undefined && field.extensions?.[SERVED_BY_PAGE] !== true;
      return { cost: 1 + below.cost, introspectionCost: below.introspectionCost, resolvedCost: resolvedOnItsOwn ? 1 + below.cost : below.resolvedCost };
    }
    // A flat page is rows of one statement: its items cost one each, its shape once, and what its items resolve on their own once per row.
    if (field?.extensions?.[FLAT_PAGE] === true) {
      return { cost: 1 + pageSize + below.cost + pageSize * (below.resolvedCost ?? 0), introspectionCost: below.introspectionCost };
    }
    return { cost: 1 + pageSize * Math.max(below.cost, 1), introspectionCost: pageSize * below.introspectionCost };
  };

  const fragmentCost = (name: string): PartCost => {
    const known = priced.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment) return { cost: 0, introspectionCost: 0 };
    if (pricing.has(name)) throw new UnmeasurableDocument(`fragment ${name} spreads itself`);
    pricing.add(name);
    const cost = included(fragment.directives)
      ? selectionSetCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value))
      : { cost: 0, introspectionCost: 0 };
    pricing.delete(name);
    priced.set(name, cost);
    return cost;
  };

  const rootType = operation.operation === 'query' ? schema.getQueryType()
    : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const { cost, introspectionCost } = selectionSetCost(operation.selectionSet, rootType ?? undefined);
  return { cost, introspectionCost };
}

function fieldOf(schema: GraphQLSchema, parentType: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (!parentType || name === '__typename') return undefined;
  if (parentType === schema.getQueryType() && INTROSPECTION_ROOT_FIELDS.has(name)) {
    // The meta fields are not in the root type's own field map.
    return name === '__schema' ? SchemaMetaFieldDef : TypeMetaFieldDef;
  }
  return isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
}

/** The variables a cost can depend on: page sizes and the conditions of @include/@skip. */
export function costVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (value: ValueNode) => visit(value, { Variable: (variable) => void names.add(variable.name.value) });
  visit(document, {
    Field: (field) => field.arguments?.forEach((argument) => argument.name.value === 'first' && collect(argument.value)),
    Directive: (directive) => directive.arguments?.forEach((argument) => collect(argument.value)),
  });
  return [...names].sort();
}
