import { getIntrospectionQuery } from 'graphql';
import request from 'supertest';
import { createTenant, type TestTenant } from '../factories/tenants';
import { errorCode, gql } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs, type WsConnection } from '../helpers/ws-client';
import { runOnWs } from '../helpers/ws-operation';
import { fragmentChain, nestedBraces } from '../support/attack-documents';

/**
 * The documents an attacker sends first, at the default limits: fragment chains that expand to
 * 10^n selections, costly lists hidden behind them, parser recursion, and introspection nesting.
 * Each is refused whole, fast enough that the server keeps answering (a hang fails on the
 * generous deadline), on HTTP and WebSocket alike; none of them runs.
 */
const HANG_DEADLINE_MS = 10_000;

describe('query limits under attack (default limits)', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let ws: WsConnection;

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    ws = connectWs(app.url, tenant.adminToken);
  });
  afterAll(async () => {
    await ws.dispose();
    await app.close();
  });

  /** /healthz answers while the attack document is being refused: the event loop never stalls. */
  async function refusedWhileHealthy(query: string, token?: string): Promise<request.Response> {
    let call = request(app.url).post('/graphql').set('content-type', 'application/json').set('accept', 'application/graphql-response+json');
    if (token) call = call.set('authorization', `Bearer ${token}`);
    const [answer, health] = await Promise.all([call.send({ query }).timeout(HANG_DEADLINE_MS), request(app.url).get('/healthz').timeout(HANG_DEADLINE_MS)]);
    expect(health.status).toBe(200);
    return answer;
  }

  it('answers a fragment chain without a token 401 before reading it (731-byte class)', async () => {
    const response = await refusedWhileHealthy(fragmentChain(9));
    expect(response.status).toBe(401);
    expect(response.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a fragment chain with a token as QUERY_TOO_COMPLEX, measuring each fragment once (815-byte class)', async () => {
    const response = await refusedWhileHealthy(fragmentChain(9), tenant.adminToken);
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    const longer = await refusedWhileHealthy(fragmentChain(60, 3), tenant.adminToken);
    expect(longer.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('fails closed on cost: thirty costly lists plus a cheap 10^4-node chain are refused, not run', async () => {
    // An agenda page is priced by its rows (a flat page): thirty of 1,000 rows each are 30,000 rows.
    const lists = Array.from({ length: 30 }, (_, i) => `a${i}: appointments(first: 1000) { nodes { id start } }`).join(' ');
    const chain = fragmentChain(5).replace('query{...F0}', `query{ ${lists} ...F0 }`);
    const response = await refusedWhileHealthy(chain, tenant.adminToken);
    expect(response.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });
    expect(response.body.data).toBeUndefined();
    // Priced with variables too: a page size given as a variable counts like a literal one.
    const paged = await gql(app, 'query($n: Int) { a: appointments(first: $n) { nodes { id } } b: appointments(first: $n) { nodes { id } } }', { n: 1000 }, tenant.adminToken);
    expect(paged.errors).toBeUndefined();
    const tooMany = Array.from({ length: 30 }, (_, i) => `a${i}: appointments(first: $n) { nodes { id } }`).join(' ');
    expect(errorCode(await gql(app, `query($n: Int) { ${tooMany} }`, { n: 1000 }, tenant.adminToken))).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a fragment cycle without looping', async () => {
    const response = await refusedWhileHealthy('query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }', tenant.adminToken);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers 3,000 nested braces GRAPHQL_PARSE_FAILED with its own message, not the engine\'s', async () => {
    const response = await refusedWhileHealthy(nestedBraces(3000), tenant.adminToken);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(response.body.errors[0].message).toMatch(/nests deeper than \d+ levels/);
    expect(JSON.stringify(response.body)).not.toMatch(/call stack/i);
  });

  it('refuses too many directives, counted where fragments expand them', async () => {
    const directives = Array.from({ length: 51 }, () => '@include(if: true)').join(' ');
    expect(errorCode(await gql(app, `{ __typename ${directives} }`, {}, tenant.adminToken))).toBe('QUERY_TOO_COMPLEX');
    const spread = `{ ${Array.from({ length: 26 }, () => '...D').join(' ')} } fragment D on Query { __typename @include(if: true) @skip(if: false) }`;
    expect(errorCode(await gql(app, spread, {}, tenant.adminToken))).toBe('QUERY_TOO_COMPLEX');
  });

  it('applies the same rules on WebSocket', async () => {
    for (const query of [fragmentChain(9), nestedBraces(3000)]) {
      const outcome = await runOnWs(ws, query);
      expect(outcome.results).toEqual([]);
      expect(['QUERY_TOO_COMPLEX', 'GRAPHQL_PARSE_FAILED']).toContain(outcome.errors?.[0]?.extensions?.code);
    }
  });

  describe('introspection', () => {
    const standard = getIntrospectionQuery();
    const everything = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });

    it.each([['graphql-js\'s standard query', standard], ['the query with every option (GraphiQL\'s)', everything]])('answers %s at the default limits, on HTTP and WebSocket', async (_name, query) => {
      const http = await gql<{ __schema: { types: Array<{ name: string }> } }>(app, query, {}, tenant.adminToken);
      expect(http.errors).toBeUndefined();
      expect(http.data!.__schema.types.map((type) => type.name)).toContain('Availability');
      const outcome = await runOnWs(ws, query);
      expect(outcome.errors).toBeUndefined();
      expect(outcome.results[0]?.data).toBeTruthy();
    });

    it('refuses nested introspection lists, and prices introspection as its answer multiplies', async () => {
      const nested = `{ __schema { types { inputFields { type { inputFields { type { enumValues { name } inputFields { name } } } } } } } }`;
      const refused = await gql(app, nested, {}, tenant.adminToken);
      expect(['QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED']).toContain(errorCode(refused));
      expect(refused.data ?? null).toBeNull();
      // Three full introspections in one operation: within every depth rule, over the allowance of two.
      const fragments = everything.slice(everything.indexOf('fragment FullType'));
      const thrice = `{ a: __schema { types { ...FullType } } b: __schema { types { ...FullType } } c: __schema { types { ...FullType } } } ${fragments}`;
      const response = await gql(app, thrice, {}, tenant.adminToken);
      expect(errorCode(response)).toBe('QUERY_TOO_COMPLEX');
      expect(response.errors![0]!.extensions).toMatchObject({ limit: 'introspection' });
      const once = `{ a: __schema { types { ...FullType } } } ${fragments}`;
      expect((await gql(app, once, {}, tenant.adminToken)).errors).toBeUndefined();
    });
  });
});
