
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import type { Config } from '../../src/config';
import { createTenant, type TestTenant } from '../factories/tenants';
import { gql, gqlOk } from '../helpers/graphql-client';
import { CANARY, FailingTestResolver } from '../helpers/test-resolvers';
import { memoryLogger } from '../helpers/memory-logger';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs } from '../helpers/ws-client';
import { runOnWs } from '../helpers/ws-operation';
import { tokenSecret } from '../helpers/token-secret';

/**
 * GraphQL over HTTP as careslot answers it: media types, methods, CSRF and CORS, transport
 * failures, input validation, and error masking (nothing internal ever reaches a client).
 */

const ALLOWED_ORIGIN = 'https://app.careslot.example';
const OTHER_ORIGIN = 'https://elsewhere.example';
const BODY_LIMIT_BYTES = 4096;
const CREATE_USER = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------
// Helpers.

/** A POST /graphql with a JSON body, as raw as supertest gives it (text and headers included). */
function post(app: TestServer, body: unknown, token?: string, headers: Record<string, string> = {}): request.Test {
  let call = request(app.url).post('/graphql').set('content-type', 'application/json').set('accept', 'application/graphql-response+json, application/json');
  if (token) call = call.set('authorization', `Bearer ${token}`);
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  return call.send(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Everything a client could read of a response: status line aside, its headers and its body. */
function everythingSent(response: request.Response): string {
  return `${JSON.stringify(response.headers)}\n${response.text}`;
}

function newUserInput(label: string): { email: string; displayName: string; roles: string[] } {
  return { email: `${label}-${randomUUID().slice(0, 8)}@test.example`, displayName: `${label} user`, roles: ['VIEWER'] };
}

async function userEmails(app: TestServer, token: string): Promise<string[]> {
  const data = await gqlOk<{ users: { nodes: Array<{ email: string }> } }>(app, '{ users(first: 100) { nodes { email } } }', {}, token);
  return data.users.nodes.map((user) => user.email);
}

// ---------------------------------------------------------------------------------------------

describe('GraphQL over HTTP', () => {
  let app: TestServer;
  let production: TestServer;
  let tenant: TestTenant;
  let productionTenant: TestTenant;
  const logs = memoryLogger();

  beforeAll(async () => {
    const config: Partial<Config> = { CORS_ORIGINS: [ALLOWED_ORIGIN], BODY_LIMIT_BYTES, LOG_LEVEL: 'info' };
    app = await startTestServer({ config, logger: logs.logger, extraResolvers: [FailingTestResolver] });
    production = await startTestServer({ config: { ...config, NODE_ENV: 'production', LOG_LEVEL: 'silent' }, extraResolvers: [FailingTestResolver] });
    tenant = await createTenant(app);
    productionTenant = await createTenant(production);
  });
  afterAll(async () => {
    await app?.close();
    await production?.close();
  });

  describe.each([
    ['test', () => ({ server: app, token: tenant.adminToken })],
    ['production', () => ({ server: production, token: productionTenant.adminToken })],
  ])('error masking (NODE_ENV %s)', (_env, target) => {
    const failures: Array<[string, string, string[]]> = [
      ['a plain Error', '{ canaryError }', ['canaryError']],
      ['an Error subclass', '{ canaryCustom }', ['canaryCustom']],
      ['a GraphQLError without a code', '{ canaryGraphQLError }', ['canaryGraphQLError']],
      ['a rejected promise', '{ canaryAsync }', ['canaryAsync']],
      ['a TypeError from deep inside a nested field', '{ canaryHolder { level deep } }', ['canaryHolder', 'deep']],
    ];

    it.each(failures)('answers %s as INTERNAL_SERVER_ERROR with a requestId, and nothing else', async (_name, query, path) => {
      const { server, token } = target();
      const response = await post(server, { query }, token);
      expect(response.status).toBe(200);
      expect(response.body.errors).toEqual([
        { message: 'Internal server error', path, locations: [expect.any(Object)], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(UUID) } },
      ]);
      expect(everythingSent(response)).not.toContain(CANARY);
      expect(everythingSent(response)).not.toMatch(/stacktrace|TypeError|CanaryFailure|test-resolvers/);
    });

    it('keeps the sibling fields of a failed field', async () => {
      const { server, token } = target();
      const response = await post(server, { query: '{ canaryHolder { level deep } viewer { kind } }' }, token);
      expect(response.body.data).toEqual({ canaryHolder: { level: 1, deep: null }, viewer: { kind: 'STAFF_USER' } });
      expect(everythingSent(response)).not.toContain(CANARY);
    });
  });

  describe('error masking on WebSocket', () => {
    it('masks a failing resolver of a subscription event', async () => {
      const ws = connectWs(app.url, tenant.adminToken);
      try {
        const event = await ws.subscribe('subscription { canaryTicks }').next();
        expect(event).toEqual({
          data: { canaryTicks: null },
          errors: [{ message: 'Internal server error', path: ['canaryTicks'], locations: [expect.any(Object)], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(UUID) } }],
        });
        expect(JSON.stringify(event)).not.toContain(CANARY);
      } finally {
        await ws.dispose();
      }
    });

    it.each([
      ['whose subscribe function throws', 'subscription { canarySubscribeThrows }'],
      ['whose event source fails', 'subscription { canarySourceFails }'],
    ])('masks the failure of a subscription %s', async (_name, query) => {
      const ws = connectWs(app.url, tenant.adminToken);
      try {
        const outcome = await runOnWs(ws, query);
        expect(JSON.stringify(outcome)).not.toContain(CANARY);
        expect(JSON.stringify(outcome)).toContain('INTERNAL_SERVER_ERROR');
      } finally {
        await ws.dispose();
      }
    });
  });

  describe('unexpected errors in the logs', () => {
    it('logs the requestId and the error class of an unexpected error, but no variables, Authorization header or token', async () => {
      const secretVariable = `variable-secret-${randomUUID()}`;
      const response = await post(app, { query: '{ canaryCustom }', variables: { note: secretVariable } }, tenant.adminToken);
      const requestId = response.body.errors[0].extensions.requestId as string;
      expect(requestId).toMatch(UUID);

      const lines = logs.lines().filter((line) => line.requestId === requestId);
      const errorLine = lines.find((line) => line.msg === 'unexpected resolver error');
      expect(errorLine).toBeDefined();
      expect(errorLine!.err).toMatchObject({ name: 'CanaryFailure' });
      expect(lines.find((line) => line.msg === 'graphql operation')).toMatchObject({ errorCodes: ['INTERNAL_SERVER_ERROR'] });

      const logged = JSON.stringify(lines);
      const secret = tokenSecret(tenant.adminToken);
      expect(logged).not.toContain(secretVariable);
      expect(logged).not.toMatch(/"variables"|authorization|Bearer/i);
      expect(logged).not.toContain(tenant.adminToken);
      expect(logged).not.toContain(secret);
      // And nowhere else in the log either.
      expect(logs.text()).not.toContain(secretVariable);
      expect(logs.text()).not.toContain(secret);
    });
  });

  describe('bad JSON', () => {
    it('answers a body that is not JSON with 400 BAD_REQUEST and runs nothing', async () => {
      const input = newUserInput('bad-json');
      const truncated = JSON.stringify({ query: CREATE_USER, variables: { input } }).slice(0, -1);
      const response = await post(app, truncated, tenant.adminToken);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST', requestId: expect.stringMatching(UUID) } }] });
      expect(everythingSent(response)).not.toContain(input.email);
      expect(await userEmails(app, tenant.adminToken)).not.toContain(input.email);
    });
  });

  describe('content types', () => {
    // GraphQL over HTTP: a POST must be application/json; anything else gets a 4xx. Careslot answers 400 BAD_REQUEST
    // (Apollo's CSRF prevention refuses the "simple" types a browser form could send; with a preflight header, the body is not read).
    const wrongTypes: Array<[string, (call: request.Test, body: string) => request.Test]> = [
      ['text/plain', (call, body) => call.set('content-type', 'text/plain').send(body)],
      ['a form (application/x-www-form-urlencoded)', (call, body) => call.type('form').send({ query: JSON.parse(body).query, variables: JSON.parse(body).variables })],
      ['text/plain with a preflight header', (call, body) => call.set('content-type', 'text/plain').set('apollo-require-preflight', 'true').send(body)],
    ];

    it.each(wrongTypes)('rejects a mutation sent as %s with 400 BAD_REQUEST, without running it', async (_name, send) => {
      const before = await userEmails(app, tenant.adminToken);
      const input = newUserInput('wrong-type');
      const call = request(app.url).post('/graphql').set('authorization', `Bearer ${tenant.adminToken}`);
      const response = await send(call, JSON.stringify({ query: CREATE_USER, variables: { input } }));
      expect(response.status).toBe(400);
      expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(response.body.data ?? null).toBeNull();
      const after = await userEmails(app, tenant.adminToken);
      expect(after).not.toContain(input.email);
      expect(after).toHaveLength(before.length);
    });
  });

  describe('body size', () => {
    it(`answers a body over BODY_LIMIT_BYTES (${BODY_LIMIT_BYTES}) with 413 PAYLOAD_TOO_LARGE and creates nothing`, async () => {
      const input = { ...newUserInput('too-large'), displayName: 'x'.repeat(BODY_LIMIT_BYTES) };
      const response = await post(app, { query: CREATE_USER, variables: { input } }, tenant.adminToken);
      expect(response.status).toBe(413);
      expect(response.body).toEqual({ errors: [{ message: `Request body exceeds ${BODY_LIMIT_BYTES} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE', requestId: expect.stringMatching(UUID) } }] });
      expect(await userEmails(app, tenant.adminToken)).not.toContain(input.email);
    });

    it('answers 413 to an oversized body sent in chunks (no Content-Length to refuse it by) and creates nothing', async () => {
      const input = { ...newUserInput('chunked'), displayName: 'x'.repeat(BODY_LIMIT_BYTES) };
      const body = JSON.stringify({ query: CREATE_USER, variables: { input } });
      const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const call = httpRequest(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.adminToken}`, 'transfer-encoding': 'chunked' },
        }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        call.on('error', reject);
        for (let at = 0; at < body.length; at += 512) call.write(body.slice(at, at + 512));
        call.end();
      });
      expect(response.status).toBe(413);
      expect(JSON.parse(response.text).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await userEmails(app, tenant.adminToken)).not.toContain(input.email);
    });

    it('answers an empty POST body with 400 BAD_REQUEST', async () => {
      const response = await post(app, '', tenant.adminToken);
      expect(response.status).toBe(400);
      expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    });
  });

  describe('GET', () => {
    const get = (query: string, accept: string, token = tenant.adminToken): request.Test =>
      request(app.url).get('/graphql').query({ query }).set('accept', accept).set('apollo-require-preflight', 'true').set('authorization', `Bearer ${token}`);

    it('answers a mutation over GET with 405 (Allow: POST) and does not run it', async () => {
      const input = newUserInput('over-get');
      const mutation = `mutation { createUser(input: { email: "${input.email}", displayName: "Over GET", roles: [VIEWER] }) { id } }`;
      const response = await get(mutation, 'application/graphql-response+json');
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(response.body.data ?? null).toBeNull();
      expect(await userEmails(app, tenant.adminToken)).not.toContain(input.email);
    });

    it.each([
      ['application/graphql-response+json', 'application/graphql-response+json'],
      ['application/json', 'application/json'],
      ['application/graphql-response+json, application/json;q=0.9', 'application/graphql-response+json'],
      ['application/json, application/graphql-response+json;q=0.5', 'application/json'],
    ])('runs a query from the `query` parameter and answers Accept: %s with %s', async (accept, contentType) => {
      const response = await get('{ viewer { kind } }', accept);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(`${contentType}; charset=utf-8`);
      expect(JSON.parse(response.text)).toEqual({ data: { viewer: { kind: 'STAFF_USER' } } });
    });
  });

  describe('CSRF prevention', () => {
    const getQuery = (): request.Test =>
      request(app.url).get('/graphql').query({ query: '{ viewer { kind } }' }).set('accept', 'application/json').set('authorization', `Bearer ${tenant.adminToken}`);

    it('blocks a GET without a JSON content type and without a preflight header', async () => {
      const response = await getQuery();
      expect(response.status).toBe(400);
      expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(response.body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
      expect(response.body.data ?? null).toBeNull();
    });

    it.each([
      ['apollo-require-preflight', 'true'],
      ['x-apollo-operation-name', 'Viewer'],
      ['content-type', 'application/json'],
    ])('lets a GET through with %s', async (header, value) => {
      const response = await getQuery().set(header, value);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { viewer: { kind: 'STAFF_USER' } } });
    });
  });

  describe('CORS', () => {
    it('allows an origin from CORS_ORIGINS', async () => {
      const response = await post(app, { query: '{ viewer { kind } }' }, tenant.adminToken, { origin: ALLOWED_ORIGIN });
      expect(response.status).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(response.headers.vary).toMatch(/Origin/);
    });

    it('does not allow another origin', async () => {
      const response = await post(app, { query: '{ viewer { kind } }' }, tenant.adminToken, { origin: OTHER_ORIGIN });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('answers the preflight of an allowed origin (browsers send one before every JSON POST)', async () => {
      const response = await request(app.url).options('/graphql')
        .set('origin', ALLOWED_ORIGIN).set('access-control-request-method', 'POST').set('access-control-request-headers', 'content-type,authorization');
      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(response.headers['access-control-allow-methods']).toMatch(/POST/);
    });

    it('does not allow the preflight of another origin', async () => {
      const response = await request(app.url).options('/graphql').set('origin', OTHER_ORIGIN).set('access-control-request-method', 'POST');
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('input validation', () => {
    it('answers a bad email and an empty displayName with BAD_USER_INPUT naming both fields, never their values, and creates nothing', async () => {
      const before = await userEmails(app, tenant.adminToken);
      const badEmail = `not-an-email-${randomUUID()}`;
      const response = await post(app, { query: CREATE_USER, variables: { input: { email: badEmail, displayName: '', roles: ['VIEWER'] } } }, tenant.adminToken);
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors).toHaveLength(1);
      const error = response.body.errors[0];
      expect(error.extensions.code).toBe('BAD_USER_INPUT');
      expect(error.extensions.fields).toEqual(expect.arrayContaining([
        { field: 'input.email', problems: [expect.any(String)] },
        { field: 'input.displayName', problems: [expect.any(String)] },
      ]));
      expect(everythingSent(response)).not.toContain(badEmail);
      expect(everythingSent(response)).not.toContain('not-an-email');
      expect(await userEmails(app, tenant.adminToken)).toEqual(before);
    });

    it('does not echo a value that is too long', async () => {
      const tooLong = `too-long-${randomUUID()}-${'y'.repeat(200)}`;
      const input = { ...newUserInput('too-long'), displayName: tooLong };
      const response = await post(app, { query: CREATE_USER, variables: { input } }, tenant.adminToken);
      expect(response.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', fields: [{ field: 'input.displayName', problems: [expect.any(String)] }], requestId: expect.stringMatching(UUID) });
      expect(everythingSent(response)).not.toContain(tooLong.slice(0, 45));
      expect(await userEmails(app, tenant.adminToken)).not.toContain(input.email);
    });

    it.each([
      ['of the wrong type', { n: 'twenty' }],
      ['that is missing', {}],
    ])('answers a variable %s with 400 BAD_USER_INPUT, not 500', async (_name, variables) => {
      const response = await post(app, { query: 'query($n: Int!) { users(first: $n) { nodes { id } } }', variables }, tenant.adminToken);
      expect(response.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(response.status).toBe(400);
      expect(response.body.data ?? null).toBeNull();
    });

    it('answers a variable of the wrong type on WebSocket with an error on that operation, and keeps the connection', async () => {
      const ws = connectWs(app.url, tenant.adminToken);
      try {
        const outcome = await runOnWs(ws, 'query($n: Int!) { users(first: $n) { nodes { id } } }', { n: 'twenty' });
        expect(outcome.closed).toBeUndefined();
        expect(outcome.results.every((result) => result.data == null)).toBe(true);
        expect(JSON.stringify(outcome)).toContain('BAD_USER_INPUT');
        expect((await runOnWs(ws, '{ viewer { kind } }')).results).toEqual([{ data: { viewer: { kind: 'STAFF_USER' } } }]);
      } finally {
        await ws.dispose();
      }
    });
  });

  describe('GraphiQL', () => {
    const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

    it.each(['/graphiql', '/graphql'])('serves the GraphiQL page at GET %s, loading nothing from another host', async (path) => {
      const response = await request(app.url).get(path).set('accept', BROWSER_ACCEPT);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.text).toContain('<div id="graphiql">');
      expect(response.text).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
      const urls = [...response.text.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]!);
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(url).toMatch(/^\/graphiql\/assets\//);
      expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
    });

    it('serves the assets the page loads', async () => {
      const page = await request(app.url).get('/graphiql').set('accept', BROWSER_ACCEPT);
      const script = /<script src="([^"]+)"/.exec(page.text)![1]!;
      const asset = await request(app.url).get(script);
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    });
  });

  describe('operational endpoints', () => {
    it('answers /healthz and /readyz with 200', async () => {
      const health = await request(app.url).get('/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });
      const ready = await request(app.url).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });
    });

    it('exposes careslot_graphql_operation_duration_seconds on /metrics', async () => {
      await gqlOk(app, '{ viewer { kind } }', {}, tenant.adminToken);
      const metrics = await request(app.url).get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
      expect(metrics.text).toContain('# TYPE careslot_graphql_operation_duration_seconds histogram');
      expect(metrics.text).toMatch(/careslot_graphql_operation_duration_seconds_count\{type="query",outcome="ok"\} [1-9]/);
    });
  });

  it('answers an ordinary query (the happy path of all the above)', async () => {
    const response = await gql(app, '{ viewer { kind tenantId } }', {}, tenant.adminToken);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    expect(response.data).toEqual({ viewer: { kind: 'STAFF_USER', tenantId: tenant.tenantId } });
  });
});
