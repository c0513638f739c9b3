import {
  GraphQLError, Kind, type ASTVisitor, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema,
  type OperationDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule,
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

/**
 * Costs already computed, per parsed document (Apollo hands the same DocumentNode back for the same
 * query text) and per operation + variables: the estimate walks the whole document otherwise.
 */
const knownCosts = new WeakMap<DocumentNode, Map<string, number | undefined>>();

/** Cost needs the variables, so it is checked per request after validation, on HTTP and WebSocket alike. */
export function costError(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, maxCost: number): GraphQLError | undefined {
  const costs = knownCosts.get(document) ?? new Map<string, number | undefined>();
  knownCosts.set(document, costs);
  const key = `${operationName ?? ''}\u0000${JSON.stringify(variables ?? {})}`;
  if (!costs.has(key)) {
    if (costs.size > 100) costs.clear();
    costs.set(key, estimateCost(schema, document, variables, operationName));
  }
  const cost = costs.get(key);
  // undefined: variables that do not fit the operation; execution reports them as BAD_USER_INPUT.
  if (cost === undefined) return undefined;
  return cost > maxCost ? tooComplex(`Query cost ${cost} exceeds the limit of ${maxCost}`, { limit: 'cost', max: maxCost, cost }) : undefined;
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
