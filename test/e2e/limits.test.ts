
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import WebSocket from 'ws';
import type { Config } from '../../src/config';
import { instantiateResolvers, RESOLVERS } from '../../src/resolvers';
import { buildCareslotSchema } from '../../src/schema/build-schema';
import type { Services } from '../../src/services';
import { createTenant, type TestTenant } from '../factories/tenants';
import { errorCode, gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { LimitsTestResolver } from '../helpers/test-resolvers';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs, type WsConnection } from '../helpers/ws-client';
import { runOnWs, type WsOutcome } from '../helpers/ws-operation';

/**
 * Every configurable limit, at its edge: exactly the limit is accepted, one more is
 * rejected, on HTTP and on WebSocket alike. A rejection never carries data.
 */

const LIMITS = {
  MAX_DEPTH: 4,
  MAX_ALIASES: 5,
  MAX_COST: 41,
  MAX_TOKENS: 100,
  BODY_LIMIT_BYTES: 2048,
  WS_MAX_SUBSCRIPTIONS: 3,
  WS_MAX_MESSAGE_BYTES: 4096,
  WS_INIT_TIMEOUT_MS: 300,
} satisfies Partial<Config>;

// ---------------------------------------------------------------------------------------------
// Documents of an exact size.

/** The selection below a root field that makes the operation exactly `depth` deep (root = 1, `n` = the last). */
const nested = (depth: number): string => `${'child { '.repeat(depth - 2)}n${' }'.repeat(depth - 2)}`;
const depthQuery = (depth: number): string => `{ testNode { ${nested(depth)} } }`;
const depthSubscription = (depth: number): string => `subscription { testTicks { ${nested(depth)} } }`;
const depthThroughFragment = (depth: number): string => `{ testNode { ...Deep } } fragment Deep on TestNode { ${nested(depth)} }`;
const depthOfIntrospection = (depth: number): string =>
  `{ __type(name: "TestNode") { ${'ofType { '.repeat(depth - 2)}name${' }'.repeat(depth - 2)} } }`;

const aliased = (count: number, field: string): string => Array.from({ length: count }, (_, i) => `a${i + 1}: ${field}`).join(' ');

/**
 * Cost, as src/http/limits/operation-cost.ts computes it: a field with `first` costs 1 + first × its children,
 * every other field 1 + its children, a leaf 1. So `users(first: N) { nodes { id } }` = 1 + N × 2.
 */
const usersCost = (first: number): number => 1 + first * 2;
const usersQuery = (first: number): string => `{ users(first: ${first}) { nodes { id } } }`;

/** Tokens: `{` `testSum` `(` `values` `:` `[` …values… `]` `)` `}` = 9 + values (commas are not tokens). */
const tokensQuery = (tokens: number): string => `{ testSum(values: [${Array.from({ length: tokens - 9 }, () => '1').join(', ')}]) }`;

// ---------------------------------------------------------------------------------------------
// Outcomes on each transport.

function expectHttpRejected(response: GraphQLResponse, code: string): void {
  expect(response.errors).toBeDefined();
  expect(errorCode(response)).toBe(code);
  expect(response.data ?? null).toBeNull();
}

function expectWsAccepted(outcome: WsOutcome): void {
  expect(outcome.closed).toBeUndefined();
  expect(outcome.errors).toBeUndefined();
  expect(outcome.results.length).toBeGreaterThan(0);
  for (const result of outcome.results) {
    expect(result.errors).toBeUndefined();
    expect(result.data).toBeTruthy();
  }
}

function expectWsRejected(outcome: WsOutcome, code: string): void {
  expect(outcome.closed).toBeUndefined();
  expect(outcome.results).toEqual([]);
  expect(outcome.errors?.[0]?.extensions?.code).toBe(code);
}

/** A raw `graphql-transport-ws` socket: exactly the bytes a test sends, and every message back. */
interface RawSocket {
  socket: WebSocket;
  messages: Array<{ id?: string; type: string; payload?: unknown }>;
  closed: Promise<{ code: number; reason: string }>;
  /** The next message of `type`, or a failure when the socket closes first. */
  waitFor(type: string): Promise<{ id?: string; type: string; payload?: unknown }>;
}

