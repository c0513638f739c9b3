import fc from 'fast-check';
import {
  Kind, Lexer, Source, TokenKind, buildSchema, execute, getOperationAST, parse, validate,
  type DocumentNode, type FieldNode, type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../../src/platform/errors';
import { documentShapeRule, ShapeMeasure, UnmeasurableDocument, type Shape } from '../../src/http/limits/document-shape';
import { nestingExceeds } from '../../src/http/limits/document-nesting';
import { costOf, costVariablesOf, type Cost } from '../../src/http/limits/operation-cost';
import type { QueryLimits } from '../../src/http/limits/query-limits';
import { ID_PROBLEM, NUL_PROBLEM, nulCharacterProblems, wellFormedInputRule } from '../../src/schema/well-formed-input';

/**
 * The query-limit measures without a server: ShapeMeasure (depth, introspection depth, aliases,
 * directives), costOf (page sizes, @include/@skip, introspection list sizes), nestingExceeds, the
 * refusals of documents that cannot be measured (cycles, budget), wellFormedInputRule and
 * nulCharacterProblems. Properties compare the measures with a naive reference that expands every
 * fragment spread where it stands, on documents small enough for that to be cheap, and check that
 * measuring visits each selection of the document once (a budget of exactly that many suffices).
 * Set FC_SEED (and FC_PATH) to replay a failure that fast-check reported.
 */

const NUM_RUNS = Number(process.env.FC_RUNS ?? 100);
const FC_REPLAY = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {};
const RUNS = { numRuns: NUM_RUNS, ...FC_REPLAY };

/** Query and Node have the same fields, so any selection fits anywhere. */
const schema = buildSchema(`
  type Query {
    id: ID
    name: String
    child: Node
    children(first: Int = 3): [Node!]!
    page(first: Int): [Node!]!
    paged(first: Int! = 20): [Node!]!
  }
  type Node {
    id: ID
    name: String
    child: Node
    children(first: Int = 3): [Node!]!
    page(first: Int): [Node!]!
    paged(first: Int! = 20): [Node!]!
  }
  type Mutation { touch(first: Int): [Node!]! }
`);
const LIST_SIZES = new Map([['__Schema.types', 5], ['__Type.fields', 4], ['__Field.args', 2]]);
const INFINITE = Number.POSITIVE_INFINITY;

const operationOf = (document: DocumentNode): OperationDefinitionNode => getOperationAST(document)!;
const shapeOf = (text: string, budget = INFINITE): Shape => {
  const document = parse(text);
  return new ShapeMeasure(document, budget).operation(operationOf(document));
};
const costOfText = (text: string, variables: Record<string, unknown> = {}, budget = INFINITE): Cost => {
  const document = parse(text);
  return costOf(schema, document, operationOf(document), variables, LIST_SIZES, budget);
};

// ---------------------------------------------------------------------------------------------

describe('ShapeMeasure: examples', () => {
  it('depth: a root field is level 1; inline fragments and fragment spreads add nothing', () => {
    expect(shapeOf('{ id }').depth).toBe(1);
    expect(shapeOf('{ id child { child { id } } }').depth).toBe(3);
    expect(shapeOf('{ ... on Query { child { ... on Node { id } } } }').depth).toBe(2);
    expect(shapeOf('{ child { ...F } } fragment F on Node { child { id } }').depth).toBe(3);
    expect(shapeOf('{ id ...F } fragment F on Query { child { child { child { id } } } }').depth).toBe(4);
  });

  it('introspection: __schema and __type count one level of depth, all of their levels of introspection depth', () => {
    expect(shapeOf('{ __schema { types { fields { type { name } } } } }')).toMatchObject({ depth: 1, introspectionDepth: 5 });
    expect(shapeOf('{ t: __type(name: "Node") { name } child { id } }')).toMatchObject({ depth: 2, introspectionDepth: 2, aliases: 1 });
    expect(shapeOf('{ child { child { __typename } } }')).toMatchObject({ depth: 3, introspectionDepth: 3 });
    expect(shapeOf('{ ...I } fragment I on Query { __schema { queryType { fields { name } } } }')).toMatchObject({ depth: 1, introspectionDepth: 4 });
  });

  it('aliases: counted in the expanded operation, a fragment spread n times bringing its aliases n times', () => {
    expect(shapeOf('{ a: id b: name child { c: id } }').aliases).toBe(3);
    expect(shapeOf('{ ...F ...F ...F } fragment F on Query { a: id b: name }').aliases).toBe(6);
    // B has 2 aliases; A has 1 and spreads B twice (5); the operation spreads A three times and B once.
    const nested = '{ ...A child { ...A ...A } ...B } fragment A on Query { x: id ...B ...B } fragment B on Query { y: id z: name }';
    expect(shapeOf(nested).aliases).toBe(3 * 5 + 2);
    expect(shapeOf('{ ... on Query { a: id } ... on Query { b: id } }').aliases).toBe(2);
  });

  it('aliases multiply through a long chain of fragments (measured once each, not expanded)', () => {
    // F0 spreads F1 ten times, … F19 holds one alias: 10^19 aliases, measured in 1 + 19 × 10 + 1 selections.
    const fragments = Array.from({ length: 20 }, (_, i) => (i === 19 ? 'fragment F19 on Query { a: id }' : `fragment F${i} on Query { ${`...F${i + 1} `.repeat(10)}}`));
    const text = `{ ...F0 } ${fragments.join(' ')}`;
    expect(shapeOf(text, 192).aliases).toBe(1e19);
    expect(() => shapeOf(text, 191)).toThrow(UnmeasurableDocument);
  });

  it('directives: of the operation, of fields, spreads and inline fragments, and of a fragment at every spread', () => {
    expect(shapeOf('query Q @a { id @include(if: true) }').directives).toBe(2);
    expect(shapeOf('{ id @a @b ... on Query @c { name @d } }').directives).toBe(4);
    expect(shapeOf('{ ...F @a ...F } fragment F on Query @b { id @c }').directives).toBe(1 + 2 * 2);
    expect(shapeOf('{ id @skip(if: true) }').directives).toBe(1); // counted whether or not it skips
  });

  it('an unknown fragment adds nothing (the spec\'s own rule reports it)', () => {
    expect(shapeOf('{ id ...Missing }')).toEqual({ depth: 1, introspectionDepth: 1, aliases: 0, directives: 0 });
  });

  it('refuses a fragment that spreads itself, directly or through others', () => {
    expect(() => shapeOf('{ ...A } fragment A on Query { id ...A }')).toThrow(new UnmeasurableDocument('fragment A spreads itself'));
    expect(() => shapeOf('{ ...A } fragment A on Query { child { ...B } } fragment B on Node { ... on Node { ...A } }')).toThrow(UnmeasurableDocument);
  });

  it('refuses a document with more selections than its budget, counting each fragment\'s selections once', () => {
    expect(shapeOf('{ id name child { id } }', 4).depth).toBe(2);
    expect(() => shapeOf('{ id name child { id } }', 3)).toThrow(new UnmeasurableDocument('the document has more selections than its budget'));
    // 3 in the operation (two spreads and a field) + 2 in F, measured once.
    expect(shapeOf('{ ...F ...F id } fragment F on Query { a: id b: id }', 5).aliases).toBe(4);
    expect(() => shapeOf('{ ...F ...F id } fragment F on Query { a: id b: id }', 4)).toThrow(UnmeasurableDocument);
  });
});

describe('documentShapeRule (through graphql-js validate)', () => {
  const limits: QueryLimits = { maxDepth: 3, maxAliases: 2, maxDirectives: 2, maxCost: 1000, maxTokens: 50 };
  const errorsOf = (text: string, introspectionDepth = 5) => validate(schema, parse(text), [documentShapeRule(limits, introspectionDepth)])
    .map((error) => ({ message: error.message, extensions: error.extensions }));
  const refusal = (message: string, limit: string, details: Record<string, unknown> = {}) => ({ message, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit, ...details } });

  it('accepts a document within every limit', () => {
    expect(errorsOf('{ a: id b: child { child { id @include(if: true) } } }')).toEqual([]);
  });

  it('reports each limit passed, with the limit in the extensions', () => {
    expect(errorsOf('{ child { child { child { id } } } }')).toEqual([refusal('Query depth 4 exceeds the limit of 3', 'depth', { max: 3 })]);
    expect(errorsOf('{ ...F ...F } fragment F on Query { x: id y: id }')).toEqual([refusal('4 aliases exceed the limit of 2', 'aliases', { max: 2 })]);
    expect(errorsOf('{ id @include(if: true) @skip(if: false) name @include(if: true) }')).toEqual([refusal('3 directives exceed the limit of 2', 'directives', { max: 2 })]);
  });

  it('bounds introspection by the larger of the allowance\'s depth and maxDepth', () => {
    const deep = '{ __schema { types { fields { type { ofType { name } } } } } }'; // introspection depth 6
    expect(errorsOf(deep, 6)).toEqual([]);
    expect(errorsOf(deep, 5)).toEqual([refusal('Introspection depth 6 exceeds the limit of 5', 'introspection', { max: 5 })]);
    expect(errorsOf('{ __type(name: "Node") { name } }', 1)).toEqual([]); // 2 ≤ maxDepth 3
  });

  it('refuses what it cannot measure: a cycle, the budget (maxTokens), a nesting deeper than the stack', () => {
    expect(errorsOf('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }'))
      .toEqual([refusal('The query cannot be measured: fragment A spreads itself', 'measure')]);
    expect(errorsOf(`{ ${'id '.repeat(51)}}`)).toEqual([refusal('The query cannot be measured: the document has more selections than its budget', 'measure')]);
    // A document nested 20,000 levels, built directly (parse itself would give up first).
    const field = (name: string, selectionSet?: SelectionSetNode): FieldNode => ({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: name }, selectionSet });
    let selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [field('id')] };
    for (let i = 0; i < 20_000; i++) selectionSet = { kind: Kind.SELECTION_SET, selections: [field('child', selectionSet)] };
    const document = { kind: Kind.DOCUMENT, definitions: [{ kind: Kind.OPERATION_DEFINITION, operation: 'query', selectionSet }] } as unknown as DocumentNode;
    const generous = documentShapeRule({ ...limits, maxTokens: INFINITE }, 5);
    expect(validate(schema, document, [generous]).map((error) => error.message)).toEqual(['The query cannot be measured: it nests too deeply']);
  });
});

