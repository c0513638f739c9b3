import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSchema, execute, getOperationAST, parse, type DocumentNode, type ExecutionResult } from 'graphql';
import { compileQuery, type CompiledQuery } from 'graphql-jit';
import { compiledExecution } from '../../src/http/compiled-execution';

/**
 * Proof that the compiled path runs (src/platform/compiled-execution.ts): graphql-jit's
 * compileQuery and graphql-js's execute are wrapped in spies, and every compiled query's `query`
 * function too, so each test sees which engine produced the answer it got. The answers alone
 * (test/unit/compiled-execution.test.ts) are the same on both paths; these tests fail if read
 * operations stopped being compiled, stopped running through the compiled function, were
 * compiled again for every request, or if mutations left graphql-js.
 */

jest.mock('graphql-jit', () => {
  const actual = jest.requireActual<typeof import('graphql-jit')>('graphql-jit');
  return {
    ...actual,
    compileQuery: jest.fn((...args: Parameters<typeof actual.compileQuery>) => {
      const compiled = actual.compileQuery(...args);
      if ('query' in compiled) {
        const query = compiled.query;
        compiled.query = jest.fn((...queryArgs: Parameters<typeof query>) => query(...queryArgs));
      }
      return compiled;
    }),
  };
});
jest.mock('graphql', () => {
  const actual = jest.requireActual<typeof import('graphql')>('graphql');
  return { ...actual, execute: jest.fn(actual.execute) };
});

const compileSpy = jest.mocked(compileQuery);
const executeSpy = jest.mocked(execute);

const schema = buildSchema(`
  input Paging { first: Int! = 20 }
  type Item { n: Int! }
  type Query {
    items(count: Int!): [Item!]!
    page(paging: Paging!): Int
    hello: String
  }
  type Mutation { bump(by: Int!): Int }
`);
const resolvers: Record<string, (args: any) => unknown> = {
  items: ({ count }) => Array.from({ length: count }, (_, n) => ({ n })),
  page: ({ paging }) => paging.first,
  hello: () => 'hej',
  bump: ({ by }) => by + 1,
};
for (const type of [schema.getQueryType()!, schema.getMutationType()!]) {
  for (const field of Object.values(type.getFields())) field.resolve = (_source, args) => resolvers[field.name](args);
}

let executor: GatewayExecutor;
beforeAll(async () => {
  executor = (await compiledExecution(schema).load({ apollo: { keyHash: '', graphRef: '' } } as never)).executor!;
});
beforeEach(() => jest.clearAllMocks());

/** What Apollo hands the gateway executor: the parsed document (the same object for the same text, from its cache). */
function run(document: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string): Promise<ExecutionResult> {
  const operation = getOperationAST(document, operationName)!;
  return executor({
    document, operation, operationName: operationName ?? operation.name?.value ?? null, request: { variables }, context: {},
  } as unknown as GatewayGraphQLRequestContext) as Promise<ExecutionResult>;
}

/** The spy on the `query` function of the i-th query graphql-jit compiled during this test. */
function compiledQuery(i: number): jest.Mock {
  const result = compileSpy.mock.results[i];
  expect(result?.type).toBe('return');
  return (result.value as CompiledQuery).query as jest.Mock;
}

describe('compiled execution runs graphql-jit for reads', () => {
  it('compiles a query and answers with what the compiled function returned; graphql-js does not run', async () => {
    const document = parse('query Items($c: Int!) { items(count: $c) { n } hello }');
    const result = await run(document, { c: 3 });
    expect(result).toEqual({ data: { items: [{ n: 0 }, { n: 1 }, { n: 2 }], hello: 'hej' } });
    expect(compileSpy).toHaveBeenCalledTimes(1);
    expect(compileSpy).toHaveBeenCalledWith(schema, document, 'Items');
    const query = compiledQuery(0);
    expect(query).toHaveBeenCalledTimes(1);
    expect(query).toHaveBeenCalledWith(undefined, {}, { c: 3 });
    expect(result).toBe(await query.mock.results[0].value);
    expect(executeSpy).not.toHaveBeenCalled();
  });

  it('compiles a document once and runs the same compiled function for every request', async () => {
    const document = parse('query($c: Int!) { items(count: $c) { n } }');
    expect(await run(document, { c: 1 })).toEqual({ data: { items: [{ n: 0 }] } });
    expect(await run(document, { c: 2 })).toEqual({ data: { items: [{ n: 0 }, { n: 1 }] } });
    expect(await run(document, { c: 0 })).toEqual({ data: { items: [] } });
    expect(compileSpy).toHaveBeenCalledTimes(1);
    expect(compiledQuery(0)).toHaveBeenCalledTimes(3);
    expect(executeSpy).not.toHaveBeenCalled();
  });

  it('compiles each named operation of a document on its own', async () => {
    const document = parse('query A { hello } query B { items(count: 1) { n } }');
    expect(await run(document, {}, 'B')).toEqual({ data: { items: [{ n: 0 }] } });
    expect(await run(document, {}, 'A')).toEqual({ data: { hello: 'hej' } });
    expect(compileSpy.mock.calls.map((call) => call[2])).toEqual(['B', 'A']);
    expect(compiledQuery(0)).toHaveBeenCalledTimes(1);
    expect(compiledQuery(1)).toHaveBeenCalledTimes(1);
    expect(executeSpy).not.toHaveBeenCalled();
  });

  it('refuses bad variables before the compiled function runs', async () => {
    const document = parse('query($c: Int!) { items(count: $c) { n } }');
    const result = await run(document, { c: 'three' });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].message).toMatch(/^Variable "\$c" got invalid value "three"/);
    expect(compiledQuery(0)).not.toHaveBeenCalled();
    expect(executeSpy).not.toHaveBeenCalled();
  });
});

describe('compiled execution leaves the rest to graphql-js', () => {
  it('runs a mutation on graphql-js, without compiling it', async () => {
    const document = parse('mutation($by: Int!) { bump(by: $by) }');
    expect(await run(document, { by: 41 })).toEqual({ data: { bump: 42 } });
    expect(compileSpy).not.toHaveBeenCalled();
    expect(executeSpy).toHaveBeenCalledTimes(1);
    expect(executeSpy.mock.calls[0][0]).toMatchObject({ schema, document, variableValues: { by: 41 } });
  });

  it('runs a query with an input type that has field defaults on graphql-js (graphql-jit would not fill them in)', async () => {
    const document = parse('query($p: Paging!) { page(paging: $p) }');
    expect(await run(document, { p: {} })).toEqual({ data: { page: 20 } });
    expect(await run(parse('{ page(paging: {}) }'))).toEqual({ data: { page: 20 } });
    expect(compileSpy).not.toHaveBeenCalled();
    expect(executeSpy).toHaveBeenCalledTimes(2);
  });
});