function rawSocket(httpUrl: string): Promise<RawSocket> {
  const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: RawSocket['messages'] = [];
  const listeners: Array<() => void> = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    listeners.splice(0).forEach((listener) => listener());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      listeners.splice(0).forEach((listener) => listener());
    });
  });
  const waitFor: RawSocket['waitFor'] = (type) =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = messages.find((message) => message.type === type);
        if (found) resolve(found);
        else if (socket.readyState >= WebSocket.CLOSING) reject(new Error(`socket closed before a ${type} message`));
        else listeners.push(check);
      };
      check();
    });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages, closed, waitFor }));
    socket.once('error', reject);
  });
}

async function initialisedRawSocket(httpUrl: string, token: string): Promise<RawSocket> {
  const raw = await rawSocket(httpUrl);
  raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await raw.waitFor('connection_ack');
  return raw;
}

/** A graphql-ws subscribe message of exactly `bytes` bytes (the query is padded with spaces). */
function subscribeMessageOfSize(bytes: number, id: string, query: string): string {
  const message = (padding: number): string => JSON.stringify({ id, type: 'subscribe', payload: { query: query + ' '.repeat(padding) } });
  const padding = bytes - Buffer.byteLength(message(0));
  expect(padding).toBeGreaterThanOrEqual(0);
  const sized = message(padding);
  expect(Buffer.byteLength(sized)).toBe(bytes);
  return sized;
}

/** A JSON request body of exactly `bytes` bytes (the query is padded with spaces). */
function bodyOfSize(bytes: number, query: string, variables: Record<string, unknown> = {}): string {
  const body = (padding: number): string => JSON.stringify({ query: query + ' '.repeat(padding), variables });
  const padding = bytes - Buffer.byteLength(body(0));
  expect(padding).toBeGreaterThanOrEqual(0);
  const sized = body(padding);
  expect(Buffer.byteLength(sized)).toBe(bytes);
  return sized;
}

function postRaw(app: TestServer, token: string, body: string): request.Test {
  return request(app.url).post('/graphql')
    .set('content-type', 'application/json').set('accept', 'application/graphql-response+json')
    .set('authorization', `Bearer ${token}`).send(body);
}

async function userEmails(app: TestServer, token: string): Promise<string[]> {
  const data = await gqlOk<{ users: { nodes: Array<{ email: string }> } }>(app, '{ users(first: 20) { nodes { email } } }', {}, token);
  return data.users.nodes.map((user) => user.email);
}

// ---------------------------------------------------------------------------------------------