describe('costOf: examples', () => {
  it('a leaf costs 1, a field 1 + its children', () => {
    expect(costOfText('{ id name }')).toEqual({ cost: 2, introspectionCost: 0 });
    expect(costOfText('{ child { id name child { id } } }')).toEqual({ cost: 5, introspectionCost: 0 });
    expect(costOfText('{ child { __typename } }')).toEqual({ cost: 2, introspectionCost: 0 });
  });

  it('a page costs 1 + first × its children (at least 1); a negative first counts as 0', () => {
    expect(costOfText('{ page(first: 5) { id name } }').cost).toBe(11);
    expect(costOfText('{ page(first: 5) { child { id } } }').cost).toBe(11);
    expect(costOfText('{ page(first: 5) { id @skip(if: true) } }').cost).toBe(6);
    expect(costOfText('{ page(first: 2) { page(first: 3) { id } } }').cost).toBe(1 + 2 * (1 + 3));
    expect(costOfText('{ page(first: 0) { id } }').cost).toBe(1);
    expect(costOfText('{ page(first: -4) { id } }').cost).toBe(1);
    expect(costOfText('{ page { id } }').cost).toBe(2); // no page size at all
  });

  it('the schema\'s default page size when first is not given', () => {
    expect(costOfText('{ children { id } }').cost).toBe(1 + 3);
    expect(costOfText('{ children(first: 10) { id } }').cost).toBe(1 + 10);
    expect(costOfText('{ paged { id name } }').cost).toBe(1 + 20 * 2);
  });

  it('a page size from a variable, or from the variable\'s default when it is absent (not when it is null)', () => {
    const text = 'query($n: Int) { page(first: $n) { id } }';
    expect(costOfText(text, { n: 7 }).cost).toBe(8);
    expect(costOfText(text, {}).cost).toBe(2);
    const withDefault = 'query($n: Int = 4) { page(first: $n) { id } }';
    expect(costOfText(withDefault, {}).cost).toBe(5);
    expect(costOfText(withDefault, { n: 6 }).cost).toBe(7);
    expect(costOfText(withDefault, { n: null }).cost).toBe(2);
  });

  // GraphQL's CoerceArgumentValues: a variable that is not provided and has no default of its own
  // leaves the argument "not provided", so the argument's default applies. graphql-js runs
  // `paged(first: $n)` with first = 20 here; the real schema has `first: Int! = 20` on every page.
  it('an absent variable without a default of its own takes the argument\'s default page size, as execution does', async () => {
    const text = 'query($n: Int) { paged(first: $n) { id } }';
    const executed = await execute({
      schema, document: parse(text), variableValues: {},
      rootValue: { paged: ({ first }: { first: number }) => Array.from({ length: first }, (_, i) => ({ id: String(i) })) },
    });
    expect((executed.data?.paged as unknown[]).length).toBe(20);
    expect(costOfText(text, {}).cost).toBe(1 + 20 * 1);
    expect(costOfText('query($n: Int) { children(first: $n) { id } }', {}).cost).toBe(1 + 3 * 1);
  });

  it('leaves out what @skip(if: true) or @include(if: false) leaves out, with literals, variables and defaults', () => {
    const text = 'query($s: Boolean) { page(first: 5) @skip(if: $s) { id } name @include(if: $s) }';
    expect(costOfText(text, { s: true }).cost).toBe(1);
    expect(costOfText(text, { s: false }).cost).toBe(6);
    expect(costOfText(text, {}).cost).toBe(7); // neither definitely true nor false: priced as included
    expect(costOfText('query($s: Boolean = true) { page(first: 5) @skip(if: $s) { id } name }', {}).cost).toBe(1);
    expect(costOfText('{ id @skip(if: false) @include(if: false) name }').cost).toBe(1);
    expect(costOfText('{ ... @skip(if: true) { page(first: 9) { id } } ...F @include(if: false) id }  fragment F on Query { name }').cost).toBe(1);
    expect(costOfText('{ ...F id } fragment F on Query @skip(if: true) { page(first: 9) { id } }').cost).toBe(1);
  });

  it('prices each fragment once and reuses it at every spread', () => {
    expect(costOfText('{ ...F ...F child { ...F } } fragment F on Query { page(first: 2) { id } }').cost).toBe(3 + 3 + (1 + 3));
  });

  it('prices introspection apart, by the list sizes of the schema', () => {
    // types: 1 + 5 × (name 1 + fields (1 + 4 × name 1)) = 31; __schema 1 + 31.
    expect(costOfText('{ __schema { types { name fields { name } } } }')).toEqual({ cost: 0, introspectionCost: 32 });
    // fields: 1 + 4 × (name 1 + args (1 + 2 × 1)) = 17; __type 1 + 17.
    expect(costOfText('{ __type(name: "Node") { fields { name args { name } } } id }')).toEqual({ cost: 1, introspectionCost: 18 });
    // An introspection list without a known size costs 1 + its children.
    expect(costOfText('{ __schema { queryType { name } } }')).toEqual({ cost: 0, introspectionCost: 3 });
    // Nesting lists multiplies: types { fields { type { fields { name } } } }.
    expect(costOfText('{ __schema { types { fields { type { fields { name } } } } } }').introspectionCost).toBe(1 + 1 + 5 * (1 + 4 * (1 + (1 + 4 * 1))));
  });

  it('lists the variables a cost depends on: page sizes and directive conditions', () => {
    expect(costVariablesOf(parse('query($a: Int, $b: Boolean, $c: ID, $d: Int) { page(first: $a) { id @skip(if: $b) } node: child { id } x: children(first: $d) { id } }')))
      .toEqual(['a', 'b', 'd']);
  });

  it('refuses cycles and documents over the budget, like the shape', () => {
    expect(() => costOfText('{ ...A } fragment A on Query { child { ...A } }')).toThrow(UnmeasurableDocument);
    expect(costOfText('{ id name }', {}, 2).cost).toBe(2);
    expect(() => costOfText('{ id name }', {}, 1)).toThrow(UnmeasurableDocument);
    // A skipped selection is counted (it was read), its children are not.
    expect(costOfText('{ child @skip(if: true) { id name } id }', {}, 2).cost).toBe(1);
  });

  it('prices a mutation from the mutation type', () => {
    const document = parse('mutation { touch(first: 4) { id name } }');
    expect(costOf(schema, document, operationOf(document), {}, LIST_SIZES, INFINITE).cost).toBe(1 + 4 * 2);
  });
});

