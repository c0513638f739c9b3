import {
  getIntrospectionQuery, getOperationAST, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, parse,
  type GraphQLSchema,
} from 'graphql';
import { ShapeMeasure } from './document-shape';
import { costOf, type IntrospectionListSizes } from './operation-cost';

export interface IntrospectionAllowance {
  /** The deepest introspection a query may do: that of the standard introspection query. */
  depth: number;
  /** What introspection may cost in one operation: twice the standard query on this schema. */
  cost: number;
  listSizes: IntrospectionListSizes;
}

/** The standard query with every option graphql-js and GraphiQL may ask for. */
const STANDARD_INTROSPECTION = getIntrospectionQuery({
  descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true,
});

/**
 * Introspection has its own allowance, measured on the schema served: the standard query (the one
 * GraphiQL and code generators send) passes, and nesting list fields inside it (`types { fields {
 * type { fields … } } }`) multiplies its price as it would multiply the answer, so it is refused.
 */
export function introspectionAllowance(schema: GraphQLSchema): IntrospectionAllowance {
  const listSizes = introspectionListSizes(schema);
  const document = parse(STANDARD_INTROSPECTION);
  const operation = getOperationAST(document)!;
  const shape = new ShapeMeasure(document, Number.POSITIVE_INFINITY).operation(operation);
  const standard = costOf(schema, document, operation, {}, listSizes, Number.POSITIVE_INFINITY);
  return { depth: shape.introspectionDepth, cost: 2 * standard.introspectionCost, listSizes };
}

function introspectionListSizes(schema: GraphQLSchema): IntrospectionListSizes {
  const types = Object.values(schema.getTypeMap());
  const most = (counts: number[]): number => Math.max(1, ...counts);
  const fieldsOf = (type: (typeof types)[number]) => (isObjectType(type) || isInterfaceType(type) ? Object.values(type.getFields()) : []);
  const directives = schema.getDirectives();
  const maxArgs = most([...types.flatMap((type) => fieldsOf(type).map((field) => field.args.length)), ...directives.map((d) => d.args.length)]);
  return new Map([
    ['__Schema.types', types.length],
    ['__Schema.directives', most([directives.length])],
    ['__Type.fields', most(types.map((type) => fieldsOf(type).length))],
    ['__Type.inputFields', most(types.map((type) => (isInputObjectType(type) ? Object.keys(type.getFields()).length : 0)))],
    ['__Type.enumValues', most(types.map((type) => (isEnumType(type) ? type.getValues().length : 0)))],
    ['__Type.interfaces', most(types.map((type) => (isObjectType(type) || isInterfaceType(type) ? type.getInterfaces().length : 0)))],
    ['__Type.possibleTypes', most(types.map((type) => (isUnionType(type) || isInterfaceType(type) ? schema.getPossibleTypes(type).length : 0)))],
    ['__Field.args', maxArgs],
    ['__Directive.args', maxArgs],
    ['__Directive.locations', 20],
  ]);
}
