import request from 'supertest';
import { withPgClient } from '../../src/db/pg-client';
import { connectWs } from '../helpers/ws-client';
import { runOnWs } from '../helpers/ws-operation';
import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { tokenSecret } from '../helpers/token-secret';

const VIEWER = '{ viewer { kind tenantId user { id roles } } }';

describe('authentication: bearer tokens on HTTP and WebSocket', () => {
  let app: TestServer;
  let tenant: TestTenant;

  beforeAll(async () => {
    app = await startTestServer({ config: { LOG_LEVEL: (process.env.TEST_LOG_LEVEL as 'error') ?? 'silent' } });
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  it('accepts a valid token and says who the caller is', async () => {
    const data = await gqlOk(app, VIEWER, {}, tenant.adminToken);
    expect(data.viewer).toEqual({ kind: 'STAFF_USER', tenantId: tenant.tenantId, user: { id: tenant.adminUserId, roles: ['ADMIN'] } });
  });

  const badAuthorizations: Array<[string, string | undefined]> = [
    ['missing', undefined],
    ['malformed (no Bearer)', 'Token abc'],
    ['malformed token', 'Bearer not-a-careslot-token'],
    ['unknown', `Bearer cst_${'1'.repeat(64)}_${'x'.repeat(43)}`],
  ];
  it.each(badAuthorizations)('answers 401 UNAUTHENTICATED on HTTP for a %s token', async (_name, authorization) => {
    let call = request(app.url).post('/graphql').set('content-type', 'application/json');
    if (authorization) call = call.set('authorization', authorization);
    const response = await call.send({ query: VIEWER });
    expect(response.status).toBe(401);
    expect(response.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(response.body.data ?? null).toBeNull();
  });

  it.each(badAuthorizations)('closes the WebSocket with 4403 for a %s token', async (_name, authorization) => {
    const connection = connectWs(app.url, undefined, authorization ? { authorization } : {});
    const closed = await connection.closed;
    expect(closed.code).toBe(4403);
    await connection.dispose();
  });

  it('rejects a token with a wrong secret for a real token id', async () => {
    const forged = `${tenant.adminToken.slice(0, -43)}${'A'.repeat(43)}`;
    const response = await gql(app, VIEWER, {}, forged);
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });

  it('rejects an expired token on HTTP and WebSocket', async () => {
    // No waiting for a clock: two tokens made alike, valid for an hour; one is moved into the past in
    // the database (as the owner) before its first use, so no instance has it in memory yet.
    const staff = await createStaff(app, tenant, ['VIEWER']);
    const create = (label: string) => gqlOk<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      app,
      'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } } }',
      { input: { userId: staff.userId, label, expiresAt: new Date(Date.now() + 3_600_000).toISOString() } },
      tenant.adminToken,
    );
    const expired = (await create('expired')).createApiToken;
    const control = (await create('control')).createApiToken;
    const moved = await withPgClient(app.databaseUrl, (client) =>
      client.query(`UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.apiToken.id]));
    expect(moved.rowCount).toBe(1);

    const response = await gql(app, VIEWER, {}, expired.token);
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toBe('Token expired');
    const connection = connectWs(app.url, expired.token);
    expect((await connection.closed).code).toBe(4403);

    // Control: its twin, still valid, works on both.
    expect((await gqlOk(app, VIEWER, {}, control.token)).viewer).toEqual({ kind: 'STAFF_USER', tenantId: tenant.tenantId, user: { id: staff.userId, roles: ['VIEWER'] } });
    const open = connectWs(app.url, control.token);
    try {
      const outcome = await runOnWs(open, VIEWER);
      expect(outcome).toEqual({ results: [{ data: { viewer: { kind: 'STAFF_USER', tenantId: tenant.tenantId, user: { id: staff.userId, roles: ['VIEWER'] } } } }] });
    } finally {
      await open.dispose();
    }
  });

  it('rejects a revoked token at once, although it was just used', async () => {
    const staff = await createStaff(app, tenant, ['SCHEDULER']);
    expect((await gql(app, VIEWER, {}, staff.token)).status).toBe(200);
    const tokens = await gqlOk<{ apiTokens: Array<{ id: string; label: string }> }>(app, 'query($u: ID) { apiTokens(userId: $u) { id label } }', { u: staff.userId }, tenant.adminToken);
    await gqlOk(app, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { revokedAt } }', { input: { id: tokens.apiTokens[0].id } }, tenant.adminToken);
    const response = await gql(app, VIEWER, {}, staff.token);
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    const connection = connectWs(app.url, staff.token);
    expect((await connection.closed).code).toBe(4403);
  });

  it('shows a new token once and stores only its hash', async () => {
    const staff = await createStaff(app, tenant, ['VIEWER']);
    const stored = await withPgClient(app.databaseUrl, (client) => client.query('SELECT secret_hash FROM api_tokens WHERE user_id = $1', [staff.userId]));
    expect(stored.rows).toHaveLength(1);
    const secret = tokenSecret(staff.token);
    expect(JSON.stringify(stored.rows)).not.toContain(secret);
    expect((stored.rows[0].secret_hash as Buffer).length).toBe(32);
  });

  it('lets only an ADMIN manage users and tokens', async () => {
    const scheduler = await createStaff(app, tenant, ['SCHEDULER']);
    const response = await gql(app, 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { email: 'x@test.example', displayName: 'X', roles: ['ADMIN'] } }, scheduler.token);
    expect(errorCode(response)).toBe('FORBIDDEN');
    const count = await gqlOk<{ users: { nodes: unknown[] } }>(app, '{ users(first: 100) { nodes { id } } }', {}, tenant.adminToken);
    expect(count.users.nodes.some((u) => JSON.stringify(u).includes('x@test.example'))).toBe(false);
  });

  it('applies a role change at once', async () => {
    const staff = await createStaff(app, tenant, ['VIEWER']);
    expect(errorCode(await gql(app, '{ users { nodes { id } } }', {}, staff.token))).toBe('FORBIDDEN');
    await gqlOk(app, 'mutation($input: ChangeUserAccessInput!) { changeUserAccess(input: $input) { roles } }', { input: { userId: staff.userId, roles: ['ADMIN'] } }, tenant.adminToken);
    await gqlOk(app, '{ users { nodes { id } } }', {}, staff.token);
  });
});