describe('nestingExceeds: examples', () => {
  it('counts braces, brackets and parentheses, and stops past max', () => {
    expect(nestingExceeds('{ a { b } }', 2)).toBe(false);
    expect(nestingExceeds('{ a { b } }', 1)).toBe(true);
    expect(nestingExceeds('{ a(x: [[1]]) }', 3)).toBe(true);
    expect(nestingExceeds('{ a(x: [[1]]) }', 4)).toBe(false);
    expect(nestingExceeds('{ a } { b } { c }', 1)).toBe(false);
    expect(nestingExceeds('', 0)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestingExceeds('{ a(s: "{{{[[[(((") }', 2)).toBe(false);
    expect(nestingExceeds('{ a(s: "\\" {{{{") }', 2)).toBe(false);
    expect(nestingExceeds('{ a(s: "\\\\", t: "{{") }', 2)).toBe(false);
    expect(nestingExceeds('{ a(s: "x\\\\" { { { ) }', 2)).toBe(true); // the string ends after the escaped backslash
  });

  it('does not count brackets inside block strings, \\""" included', () => {
    expect(nestingExceeds('{ a(s: """ {{{ " "" [[[ \\""" ((( """) }', 2)).toBe(false);
    expect(nestingExceeds('{ a(s: """\n{{{\n""") { b } }', 2)).toBe(false);
    expect(nestingExceeds('{ a(s: """ \\""" """ { { { ) }', 2)).toBe(true);
  });

  it('does not count brackets in comments, to the end of the line (\\n or \\r)', () => {
    expect(nestingExceeds('# {{{{{\n{ a }', 1)).toBe(false);
    expect(nestingExceeds('# {{{{{\r{ a }', 1)).toBe(false);
    expect(nestingExceeds('{ a # }}}}\n { b { c } } }', 2)).toBe(true);
  });

  it('a string ends at a newline (it cannot hold one): what follows counts', () => {
    expect(nestingExceeds('{ a(s: "{{{\n { { ) }', 3)).toBe(true);
  });

  it('scans a huge document (two million brackets) without exhausting the stack', () => {
    const text = `${'{'.repeat(1_000_000)}${'}'.repeat(1_000_000)}`;
    expect(nestingExceeds(text, 1000)).toBe(true);
    expect(nestingExceeds(`"${text}"`, 1)).toBe(false);
  });

  /**
   * The document as a String object whose every property read (a character, its code, `length`, a
   * method) is counted, and refused past `budget`: a scan that is not linear fails at once, on any
   * machine. Timings never go into tests (bench/ measures speed): the reads are counted instead.
   */
  function counted(text: string, budget: number): string {
    let reads = 0;
    return new Proxy(new String(text), {
      get(target, property) {
        if (++reads > budget) throw new Error(`read a document of ${text.length} characters more than ${budget} times`);
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as unknown as string;
  }
  /** Reads allowed per character of the document: any single pass fits, a second pass per character does not. */
  const READS_PER_CHARACTER = 10;

  it('scans a document in one pass (strings, block strings and comments included), and stops once past the limit: reads counted, not timed', () => {
    const deep = `${'{'.repeat(50_000)}${'}'.repeat(50_000)}`;
    expect(nestingExceeds(counted(deep, READS_PER_CHARACTER * 1001), 1000)).toBe(true);
    expect(nestingExceeds(counted(`"${deep}"`, READS_PER_CHARACTER * (deep.length + 2)), 1)).toBe(false);
    const mixed = `{ a(s: """ {{{ \\""" [[ """, t: "\\"{{ [[", u: 1) # {{{ ((\n { b } }\n`.repeat(5_000);
    expect(nestingExceeds(counted(mixed, READS_PER_CHARACTER * mixed.length), 2)).toBe(false);
    expect(nestingExceeds(counted(mixed, READS_PER_CHARACTER * mixed.length), 1)).toBe(true);
  });
});

describe('wellFormedInputRule', () => {
  const inputSchema = buildSchema(`
    type Query {
      centre(id: ID!): String
      search(text: String, ids: [ID!], matrix: [[ID]], filter: Filter, count: Int): String
    }
    input Filter { id: ID, name: String, tags: [String!], nested: Filter }
  `);
  const UUID = '0b7d5c3e-6a84-4b8e-9f2a-2d6e4c1a9b10';
  const problemsOf = (text: string) => {
    const errors = validate(inputSchema, parse(text), [wellFormedInputRule()]);
    expect(errors.length).toBeLessThanOrEqual(1);
    if (errors.length === 0) return [];
    expect(errors[0].message).toBe('Invalid input');
    expect(errors[0].extensions.code).toBe(ErrorCode.BAD_USER_INPUT);
    return errors[0].extensions.fields;
  };

  it('accepts UUIDs (any case), variables, null and strings without NUL', () => {
    expect(problemsOf(`{ centre(id: "${UUID}") }`)).toEqual([]);
    expect(problemsOf(`{ centre(id: "${UUID.toUpperCase()}") }`)).toEqual([]);
    expect(problemsOf('query($id: ID!) { centre(id: $id) }')).toEqual([]);
    expect(problemsOf(`{ search(text: "a{b}", ids: null, filter: { id: null, name: "x", nested: { id: "${UUID}" } }) }`)).toEqual([]);
  });

  it('refuses an id literal that is not a UUID, string or integer', () => {
    expect(problemsOf('{ centre(id: "centre-1") }')).toEqual([{ field: 'id', problems: [ID_PROBLEM] }]);
    expect(problemsOf('{ centre(id: 123) }')).toEqual([{ field: 'id', problems: [ID_PROBLEM] }]);
    expect(problemsOf(`{ centre(id: "${UUID} ") }`)).toEqual([{ field: 'id', problems: [ID_PROBLEM] }]);
  });

  it('leaves other kinds of literal to the spec\'s own rules', () => {
    expect(problemsOf('{ centre(id: true) }')).toEqual([]);
    expect(problemsOf('{ centre(id: 1.5) }')).toEqual([]);
    expect(problemsOf('{ search(count: 3) }')).toEqual([]);
  });

  it('refuses NUL in any string literal, naming the path through lists and input objects', () => {
    expect(problemsOf('{ search(text: "a\\u0000b") }')).toEqual([{ field: 'text', problems: [NUL_PROBLEM] }]);
    expect(problemsOf(`{ search(ids: ["${UUID}", "x"], matrix: [["${UUID}"], [null, "y"]]) }`)).toEqual([
      { field: 'ids[1]', problems: [ID_PROBLEM] }, { field: 'matrix[1][1]', problems: [ID_PROBLEM] },
    ]);
    expect(problemsOf('{ search(ids: "x") }')).toEqual([{ field: 'ids', problems: [ID_PROBLEM] }]); // a single value for a list
    expect(problemsOf('{ search(filter: { tags: ["ok", "\\u0000"], nested: { id: "\\u0000", name: "n\\u0000", nested: { id: "x" } } }) }')).toEqual([
      { field: 'filter.tags[1]', problems: [NUL_PROBLEM] },
      { field: 'filter.nested.id', problems: [NUL_PROBLEM] },
      { field: 'filter.nested.name', problems: [NUL_PROBLEM] },
      { field: 'filter.nested.nested.id', problems: [ID_PROBLEM] },
    ]);
  });

  it('checks the defaults of variables, by the variable\'s name', () => {
    expect(problemsOf('query($f: Filter = { id: "x" }, $t: String = "\\u0000") { search(filter: $f, text: $t) }')).toEqual([
      { field: 'f.id', problems: [ID_PROBLEM] }, { field: 't', problems: [NUL_PROBLEM] },
    ]);
    expect(problemsOf('query($ids: [ID!] = ["nope"]) { search(ids: $ids) }')).toEqual([{ field: 'ids[0]', problems: [ID_PROBLEM] }]);
  });

  it('ignores arguments the schema does not know (the spec\'s own rule reports them)', () => {
    expect(problemsOf('{ centre(id: "' + UUID + '", other: "x\\u0000") }')).toEqual([]);
  });
});

describe('nulCharacterProblems', () => {
  it('names every string holding NUL by its path', () => {
    expect(nulCharacterProblems({ a: 'x\u0000', b: ['ok', 'n\u0000'], c: { d: { e: '\u0000' } }, f: 1, g: null, h: true, i: 'fine' })).toEqual([
      { field: 'a', problems: [NUL_PROBLEM] }, { field: 'b[1]', problems: [NUL_PROBLEM] }, { field: 'c.d.e', problems: [NUL_PROBLEM] },
    ]);
    expect(nulCharacterProblems({})).toEqual([]);
  });

  it('property: no problem without NUL; a NUL planted in one string is reported at exactly that path', () => {
    const clean = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value, (_key, inner) => (typeof inner === 'string' ? inner.replace(/\0/g, '') : inner))) as unknown);
    /** Every string in a value, by the path nulCharacterProblems names it with. */
    const stringPaths = (value: unknown, path: string): string[] => {
      if (typeof value === 'string') return [path];
      if (Array.isArray(value)) return value.flatMap((item, index) => stringPaths(item, `${path}[${index}]`));
      if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([name, inner]) => stringPaths(inner, `${path}.${name}`));
      return [];
    };
    const plant = (value: unknown, index: { left: number }): unknown => {
      if (typeof value === 'string') return index.left-- === 0 ? `${value}\u0000` : value;
      if (Array.isArray(value)) return value.map((item) => plant(item, index));
      if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, plant(inner, index)]));
      return value;
    };
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), clean, { maxKeys: 4 }), fc.nat(), (variables, pick) => {
      expect(nulCharacterProblems(variables)).toEqual([]);
      const paths = Object.entries(variables).flatMap(([name, value]) => stringPaths(value, name));
      if (paths.length === 0) return;
      const target = pick % paths.length;
      const index = { left: target };
      const planted = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, plant(value, index)]));
      expect({ planted: paths[target], reported: nulCharacterProblems(planted) }).toEqual({ planted: paths[target], reported: [{ field: paths[target], problems: [NUL_PROBLEM] }] });
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: random documents from a small grammar, measured against a naive expansion.

