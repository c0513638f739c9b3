import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { costOf, costVariablesOf, type Cost } from './operation-cost';
import type { IntrospectionAllowance } from './introspection-allowance';
import { tooComplex } from './query-limits';

interface DocumentCosts {
  /** The variables a cost can depend on, in a fixed order. */
  costVariables: string[];
  /** Cost per operation and values of those variables. */
  costs: Map<string, Cost>;
}

/**
 * Costs already computed, per parsed document (the same text gives the same DocumentNode from the
 * document caches). Keyed by the variables that can change the cost only, so a mutation whose input
 * differs on every request (every booking) is priced once, not per request.
 */
const knownCosts = new WeakMap<DocumentNode, DocumentCosts>();
const MAX_COSTS_PER_DOCUMENT = 100;

/**
 * The operation's cost against MAX_COST, and its introspection against the introspection allowance.
 * Failing closed: an operation that cannot be priced is refused.
 */
export function costError(
  schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | null | undefined,
  maxCost: number, allowance: IntrospectionAllowance, selectionBudget: number,
): GraphQLError | undefined {
  let known = knownCosts.get(document);
  if (!known) {
    known = { costVariables: costVariablesOf(document), costs: new Map() };
    knownCosts.set(document, known);
  }
  // An absent variable ('-', never valid JSON) takes the operation's default; null does not. Without
  // such variables (most operations) the key is the operation's name alone: nothing built per request.
  const operationName = operation.name?.value ?? '';
  const key = known.costVariables.length === 0 ? operationName
    : `${operationName}\u0000${known.costVariables.map((name) => (variables?.[name] === undefined ? '-' : JSON.stringify(variables[name]))).join('\u0000')}`;
  let cost = known.costs.get(key);
  if (!cost) {
    try {
      cost = costOf(schema, document, operation, variables ?? {}, allowance.listSizes, selectionBudget);
    } catch {
      return tooComplex('The query cannot be priced', 'measure');
    }
    if (known.costs.size >= MAX_COSTS_PER_DOCUMENT) known.costs.clear();
    known.costs.set(key, cost);
  }
  if (cost.cost > maxCost) return tooComplex(`Query cost ${cost.cost} exceeds the limit of ${maxCost}`, 'cost', { max: maxCost, cost: cost.cost });
  if (cost.introspectionCost > allowance.cost) {
    return tooComplex(`Introspection cost ${cost.introspectionCost} exceeds the allowance of ${allowance.cost}`, 'introspection', { max: allowance.cost, cost: cost.introspectionCost });
  }
  return undefined;
}
