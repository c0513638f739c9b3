import {
  GraphQLError, Kind, TypeInfo, visit, visitWithTypeInfo, type ASTVisitor, type DocumentNode, type FragmentDefinitionNode,
  type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule, type ValueNode,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { ErrorCode } from './errors';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
}

const tooComplex = (message: string, details: Record<string, unknown> = {}): GraphQLError =>
  new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, ...details } });

/** Depth of the deepest selection, following fragments; introspection counts like anything else. */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const fragments = fragmentsOf(context.getDocument());
      const depth = selectionDepth(operation.selectionSet, fragments, new Set());
      if (depth > maxDepth) context.reportError(tooComplex(`Query depth ${depth} exceeds the limit of ${maxDepth}`, { limit: 'depth', max: maxDepth }));
    },
  });
}

/** Aliases per operation, `__typename` aliases included: they are the cheapest way to amplify a response. */
export function aliasLimitRule(maxAliases: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias) aliases += 1;
      },
      Document: {
        leave() {
          if (aliases > maxAliases) context.reportError(tooComplex(`${aliases} aliases exceed the limit of ${maxAliases}`, { limit: 'aliases', max: maxAliases }));
        },
      },
    };
  };
}

export function limitValidationRules(limits: QueryLimits): ValidationRule[] {
  return [depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases)];
}

/** Lists cost their page size times their children; scalars cost 1 unless a field says otherwise. */
const pagedListEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const size = typeof args.first === 'number' ? args.first : undefined;
  return size === undefined ? undefined : 1 + size * Math.max(childComplexity, 1);
};

interface DocumentCosts {
  /** The variables a cost can depend on, in a fixed order. */
  costVariables: string[];
  /** Cost per operation name and values of those variables. */
  costs: Map<string, number>;
}

/**
 * Costs already computed, per parsed document (Apollo hands the same DocumentNode back for the same
 * query text): the estimate walks the whole document and coerces every variable otherwise. Keyed by
 * the variables that can change the cost only, so a mutation whose input differs on every request
 * (every booking) is estimated once, not per request.
 */
const knownCosts = new WeakMap<DocumentNode, DocumentCosts>();

/** Cost needs the variables, so it is checked per request after validation, on HTTP and WebSocket alike. */
export function costError(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, maxCost: number): GraphQLError | undefined {
  let known = knownCosts.get(document);
  if (!known) {
    known = { costVariables: costVariablesOf(schema, document), costs: new Map() };
    knownCosts.set(document, known);
  }
  // An absent variable ('-', never valid JSON) takes the operation's default; null does not.
  const values = known.costVariables.map((name) => (variables?.[name] === undefined ? '-' : JSON.stringify(variables[name])));
  const key = `${operationName ?? ''}\u0000${values.join('\u0000')}`;
  let cost = known.costs.get(key);
  if (cost === undefined) {
    cost = estimateCost(schema, document, variables, operationName);
    // undefined: variables that do not fit the operation; execution reports them as BAD_USER_INPUT.
    // Never remembered: the next request with the same key may be a costly one with valid variables.
    if (cost === undefined) return undefined;
    if (known.costs.size > 100) known.costs.clear();
    known.costs.set(key, cost);
  }
  return cost > maxCost ? tooComplex(`Query cost ${cost} exceeds the limit of ${maxCost}`, { limit: 'cost', max: maxCost, cost }) : undefined;
}

/**
 * The variables the estimators below can read: page sizes (`first`), the arguments of directives
 * (`@include`/`@skip` decide what is counted at all), and any argument of a field that declares its
 * own `complexity` extension. Other arguments (a booking's `input`) cannot change a cost.
 */
function costVariablesOf(schema: GraphQLSchema, document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (value: ValueNode) => visit(value, { Variable: (variable) => void names.add(variable.name.value) });
  const typeInfo = new TypeInfo(schema);
  visit(document, visitWithTypeInfo(typeInfo, {
    Argument(argument) {
      const ownComplexity = typeInfo.getFieldDef()?.extensions?.complexity !== undefined;
      if (typeInfo.getDirective() || argument.name.value === 'first' || ownComplexity) collect(argument.value);
    },
  }));
  return [...names].sort();
}

function estimateCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): number | undefined {
  try {
    return getComplexity({
      schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined,
      estimators: [fieldExtensionsEstimator(), pagedListEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    return undefined;
  }
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

function selectionDepth(selectionSet: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, visiting: Set<string>): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, selection.selectionSet ? 1 + selectionDepth(selection.selectionSet, fragments, visiting) : 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, visiting));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visiting.has(name)) continue; // unknown or cyclic fragments are reported by the spec's own rules
      visiting.add(name);
      deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, fragments, visiting));
      visiting.delete(name);
    }
  }
  return deepest;
}