type Condition = 'include-true' | 'include-false' | 'skip-true' | 'skip-false' | 'include-$v' | 'skip-$v' | 'other';
type PageSize = number | '$n' | null;
type Selection =
  | { kind: 'leaf'; name: 'id' | 'name'; alias: string | null; directive: Condition | null }
  | { kind: 'object'; name: 'child' | 'children' | 'page' | 'paged'; alias: string | null; first: PageSize; directive: Condition | null; sub: Selection[] }
  | { kind: 'inline'; directive: Condition | null; sub: Selection[] }
  | { kind: 'spread'; target: number; directive: Condition | null };

interface GeneratedDocument {
  operation: Selection[];
  /** Fragment i spreads only fragments after it: no cycles. */
  fragments: Selection[][];
  variables: { v?: boolean; n?: number | null };
  nDefault: number | null;
}

const condition = fc.option(fc.constantFrom<Condition>('include-true', 'include-false', 'skip-true', 'skip-false', 'include-$v', 'skip-$v', 'other'), { freq: 3 });
const alias = fc.option(fc.constantFrom('a', 'b', 'c'), { freq: 2 });
const { selections: selectionsArb } = fc.letrec<{ selections: Selection[]; selection: Selection }>((tie) => ({
  selections: fc.array(tie('selection'), { minLength: 1, maxLength: 3 }),
  selection: fc.oneof(
    { maxDepth: 2, depthIdentifier: 'selection' },
    fc.record({ kind: fc.constant('leaf' as const), name: fc.constantFrom('id' as const, 'name' as const), alias, directive: condition }),
    fc.record({ kind: fc.constant('spread' as const), target: fc.nat(), directive: condition }),
    fc.record({
      kind: fc.constant('object' as const), name: fc.constantFrom('child' as const, 'children' as const, 'page' as const, 'paged' as const),
      alias, first: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.constant('$n' as const), fc.constant(null)), directive: condition, sub: tie('selections'),
    }).map((field) => ({
      ...field,
      // child takes no page size; $n (an Int without a field default) is used only on page: see the example on absent variables.
      first: field.name === 'child' || (field.first === '$n' && field.name !== 'page') ? null : field.first,
    })),
    fc.record({ kind: fc.constant('inline' as const), directive: condition, sub: tie('selections') }),
  ),
}));

