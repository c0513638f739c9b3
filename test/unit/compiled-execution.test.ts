import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSchema, getOperationAST, parse, type ExecutionResult } from 'graphql';
import { compiledExecution } from '../../src/http/compiled-execution';

/**
 * The executor behind Apollo: compiled (graphql-jit) for queries it handles exactly like graphql-js,
 * graphql-js for the rest. Each case would fail if the wrong path ran.
 */
const schema = buildSchema(`
  input Window { from: String!, to: String }
  input Paging { first: Int! = 20 }
  type Query {
    echo(window: Window, tags: [String!]): String
    page(paging: Paging!): Int
    count(n: Int!): Int
  }
  type Mutation { touch(paging: Paging!): Int }
`);
const root = {
  echo: ({ window, tags }: { window?: { from: string; to?: string }; tags?: string[] }) => `${window?.from}-${window?.to ?? 'open'}-${(tags ?? []).join('+')}`,
  page: ({ paging }: { paging: { first: number } }) => paging.first,
  count: ({ n }: { n: number }) => n * 2,
  touch: ({ paging }: { paging: { first: number } }) => paging.first,
};
for (const [field, resolve] of Object.entries(root)) {
  const type = field === 'touch' ? schema.getMutationType()! : schema.getQueryType()!;
  type.getFields()[field].resolve = (_source, args) => (resolve as (args: unknown) => unknown)(args);
}

async function run(query: string, variables: Record<string, unknown> = {}): Promise<ExecutionResult> {
  const { executor } = await compiledExecution(schema).load({ apollo: { keyHash: '', graphRef: '' } } as never);
  const document = parse(query);
  const operation = getOperationAST(document)!;
  return executor!({ document, operation, operationName: operation.name?.value ?? null, request: { query, variables }, context: {} } as unknown as GatewayGraphQLRequestContext) as Promise<ExecutionResult>;
}

describe('compiled execution', () => {
  it('answers a query with scalar and input-object variables', async () => {
    expect(await run('query($w: Window, $t: [String!]) { echo(window: $w, tags: $t) }', { w: { from: 'a' }, t: ['x', 'y'] }))
      .toEqual({ data: { echo: 'a-open-x+y' } });
  });

  it('fills in the defaults of input fields (graphql-jit would not: such operations run on graphql-js)', async () => {
    expect(await run('query($p: Paging!) { page(paging: $p) }', { p: {} })).toEqual({ data: { page: 20 } });
    expect(await run('{ page(paging: {}) }')).toEqual({ data: { page: 20 } });
    expect(await run('mutation($p: Paging!) { touch(paging: $p) }', { p: {} })).toEqual({ data: { touch: 20 } });
  });

  it('refuses bad variables with graphql-js\'s errors, which carry the variable\'s node', async () => {
    const result = await run('query($n: Int!) { count(n: $n) }', { n: 'three' });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].message).toMatch(/^Variable "\$n" got invalid value "three"/);
    expect(result.errors?.[0].nodes?.[0].kind).toBe('VariableDefinition');
  });

  it('fills in the defaults an operation declares for variables the request leaves out', async () => {
    expect(await run('query($n: Int! = 5) { count(n: $n) }')).toEqual({ data: { count: 10 } });
    expect(await run('query($n: Int! = 5) { count(n: $n) }', { n: 1 })).toEqual({ data: { count: 2 } });
    expect(await run('query($w: Window = { from: "d" }) { echo(window: $w) }')).toEqual({ data: { echo: 'd-open-' } });
  });

  it('runs the same document again with other variables', async () => {
    const query = 'query($n: Int!) { count(n: $n) }';
    expect(await run(query, { n: 2 })).toEqual({ data: { count: 4 } });
    expect(await run(query, { n: 5 })).toEqual({ data: { count: 10 } });
  });
});
