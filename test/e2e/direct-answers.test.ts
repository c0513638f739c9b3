import { ApolloServer } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { FailingTestResolver } from '../helpers/test-resolvers';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The transport answers admitted operations itself, without Apollo's request pipeline
 * (src/http/direct-execution.ts), and hands Apollo what it cannot answer alone. A client must not
 * be able to tell the two apart: here every request is sent twice, once as it is (the direct path)
 * and once with `"extensions": {}` (which Apollo answers), and the two answers must be the same
 * status, headers and body, byte for byte once the per-request ids are set aside.
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const PER_REQUEST_HEADERS = new Set(['date', 'x-request-id']);

interface Sent {
  status: number;
  headers: Record<string, string>;
  body: string;
}

let app: TestServer;
let tenant: TestTenant;
let viewerToken: string;
const apolloCalls = jest.spyOn(ApolloServer.prototype, 'executeHTTPGraphQLRequest');

beforeAll(async () => {
  app = await startTestServer({ config: { CORS_ORIGINS: ['https://app.careslot.example'] }, extraResolvers: [FailingTestResolver] });
  tenant = await createTenant(app);
  viewerToken = (await createStaff(app, tenant, ['VIEWER'])).token;
});
afterAll(async () => {
  await app?.close();
});
beforeEach(() => apolloCalls.mockClear());

async function send(body: Record<string, unknown>, headers: Record<string, string>, token: string): Promise<Sent> {
  let call = request(app.url).post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${token}`);
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  const response = await call.send(JSON.stringify(body));
  const kept = Object.entries(response.headers as Record<string, string>).filter(([name]) => !PER_REQUEST_HEADERS.has(name));
  return { status: response.status, headers: Object.fromEntries(kept), body: response.text.replace(UUID, '<id>') };
}

/** The answer on the direct path and Apollo's answer to the same request. */
async function bothWays(body: Record<string, unknown>, headers: Record<string, string> = {}, token = tenant.adminToken): Promise<{ direct: Sent; apollo: Sent }> {
  const direct = await send(body, headers, token);
  const apollo = await send({ ...body, extensions: {} }, headers, token);
  return { direct, apollo };
}

describe('answers the transport gives itself are Apollo’s answers', () => {
  it.each([
    ['no Accept header', {}],
    ['application/json', { accept: 'application/json' }],
    ['application/graphql-response+json', { accept: 'application/graphql-response+json' }],
    ['the GraphQL-over-HTTP recommendation', { accept: 'application/graphql-response+json, application/json;q=0.9' }],
    ['*/*', { accept: '*/*' }],
    ['the callback protocol', { accept: 'application/json; callbackSpec=1.0' }],
    ['an allowed origin', { origin: 'https://app.careslot.example' }],
    ['another origin', { origin: 'https://elsewhere.example' }],
  ])('a query that succeeds (%s), answered without Apollo', async (_name, headers) => {
    const { direct, apollo } = await bothWays({ query: '{ viewer { kind } }' }, headers);
    expect(direct.status).toBe(200);
    expect(JSON.parse(direct.body)).toEqual({ data: { viewer: { kind: 'STAFF_USER' } } });
    expect(direct).toEqual(apollo);
    // Apollo ran only for the second request of the pair.
    expect(apolloCalls).toHaveBeenCalledTimes(1);
  });

  it('a query with variables, null variables and a named operation of several', async () => {
    const centre = await request(app.url).post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${tenant.adminToken}`)
      .send({ query: 'mutation($input: CreateCentreInput!) { createCentre(input: $input) { id } }', variables: { input: { name: 'Direct centre', timeZone: 'Europe/Stockholm' } } });
    const centreId = (centre.body as { data: { createCentre: { id: string } } }).data.createCentre.id;
    const document = 'query A($id: ID!) { centre(id: $id) { name timeZone } } query B { viewer { kind } }';
    for (const body of [
      { query: document, operationName: 'A', variables: { id: centreId } },
      { query: document, operationName: 'B', variables: null },
      { query: 'query($first: Int = 5) { users(first: $first) { nodes { displayName } } }', variables: {} },
    ]) {
      const { direct, apollo } = await bothWays(body);
      expect(direct.status).toBe(200);
      expect(JSON.parse(direct.body).errors).toBeUndefined();
      expect(direct).toEqual(apollo);
    }
    expect(apolloCalls).toHaveBeenCalledTimes(3);
  });

  it('a mutation that succeeds', async () => {
    const createUser = 'mutation($input: CreateUserInput!) { createUser(input: $input) { email roles } }';
    const input = () => ({ email: `direct-${randomUUID().slice(0, 8)}@test.example`, displayName: 'Direct', roles: ['VIEWER'] });
    const direct = await send({ query: createUser, variables: { input: { ...input(), email: 'direct-1@test.example' } } }, {}, tenant.adminToken);
    const apollo = await send({ query: createUser, variables: { input: { ...input(), email: 'direct-2@test.example' } }, extensions: {} }, {}, tenant.adminToken);
    expect(direct.status).toBe(200);
    expect(direct.body.replace('direct-1', 'direct-2')).toBe(apollo.body);
    expect({ ...direct, body: '' }).toEqual({ ...apollo, body: '' });
    expect(apolloCalls).toHaveBeenCalledTimes(1);
  });
});

describe('what the transport hands to Apollo is answered as before', () => {
  it.each([
    ['a resolver that throws (masked, with the request id)', { query: '{ canaryError }' }, asAdmin],
    ['a field error beside data', { query: '{ viewer { kind } canaryAsync }' }, asAdmin],
    ['a centre that does not exist', { query: 'query($id: ID!) { centre(id: $id) { name } }', variables: { id: randomUUID() } }, asAdmin],
    ['a mutation the caller may not make', { query: 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', variables: { input: { email: 'never@test.example', displayName: 'Never', roles: ['VIEWER'] } } }, asViewer],
    ['input that fails validation', { query: 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', variables: { input: { email: 'not an email', displayName: '', roles: ['VIEWER'] } } }, asAdmin],
    ['a missing variable (nothing runs)', { query: 'query($id: ID!) { centre(id: $id) { name } }', variables: {} }, asAdmin],
    ['a variable of the wrong type (nothing runs)', { query: 'query($first: Int) { users(first: $first) { nodes { id } } }', variables: { first: 'many' } }, asAdmin],
  ])('%s', async (_name, body, token) => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const { direct, apollo } = await bothWays(body, { accept }, token());
      expect(JSON.parse(direct.body).errors?.length).toBeGreaterThan(0);
      expect(direct).toEqual(apollo);
    }
  });

  it('an Accept header that takes no JSON: 406 from Apollo, nothing run', async () => {
    const { direct, apollo } = await bothWays({ query: '{ viewer { kind } }' }, { accept: 'text/html' });
    expect(direct.status).toBe(406);
    expect(direct).toEqual(apollo);
  });

  it.each([
    ['variables as a string', { query: '{ viewer { kind } }', variables: '{}' }],
    ['variables as a list', { query: '{ viewer { kind } }', variables: [] }],
    ['operationName as a number', { query: '{ viewer { kind } }', operationName: 1 }],
  ])('parameters Apollo refuses: %s', async (_name, body) => {
    const direct = await send(body, {}, tenant.adminToken);
    expect(direct.status).toBe(400);
    expect(apolloCalls).toHaveBeenCalledTimes(1);
  });
});

function asAdmin(): string {
  return tenant.adminToken;
}

function asViewer(): string {
  return viewerToken;
}