/** Spreads in fragment i point at a later fragment (or become a leaf in the last one); in the operation, at any. */
function retarget(selections: Selection[], from: number, count: number): Selection[] {
  return selections.map((selection): Selection => {
    if (selection.kind === 'spread') {
      const choices = count - from;
      return choices > 0 ? { ...selection, target: from + (selection.target % choices) } : { kind: 'leaf', name: 'id', alias: null, directive: selection.directive };
    }
    if (selection.kind === 'leaf') return selection;
    return { ...selection, sub: retarget(selection.sub, from, count) };
  });
}

const documentArb: fc.Arbitrary<GeneratedDocument> = fc.record({
  operation: selectionsArb,
  fragments: fc.array(selectionsArb, { maxLength: 4 }),
  v: fc.option(fc.boolean(), { nil: undefined }),
  n: fc.option(fc.oneof(fc.integer({ min: -1, max: 4 }), fc.constant(null)), { nil: undefined }),
  nDefault: fc.option(fc.integer({ min: 0, max: 4 })),
}).map(({ operation, fragments, v, n, nDefault }) => ({
  operation: retarget(operation, 0, fragments.length),
  fragments: fragments.map((fragment, i) => retarget(fragment, i + 1, fragments.length)),
  variables: { ...(v === undefined ? {} : { v }), ...(n === undefined ? {} : { n }) },
  nDefault,
}));