describe('limits', () => {
  /** Small limits, so that their edges are cheap to reach. */
  let app: TestServer;
  let tenant: TestTenant;
  let ws: WsConnection;

  beforeAll(async () => {
    app = await startTestServer({ config: LIMITS, extraResolvers: [LimitsTestResolver] });
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  beforeEach(() => {
    ws = connectWs(app.url, tenant.adminToken);
  });
  afterEach(() => ws.dispose());

  describe(`query depth (MAX_DEPTH = ${LIMITS.MAX_DEPTH})`, () => {
    const depthDocuments: Array<[string, (depth: number) => string]> = [
      ['nested fields', depthQuery],
      ['a fragment', depthThroughFragment],
    ];

    it.each(depthDocuments)('HTTP: accepts %s exactly at the depth limit, rejects one level more with 400 and no data', async (_name, document) => {
      const atLimit = await gql(app, document(LIMITS.MAX_DEPTH), {}, tenant.adminToken);
      expect(atLimit.errors).toBeUndefined();
      expect(atLimit.data).toBeTruthy();

      const over = await gql(app, document(LIMITS.MAX_DEPTH + 1), {}, tenant.adminToken);
      expect(over.status).toBe(400);
      expect(over.errors?.[0]?.extensions).toMatchObject({ limit: 'depth', max: LIMITS.MAX_DEPTH });
      expect(over.data ?? null).toBeNull();
    });

    it('HTTP: answers a too-deep query with extensions.code QUERY_TOO_COMPLEX, as on WebSocket', async () => {
      expectHttpRejected(await gql(app, depthQuery(LIMITS.MAX_DEPTH + 1), {}, tenant.adminToken), 'QUERY_TOO_COMPLEX');
    });

    it('WebSocket: accepts a subscription exactly at the limit, rejects one level more with QUERY_TOO_COMPLEX', async () => {
      const atLimit = await runOnWs(ws, depthSubscription(LIMITS.MAX_DEPTH));
      expectWsAccepted(atLimit);
      expect(atLimit.results[0]!.data).toEqual({ testTicks: { child: { child: { n: 3 } } } });

      const over = await runOnWs(ws, depthSubscription(LIMITS.MAX_DEPTH + 1));
      expectWsRejected(over, 'QUERY_TOO_COMPLEX');
      expect(over.errors![0]!.extensions).toMatchObject({ limit: 'depth', max: LIMITS.MAX_DEPTH });
    });

    it('WebSocket: counts fragments too', async () => {
      expectWsAccepted(await runOnWs(ws, depthThroughFragment(LIMITS.MAX_DEPTH)));
      expectWsRejected(await runOnWs(ws, depthThroughFragment(LIMITS.MAX_DEPTH + 1)), 'QUERY_TOO_COMPLEX');
    });

    it('measures introspection against its own allowance, not MAX_DEPTH, on both transports', async () => {
      const introspection = depthOfIntrospection(LIMITS.MAX_DEPTH + 3);
      const http = await gql(app, introspection, {}, tenant.adminToken);
      expect(http.errors).toBeUndefined();
      expectWsAccepted(await runOnWs(ws, introspection));
      const tooDeep = depthOfIntrospection(22);
      expect(errorCode(await gql(app, tooDeep, {}, tenant.adminToken))).toBe('QUERY_TOO_COMPLEX');
      expectWsRejected(await runOnWs(ws, tooDeep), 'QUERY_TOO_COMPLEX');
    });
  });

  describe(`aliases (MAX_ALIASES = ${LIMITS.MAX_ALIASES})`, () => {
    const aliasDocuments: Array<[string, (count: number) => string]> = [
      ['of fields', (count) => `{ testNode { ${aliased(count, 'n')} } }`],
      ['of __typename', (count) => `{ ${aliased(count, '__typename')} }`],
      ['of fields and __typename together', (count) => `{ testNode { a0: n } ${aliased(count - 1, '__typename')} }`],
    ];

    it.each(aliasDocuments)('HTTP: accepts exactly the limit of aliases %s, rejects one more with 400 and no data', async (_name, document) => {
      const atLimit = await gql(app, document(LIMITS.MAX_ALIASES), {}, tenant.adminToken);
      expect(atLimit.errors).toBeUndefined();
      expect(atLimit.data).toBeTruthy();

      const over = await gql(app, document(LIMITS.MAX_ALIASES + 1), {}, tenant.adminToken);
      expect(over.status).toBe(400);
      expect(over.errors?.[0]?.extensions).toMatchObject({ limit: 'aliases', max: LIMITS.MAX_ALIASES });
      expect(over.data ?? null).toBeNull();
    });

    it('HTTP: answers too many aliases with extensions.code QUERY_TOO_COMPLEX, as on WebSocket', async () => {
      expectHttpRejected(await gql(app, `{ ${aliased(LIMITS.MAX_ALIASES + 1, '__typename')} }`, {}, tenant.adminToken), 'QUERY_TOO_COMPLEX');
    });

    it.each([['n'], ['__typename']])('WebSocket: accepts exactly the limit of aliases of %s in a subscription, rejects one more', async (field) => {
      expectWsAccepted(await runOnWs(ws, `subscription { testTicks { ${aliased(LIMITS.MAX_ALIASES, field)} } }`));
      const over = await runOnWs(ws, `subscription { testTicks { ${aliased(LIMITS.MAX_ALIASES + 1, field)} } }`);
      expectWsRejected(over, 'QUERY_TOO_COMPLEX');
      expect(over.errors![0]!.extensions).toMatchObject({ limit: 'aliases', max: LIMITS.MAX_ALIASES });
    });
  });

  describe(`query cost (MAX_COST = ${LIMITS.MAX_COST})`, () => {
    // users(first: 20) costs 1 + 20 × 2 = 41, the limit; a __typename (a leaf: 1) beside it makes 42; first: 21 makes 43.
    const pageAtLimit = (LIMITS.MAX_COST - 1) / 2;
    const atLimit = usersQuery(pageAtLimit);
    const onePointOver = `{ users(first: ${pageAtLimit}) { nodes { id } } __typename }`;
    const onePageRowOver = usersQuery(pageAtLimit + 1);

    it('HTTP: accepts a query costing exactly the limit, rejects one costing one more with QUERY_TOO_COMPLEX and no data', async () => {
      const accepted = await gql(app, atLimit, {}, tenant.adminToken);
      expect(accepted.errors).toBeUndefined();
      expect(accepted.data?.users.nodes).toHaveLength(1);

      const over = await gql(app, onePointOver, {}, tenant.adminToken);
      expectHttpRejected(over, 'QUERY_TOO_COMPLEX');
      expect(over.errors![0]!.extensions).toMatchObject({ limit: 'cost', max: LIMITS.MAX_COST, cost: LIMITS.MAX_COST + 1 });

      const largerPage = await gql(app, onePageRowOver, {}, tenant.adminToken);
      expectHttpRejected(largerPage, 'QUERY_TOO_COMPLEX');
      expect(largerPage.errors![0]!.extensions).toMatchObject({ cost: usersCost(pageAtLimit + 1) });
    });

    it('HTTP: costs the page size given in a variable, and the default page size (20) when none is given', async () => {
      const byVariable = 'query($n: Int!) { users(first: $n) { nodes { id } } }';
      expect((await gql(app, byVariable, { n: pageAtLimit }, tenant.adminToken)).errors).toBeUndefined();
      expectHttpRejected(await gql(app, byVariable, { n: pageAtLimit + 1 }, tenant.adminToken), 'QUERY_TOO_COMPLEX');

      expect((await gql(app, '{ users { nodes { id } } }', {}, tenant.adminToken)).errors).toBeUndefined();
      const defaultPagePlusOne = await gql(app, '{ users { nodes { id } } __typename }', {}, tenant.adminToken);
      expectHttpRejected(defaultPagePlusOne, 'QUERY_TOO_COMPLEX');
      expect(defaultPagePlusOne.errors![0]!.extensions).toMatchObject({ cost: LIMITS.MAX_COST + 1 });
    });

    it('HTTP: costs each request by its own variables when they decide what is counted or the page size, however often the document was seen', async () => {
      // The same document text every time: only the variables differ.
      const included = `query($extra: Boolean!, $values: [Int!]!) { users(first: ${pageAtLimit}) { nodes { id } } testSum(values: $values) @include(if: $extra) }`;
      expect((await gql(app, included, { extra: false, values: [1] }, tenant.adminToken)).errors).toBeUndefined();
      expect((await gql(app, included, { extra: false, values: [2] }, tenant.adminToken)).errors).toBeUndefined();
      expectHttpRejected(await gql(app, included, { extra: true, values: [1] }, tenant.adminToken), 'QUERY_TOO_COMPLEX');

      const defaulted = `query($n: Int = ${pageAtLimit + 1}) { users(first: $n) { nodes { id } } }`;
      expect((await gql(app, defaulted, { n: pageAtLimit }, tenant.adminToken)).errors).toBeUndefined();
      expectHttpRejected(await gql(app, defaulted, {}, tenant.adminToken), 'QUERY_TOO_COMPLEX');
    });

    it('HTTP: answers a too-costly query with a 4xx status (the client\'s fault), not 500', async () => {
      const over = await gql(app, onePointOver, {}, tenant.adminToken);
      expect(over.status).toBe(400);
    });

    it('WebSocket: accepts an operation costing exactly the limit, rejects one costing one more', async () => {
      expectWsAccepted(await runOnWs(ws, atLimit));
      const over = await runOnWs(ws, onePointOver);
      expectWsRejected(over, 'QUERY_TOO_COMPLEX');
      expect(over.errors![0]!.extensions).toMatchObject({ limit: 'cost', max: LIMITS.MAX_COST, cost: LIMITS.MAX_COST + 1 });

      const byVariable = 'query($n: Int!) { users(first: $n) { nodes { id } } }';
      expectWsAccepted(await runOnWs(ws, byVariable, { n: pageAtLimit }));
      expectWsRejected(await runOnWs(ws, byVariable, { n: pageAtLimit + 1 }), 'QUERY_TOO_COMPLEX');
    });
  });

  describe(`parser tokens (MAX_TOKENS = ${LIMITS.MAX_TOKENS})`, () => {
    it('HTTP: parses a document of exactly the limit, rejects one token more with 400 GRAPHQL_PARSE_FAILED and no data', async () => {
      const atLimit = await gql(app, tokensQuery(LIMITS.MAX_TOKENS), {}, tenant.adminToken);
      expect(atLimit.errors).toBeUndefined();
      expect(atLimit.data).toEqual({ testSum: LIMITS.MAX_TOKENS - 9 });

      const over = await gql(app, tokensQuery(LIMITS.MAX_TOKENS + 1), {}, tenant.adminToken);
      expect(over.status).toBe(400);
      expectHttpRejected(over, 'GRAPHQL_PARSE_FAILED');
    });

    it('WebSocket: parses a document of exactly the limit, rejects one token more with GRAPHQL_PARSE_FAILED', async () => {
      const atLimit = await runOnWs(ws, tokensQuery(LIMITS.MAX_TOKENS));
      expectWsAccepted(atLimit);
      expect(atLimit.results[0]!.data).toEqual({ testSum: LIMITS.MAX_TOKENS - 9 });
      expectWsRejected(await runOnWs(ws, tokensQuery(LIMITS.MAX_TOKENS + 1)), 'GRAPHQL_PARSE_FAILED');
    });
  });

  describe(`subscriptions per connection (WS_MAX_SUBSCRIPTIONS = ${LIMITS.WS_MAX_SUBSCRIPTIONS})`, () => {
    const longLived = 'subscription { testTicks(count: 1000, intervalMs: 60000) { n } }';

    it('keeps exactly the limit of subscriptions active, rejects one more, and frees a slot when one completes', async () => {
      // Two that stay, one that ends with its second tick (300 ms later: long after the rejection below).
      const active = [ws.subscribe(longLived), ws.subscribe(longLived)];
      for (const subscription of active) expect(await subscription.next()).toEqual({ data: { testTicks: { n: 1 } } });
      const ending = ws.subscribe('subscription { testTicks(count: 2, intervalMs: 300) { n } }');
      expect(await ending.next()).toEqual({ data: { testTicks: { n: 1 } } });

      const rejected = await runOnWs(ws, longLived);
      expectWsRejected(rejected, 'QUERY_TOO_COMPLEX');
      expect(rejected.errors![0]!.extensions).toMatchObject({ limit: 'subscriptions', max: LIMITS.WS_MAX_SUBSCRIPTIONS });
      expect(active.every((subscription) => subscription.errors.length === 0 && !subscription.completed)).toBe(true);

      expect(await ending.next()).toEqual({ data: { testTicks: { n: 2 } } });
      await waitUntil(() => ending.completed);
      const inFreedSlot = ws.subscribe(longLived);
      expect(await inFreedSlot.next()).toEqual({ data: { testTicks: { n: 1 } } });
      expect(inFreedSlot.errors).toEqual([]);
    });

    it('counts subscriptions per connection: another connection of the same caller has its own', async () => {
      const first = [ws.subscribe(longLived), ws.subscribe(longLived), ws.subscribe(longLived)];
      for (const subscription of first) await subscription.next();
      const other = connectWs(app.url, tenant.adminToken);
      try {
        expectWsAccepted(await runOnWs(other, '{ testNode { n } }'));
        const onOther = other.subscribe(longLived);
        expect(await onOther.next()).toEqual({ data: { testTicks: { n: 1 } } });
      } finally {
        await other.dispose();
      }
    });

    it('rejects exactly one of limit + 1 subscriptions sent at once', async () => {
      const burst = Array.from({ length: LIMITS.WS_MAX_SUBSCRIPTIONS + 1 }, () => ws.subscribe(longLived));
      const outcomes = await Promise.all(burst.map(async (subscription) => {
        try {
          await subscription.next(1000);
          return 'active';
        } catch {
          return subscription.errors.length > 0 ? 'rejected' : 'silent';
        }
      }));
      expect(outcomes.filter((outcome) => outcome === 'active')).toHaveLength(LIMITS.WS_MAX_SUBSCRIPTIONS);
      expect(outcomes.filter((outcome) => outcome === 'rejected')).toHaveLength(1);
    });
  });

  describe(`WebSocket message size (WS_MAX_MESSAGE_BYTES = ${LIMITS.WS_MAX_MESSAGE_BYTES})`, () => {
    const query = 'subscription { testTicks { n } }';

    it('accepts a message of exactly the limit', async () => {
      const raw = await initialisedRawSocket(app.url, tenant.adminToken);
      try {
        raw.socket.send(subscribeMessageOfSize(LIMITS.WS_MAX_MESSAGE_BYTES, 'at-limit', query));
        expect(await raw.waitFor('next')).toEqual({ id: 'at-limit', type: 'next', payload: { data: { testTicks: { n: 1 } } } });
        await raw.waitFor('complete');
      } finally {
        raw.socket.close();
      }
    });

    it('closes the socket on a message one byte over the limit (1009), without running it', async () => {
      // graphql-ws reports the socket's "Max payload size exceeded" error with console.error; keep the output clean.
      const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const raw = await initialisedRawSocket(app.url, tenant.adminToken);
        raw.socket.send(subscribeMessageOfSize(LIMITS.WS_MAX_MESSAGE_BYTES + 1, 'over', query));
        const closed = await raw.closed;
        expect(closed.code).toBe(1009);
        expect(raw.messages.map((message) => message.type)).toEqual(['connection_ack']);
      } finally {
        consoleError.mockRestore();
      }
    });
  });

  describe(`connection_init timeout (WS_INIT_TIMEOUT_MS = ${LIMITS.WS_INIT_TIMEOUT_MS})`, () => {
    it('closes a socket that never sends connection_init with 4408', async () => {
      const raw = await rawSocket(app.url);
      const closed = await raw.closed;
      expect(closed.code).toBe(4408);
      expect(raw.messages).toEqual([]);
    });

    it('keeps a socket that sent connection_init open past the timeout', async () => {
      const raw = await initialisedRawSocket(app.url, tenant.adminToken);
      try {
        await new Promise((resolve) => setTimeout(resolve, LIMITS.WS_INIT_TIMEOUT_MS + 100));
        expect(raw.socket.readyState).toBe(WebSocket.OPEN);
        raw.socket.send(JSON.stringify({ id: 'after-timeout', type: 'subscribe', payload: { query: '{ testNode { n } }' } }));
        expect(await raw.waitFor('next')).toEqual({ id: 'after-timeout', type: 'next', payload: { data: { testNode: { n: 0 } } } });
      } finally {
        raw.socket.close();
      }
    });
  });

  describe(`request body size (BODY_LIMIT_BYTES = ${LIMITS.BODY_LIMIT_BYTES})`, () => {
    it('accepts a body of exactly the limit', async () => {
      const response = await postRaw(app, tenant.adminToken, bodyOfSize(LIMITS.BODY_LIMIT_BYTES, '{ testNode { n } }'));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { testNode: { n: 0 } } });
    });

    it('rejects a body one byte over the limit with 413 PAYLOAD_TOO_LARGE, without running it', async () => {
      const email = `too-large-${randomUUID().slice(0, 8)}@test.example`;
      const mutation = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }';
      const body = bodyOfSize(LIMITS.BODY_LIMIT_BYTES + 1, mutation, { input: { email, displayName: 'Too large', roles: ['VIEWER'] } });
      const response = await postRaw(app, tenant.adminToken, body);
      expect(response.status).toBe(413);
      expect(response.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
      expect(response.body.data ?? null).toBeNull();
      expect(await userEmails(app, tenant.adminToken)).not.toContain(email);
    });
  });

  describe('batched HTTP requests', () => {
    it('rejects a JSON array body with 400 BAD_REQUEST, running none of its operations', async () => {
      const email = `batched-${randomUUID().slice(0, 8)}@test.example`;
      const batch = JSON.stringify([
        { query: '{ testNode { n } }' },
        { query: 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', variables: { input: { email, displayName: 'Batched', roles: ['VIEWER'] } } },
      ]);
      const response = await postRaw(app, tenant.adminToken, batch);
      expect(response.status).toBe(400);
      expect(Array.isArray(response.body)).toBe(false);
      expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(response.body.data ?? null).toBeNull();
      expect(await userEmails(app, tenant.adminToken)).not.toContain(email);
    });

    it('rejects a batch of one operation too', async () => {
      const response = await postRaw(app, tenant.adminToken, JSON.stringify([{ query: '{ testNode { n } }' }]));
      expect(response.status).toBe(400);
      expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(response.body.data ?? null).toBeNull();
    });
  });
});

