import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { tooComplex, type QueryLimits } from './query-limits';

/** What an operation adds up to once every fragment spread is expanded where it stands. */
export interface Shape {
  /** The deepest path, an introspection root field (`__schema`, `__type`) counting as one level. */
  depth: number;
  /** The deepest path through introspection too: bounded by the introspection allowance. */
  introspectionDepth: number;
  /** Aliases in the expanded operation: a fragment spread ten times brings its aliases ten times. */
  aliases: number;
  directives: number;
}

export const INTROSPECTION_ROOT_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type']);

const NONE: Shape = { depth: 0, introspectionDepth: 0, aliases: 0, directives: 0 };

/** Thrown when a document cannot be measured within its budget or spreads a fragment into itself. */
export class UnmeasurableDocument extends Error {}

/**
 * Measures the operations of a document in one pass that is linear in its size: each fragment is
 * measured once and its shape reused at every spread, so a chain of fragments that each spread the
 * next ten times costs its length, not 10^length. A cycle cannot be measured and is refused.
 */
export class ShapeMeasure {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly measured = new Map<string, Shape>();
  private readonly measuring = new Set<string>();
  private selections = 0;

  constructor(document: DocumentNode, private readonly selectionBudget: number) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
  }

  operation(operation: OperationDefinitionNode): Shape {
    const shape = this.selectionSet(operation.selectionSet);
    return { ...shape, directives: shape.directives + (operation.directives?.length ?? 0) };
  }

  private selectionSet(selectionSet: SelectionSetNode): Shape {
    let depth = 0;
    let introspectionDepth = 0;
    let aliases = 0;
    let directives = 0;
    for (const selection of selectionSet.selections) {
      if (++this.selections > this.selectionBudget) throw new UnmeasurableDocument('the document has more selections than its budget');
      directives += selection.directives?.length ?? 0;
      let inner: Shape;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? this.selectionSet(selection.selectionSet) : NONE;
        const introspectionRoot = INTROSPECTION_ROOT_FIELDS.has(selection.name.value);
        inner = {
          depth: introspectionRoot ? 1 : 1 + below.depth,
          introspectionDepth: 1 + below.introspectionDepth,
          aliases: below.aliases + (selection.alias ? 1 : 0),
          directives: below.directives,
        };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = this.selectionSet(selection.selectionSet);
      } else {
        inner = this.fragment(selection.name.value);
      }
      depth = Math.max(depth, inner.depth);
      introspectionDepth = Math.max(introspectionDepth, inner.introspectionDepth);
      aliases += inner.aliases;
      directives += inner.directives;
    }
    return { depth, introspectionDepth, aliases, directives };
  }

  private fragment(name: string): Shape {
    const known = this.measured.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) return NONE; // an unknown fragment is reported by the spec's own rule
    if (this.measuring.has(name)) throw new UnmeasurableDocument(`fragment ${name} spreads itself`);
    this.measuring.add(name);
    const inner = this.selectionSet(fragment.selectionSet);
    const shape = { ...inner, directives: inner.directives + (fragment.directives?.length ?? 0) };
    this.measuring.delete(name);
    this.measured.set(name, shape);
    return shape;
  }
}

/**
 * Depth, aliases and directives of every operation, checked once per document (validation results
 * are cached by text). Failing closed: a document that cannot be measured is refused, never let through.
 */
export function documentShapeRule(limits: QueryLimits, introspectionDepth: number): ValidationRule {
  const maxIntrospectionDepth = Math.max(introspectionDepth, limits.maxDepth);
  return (context) => ({
    Document(document) {
      try {
        const measure = new ShapeMeasure(document, limits.maxTokens);
        for (const definition of document.definitions) {
          if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
          const shape = measure.operation(definition);
          if (shape.depth > limits.maxDepth) {
            context.reportError(tooComplex(`Query depth ${shape.depth} exceeds the limit of ${limits.maxDepth}`, 'depth', { max: limits.maxDepth }));
          }
          if (shape.introspectionDepth > maxIntrospectionDepth) {
            context.reportError(tooComplex(`Introspection depth ${shape.introspectionDepth} exceeds the limit of ${maxIntrospectionDepth}`, 'introspection', { max: maxIntrospectionDepth }));
          }
          if (shape.aliases > limits.maxAliases) {
            context.reportError(tooComplex(`${shape.aliases} aliases exceed the limit of ${limits.maxAliases}`, 'aliases', { max: limits.maxAliases }));
          }
          if (shape.directives > limits.maxDirectives) {
            context.reportError(tooComplex(`${shape.directives} directives exceed the limit of ${limits.maxDirectives}`, 'directives', { max: limits.maxDirectives }));
          }
        }
      } catch (error) {
        // Whatever stopped the measure (a cycle, the budget, the stack), the answer is no.
        const reason = error instanceof UnmeasurableDocument ? error.message : 'it nests too deeply';
        context.reportError(tooComplex(`The query cannot be measured: ${reason}`, 'measure'));
      }
      return false;
    },
  });
}