const DIRECTIVE_TEXT: Record<Condition, string> = {
  'include-true': '@include(if: true)', 'include-false': '@include(if: false)', 'skip-true': '@skip(if: true)', 'skip-false': '@skip(if: false)',
  'include-$v': '@include(if: $v)', 'skip-$v': '@skip(if: $v)', other: '@deprecated',
};
function print(selections: Selection[]): string {
  return `{ ${selections.map((s) => {
    const directive = s.directive ? ` ${DIRECTIVE_TEXT[s.directive]}` : '';
    if (s.kind === 'leaf') return `${s.alias ? `${s.alias}: ` : ''}${s.name}${directive}`;
    if (s.kind === 'spread') return `...F${s.target}${directive}`;
    if (s.kind === 'inline') return `...${directive} ${print(s.sub)}`;
    const argument = s.first === null ? '' : `(first: ${s.first})`;
    return `${s.alias ? `${s.alias}: ` : ''}${s.name}${argument}${directive} ${print(s.sub)}`;
  }).join(' ')} }`;
}
const textOf = (d: GeneratedDocument): string => [
  `query Q($v: Boolean, $n: Int${d.nDefault === null ? '' : ` = ${d.nDefault}`}) ${print(d.operation)}`,
  ...d.fragments.map((fragment, i) => `fragment F${i} on Node ${print(fragment)}`),
].join('\n');