describe('page size', () => {
  let app: TestServer;
  let tenant: TestTenant;

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  it('accepts first: 100', async () => {
    const data = await gqlOk(app, usersQuery(100), {}, tenant.adminToken);
    expect(data.users.nodes).toHaveLength(1);
  });

  it.each([[101], [0], [-1]])('rejects first: %i with BAD_USER_INPUT naming the field, and no data', async (first) => {
    const response = await gql(app, usersQuery(first), {}, tenant.adminToken);
    expectHttpRejected(response, 'BAD_USER_INPUT');
    expect(response.errors![0]!.extensions!.fields).toEqual([{ field: 'first', problems: [expect.any(String)] }]);
  });

  it('rejects first: 101 on WebSocket too', async () => {
    const ws = connectWs(app.url, tenant.adminToken);
    try {
      const outcome = await runOnWs(ws, usersQuery(101));
      // A query over graphql-ws answers field errors in its one result, like HTTP.
      expect(outcome.results).toHaveLength(1);
      expect(outcome.results[0]!.data ?? null).toBeNull();
      expect(outcome.results[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'first' }] });
    } finally {
      await ws.dispose();
    }
  });
});

describe('request rate (RATE_LIMIT_PER_MINUTE = 5)', () => {
  const PER_MINUTE = 5;
  let app: TestServer;

  beforeAll(async () => {
    app = await startTestServer({ config: { RATE_LIMIT_PER_MINUTE: PER_MINUTE }, extraResolvers: [LimitsTestResolver] });
  });
  afterAll(() => app.close());

  it('HTTP: answers the limit of requests, then 429 RATE_LIMITED with retryAfterSeconds and no data', async () => {
    const caller = await createTenant(app);
    for (let i = 0; i < PER_MINUTE; i++) {
      expect((await gql(app, '{ testNode { n } }', {}, caller.adminToken)).errors).toBeUndefined();
    }
    const limited = await gql(app, '{ testNode { n } }', {}, caller.adminToken);
    expect(limited.status).toBe(429);
    expectHttpRejected(limited, 'RATE_LIMITED');
    const retryAfterSeconds = limited.errors![0]!.extensions!.retryAfterSeconds;
    expect(Number.isInteger(retryAfterSeconds)).toBe(true);
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('HTTP: counts per credential: another caller is not limited', async () => {
    const busy = await createTenant(app);
    const other = await createTenant(app);
    for (let i = 0; i <= PER_MINUTE; i++) await gql(app, '{ testNode { n } }', {}, busy.adminToken);
    expect(errorCode(await gql(app, '{ testNode { n } }', {}, busy.adminToken))).toBe('RATE_LIMITED');
    expect((await gql(app, '{ testNode { n } }', {}, other.adminToken)).errors).toBeUndefined();
  });

  it('WebSocket: runs the limit of operations, then rejects the next subscribe with RATE_LIMITED and retryAfterSeconds', async () => {
    const caller = await createTenant(app);
    const ws = connectWs(app.url, caller.adminToken);
    try {
      for (let i = 0; i < PER_MINUTE; i++) expectWsAccepted(await runOnWs(ws, 'subscription { testTicks { n } }'));
      const limited = await runOnWs(ws, 'subscription { testTicks { n } }');
      expectWsRejected(limited, 'RATE_LIMITED');
      expect(limited.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      await ws.dispose();
    }
  });

  it('counts HTTP requests and WebSocket operations of one credential together', async () => {
    const caller = await createTenant(app);
    for (let i = 0; i < PER_MINUTE; i++) await gqlOk(app, '{ testNode { n } }', {}, caller.adminToken);
    const ws = connectWs(app.url, caller.adminToken);
    try {
      expectWsRejected(await runOnWs(ws, '{ testNode { n } }'), 'RATE_LIMITED');
    } finally {
      await ws.dispose();
    }
  });
});

describe('subscriptions in the schema', () => {
  it('builds a schema with a subscription that brings its own subscribe', async () => {
    const resolvers = [...RESOLVERS, LimitsTestResolver] as typeof RESOLVERS;
    const schema = await buildCareslotSchema({ resolvers, resolverInstances: instantiateResolvers({} as Services, resolvers) });
    expect(schema.getSubscriptionType()?.getFields().testTicks).toBeDefined();
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