/** Every spread replaced by its fragment's selections, as an inline fragment with the spread's directive. */
function expand(selections: Selection[], fragments: Selection[][]): Selection[] {
  return selections.map((s): Selection => {
    if (s.kind === 'spread') return { kind: 'inline', directive: s.directive, sub: expand(fragments[s.target], fragments) };
    if (s.kind === 'leaf') return s;
    return { ...s, sub: expand(s.sub, fragments) };
  });
}

function referenceShape(selections: Selection[]): { depth: number; aliases: number; directives: number } {
  let depth = 0;
  let aliases = 0;
  let directives = 0;
  for (const s of selections) {
    if (s.directive) directives += 1;
    if (s.kind === 'leaf') {
      depth = Math.max(depth, 1);
      if (s.alias) aliases += 1;
    } else if (s.kind === 'object') {
      const below = referenceShape(s.sub);
      depth = Math.max(depth, 1 + below.depth);
      aliases += below.aliases + (s.alias ? 1 : 0);
      directives += below.directives;
    } else if (s.kind === 'inline') {
      const below = referenceShape(s.sub);
      depth = Math.max(depth, below.depth);
      aliases += below.aliases;
      directives += below.directives;
    }
  }
  return { depth, aliases, directives };
}

function excluded(d: GeneratedDocument, directive: Condition | null): boolean {
  const value = (c: Condition) => (c.endsWith('$v') ? d.variables.v : c.endsWith('true'));
  if (directive === null || directive === 'other') return false;
  return directive.startsWith('skip') ? value(directive) === true : value(directive) === false;
}

/** The page size execution would use: the literal; or $n, its default when absent; else the field's default. */
function pageSize(d: GeneratedDocument, s: Extract<Selection, { kind: 'object' }>): number | undefined {
  const fieldDefault = s.name === 'children' ? 3 : s.name === 'paged' ? 20 : undefined;
  let value: number | null | undefined;
  if (s.first === null) value = fieldDefault;
  else if (s.first !== '$n') value = s.first;
  else value = 'n' in d.variables ? d.variables.n : d.nDefault ?? fieldDefault;
  return typeof value === 'number' ? Math.max(value, 0) : undefined;
}

function referenceCost(d: GeneratedDocument, selections: Selection[]): number {
  let cost = 0;
  for (const s of selections) {
    if (excluded(d, s.directive)) continue;
    if (s.kind === 'leaf') cost += 1;
    else if (s.kind === 'inline') cost += referenceCost(d, s.sub);
    else if (s.kind === 'object') {
      const size = pageSize(d, s);
      const below = referenceCost(d, s.sub);
      cost += size === undefined ? 1 + below : 1 + size * Math.max(below, 1);
    }
  }
  return cost;
}

/** Selections a linear measure reads: each selection node of the operation and of every fragment it reaches, once. */
function distinctSelections(d: GeneratedDocument, skipExcluded: boolean): number {
  const reached = new Set<number>();
  const count = (selections: Selection[]): number => selections.reduce((total, s) => {
    if (skipExcluded && excluded(d, s.directive)) return total + 1;
    if (s.kind === 'leaf') return total + 1;
    if (s.kind === 'spread') {
      if (reached.has(s.target)) return total + 1;
      reached.add(s.target);
      return total + 1 + count(d.fragments[s.target]);
    }
    return total + 1 + count(s.sub);
  }, 0);
  return count(d.operation);
}

const expandedSize = (selections: Selection[]): number => selections.reduce((n, s) => n + 1 + (s.kind === 'leaf' || s.kind === 'spread' ? 0 : expandedSize(s.sub)), 0);

describe('query limits: properties', () => {
  const measureOf = (d: GeneratedDocument, budget: number) => {
    const document = parse(textOf(d));
    return new ShapeMeasure(document, budget).operation(operationOf(document));
  };
  const priceOf = (d: GeneratedDocument, budget: number) => {
    const document = parse(textOf(d));
    return costOf(schema, document, operationOf(document), d.variables, LIST_SIZES, budget);
  };
  const small = (d: GeneratedDocument) => expandedSize(expand(d.operation, d.fragments)) <= 5000;

  it('the measured depth, aliases and directives equal those of the expanded operation', () => {
    fc.assert(fc.property(documentArb.filter(small), (d) => {
      const expected = referenceShape(expand(d.operation, d.fragments));
      const shape = measureOf(d, INFINITE);
      expect({ document: textOf(d), shape: { depth: shape.depth, introspectionDepth: shape.introspectionDepth, aliases: shape.aliases, directives: shape.directives } })
        .toEqual({ document: textOf(d), shape: { ...expected, introspectionDepth: expected.depth } });
    }), RUNS);
  });

  it('the cost equals that of the expanded operation, with page sizes, defaults and @include/@skip as execution reads them', () => {
    fc.assert(fc.property(documentArb.filter(small), (d) => {
      const expected = referenceCost(d, expand(d.operation, d.fragments));
      expect({ document: textOf(d), variables: d.variables, cost: priceOf(d, INFINITE) })
        .toEqual({ document: textOf(d), variables: d.variables, cost: { cost: expected, introspectionCost: 0 } });
    }), RUNS);
  });

  it('measuring is linear: a budget of the document\'s distinct selections suffices, one less does not', () => {
    fc.assert(fc.property(documentArb, (d) => {
      const context = `${textOf(d)}\nvariables ${JSON.stringify(d.variables)}`;
      const shapeBudget = distinctSelections(d, false);
      const costBudget = distinctSelections(d, true);
      const outcome = (measure: () => unknown) => {
        try {
          measure();
          return 'measured';
        } catch (error) {
          if (error instanceof UnmeasurableDocument) return 'over budget';
          throw error;
        }
      };
      expect({ context, shape: outcome(() => measureOf(d, shapeBudget)), shapeBelow: outcome(() => measureOf(d, shapeBudget - 1)) })
        .toEqual({ context, shape: 'measured', shapeBelow: 'over budget' });
      expect({ context, cost: outcome(() => priceOf(d, costBudget)), costBelow: outcome(() => priceOf(d, costBudget - 1)) })
        .toEqual({ context, cost: 'measured', costBelow: 'over budget' });
    }), RUNS);
  });

  it('nestingExceeds agrees with the depth of bracket tokens as graphql-js\'s lexer reads them', () => {
    const piece = fc.constantFrom(
      '{', '}', '[', ']', '(', ')', 'a', '$x', '1', ':', '"s{[("', '"\\"{"', '"\\\\"', '""', '"a}])"', '"""b{[(\n)"""', '"""x \\""" {{ ""[ """',
      '""" """', '# c{[(\n', '# }\r', '#\n', '"\\u007B"',
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
      const text = pieces.join(' ');
      const lexer = new Lexer(new Source(text));
      let depth = 0;
      let deepest = 0;
      for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
        if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) deepest = Math.max(deepest, ++depth);
        else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) depth -= 1;
      }
      for (let max = 0; max <= deepest + 1; max++) {
        if (nestingExceeds(text, max) !== deepest > max) {
          throw new Error(`nestingExceeds(${JSON.stringify(text)}, ${max}) = ${nestingExceeds(text, max)}, but the lexer's deepest nesting is ${deepest}`);
        }
      }
    }), RUNS);
  });
});
