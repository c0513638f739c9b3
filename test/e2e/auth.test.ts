import request from 'supertest';
import { withPgClient } from '../../src/db/pg-client';
import { connectWs } from '../helpers/ws-client';
import { runOnWs } from '../helpers/ws-operation';
import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { tokenSecret } from '../helpers/token-secret';
import { FORGED_CURSORS, secondsApart, setCreatedAt, walkPages, type Connection } from '../helpers/pages';

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
    const tokens = await gqlOk<{ apiTokens: { nodes: Array<{ id: string; label: string }> } }>(
      app, 'query($u: ID) { apiTokens(userId: $u) { nodes { id label } } }', { u: staff.userId }, tenant.adminToken,
    );
    await gqlOk(app, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { revokedAt } }', { input: { id: tokens.apiTokens.nodes[0].id } }, tenant.adminToken);
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

  describe('apiTokens pages (ADMIN)', () => {
    const API_TOKENS = `query Tokens($userId: ID, $first: Int!, $after: String) {
      apiTokens(userId: $userId, first: $first, after: $after) { nodes { id label userId } pageInfo { hasNextPage endCursor } }
    }`;
    type TokenNode = { id: string; label: string; userId: string };
    /** Five tokens of one user, made a second apart (index 4 is the newest). */
    let userId: string;
    let made: string[];
    let spread: Array<{ id: string; at: number }>;
    /** Another tenant: none of its tokens is ever in this tenant's pages. */
    let other: TestTenant;
    let foreign: string[];

    const page = async (token: string, filter: string | undefined, first: number, after: string | null): Promise<Connection<TokenNode>> =>
      (await gqlOk<{ apiTokens: Connection<TokenNode> }>(app, API_TOKENS, { userId: filter, first, after }, token)).apiTokens;
    const walk = (token: string, filter: string | undefined, first: number) => walkPages((after) => page(token, filter, first, after));
    const ids = (pages: Array<Connection<TokenNode>>) => pages.flatMap((current) => current.nodes.map((node) => node.id));
    const createToken = async (adminToken: string, forUser: string, label: string) =>
      (await gqlOk<{ createApiToken: { apiToken: { id: string } } }>(app,
        'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { apiToken { id } } }', { input: { userId: forUser, label } }, adminToken)).createApiToken.apiToken.id;

    beforeAll(async () => {
      userId = (await createStaff(app, tenant, ['VIEWER'])).userId;
      made = (await page(tenant.adminToken, userId, 100, null)).nodes.map((node) => node.id);
      for (let index = 1; index < 5; index++) made.push(await createToken(tenant.adminToken, userId, `paged ${index}`));
      expect(made).toHaveLength(5);
      spread = secondsApart(made);
      await setCreatedAt(app.databaseUrl, 'api_tokens', tenant.tenantId, spread);
      other = await createTenant(app);
      const otherUser = (await createStaff(app, other, ['VIEWER'])).userId;
      for (let index = 0; index < 2; index++) await createToken(other.adminToken, otherUser, `foreign ${index}`);
      foreign = ids(await walk(other.adminToken, undefined, 100));
      expect(foreign.length).toBeGreaterThanOrEqual(4);
    });

    it('pages a user\'s five tokens two at a time, newest first: three pages, each token once, none missing', async () => {
      const pages = await walk(tenant.adminToken, userId, 2);
      expect(pages.map((current) => current.nodes.length)).toEqual([2, 2, 1]);
      expect(pages.map((current) => current.pageInfo.hasNextPage)).toEqual([true, true, false]);
      expect(ids(pages)).toEqual([...made].reverse());
      expect(pages.flatMap((current) => current.nodes.map((node) => node.userId))).toEqual(made.map(() => userId));
      expect((await page(tenant.adminToken, userId, 100, null)).nodes.map((node) => node.id)).toEqual([...made].reverse());
    });

    it('breaks ties between tokens made in the same millisecond by id, across a page boundary', async () => {
      const tied = made.slice(1, 4);
      const at = spread[2]!.at;
      await setCreatedAt(app.databaseUrl, 'api_tokens', tenant.tenantId, tied.map((id, index) => ({ id, at, microseconds: [700, 100, 400][index] })));
      expect(ids(await walk(tenant.adminToken, userId, 2))).toEqual([made[4], ...[...tied].sort(), made[0]]);
    });

    it('never crosses tenants: the whole tenant list, page by page, holds its own tokens only; another tenant\'s cursor shows nothing of theirs', async () => {
      const own = ids(await walk(tenant.adminToken, undefined, 2));
      expect(new Set(own).size).toBe(own.length);
      expect(own).toEqual(expect.arrayContaining(made));
      for (const id of foreign) expect(own).not.toContain(id);
      const theirs = await page(other.adminToken, undefined, 1, null);
      expect(theirs.pageInfo.hasNextPage).toBe(true);
      const withTheirCursor = ids([await page(tenant.adminToken, undefined, 100, theirs.pageInfo.endCursor)]);
      for (const id of foreign) expect(withTheirCursor).not.toContain(id);
      const theirWalk = ids(await walk(other.adminToken, undefined, 2));
      expect([...theirWalk].sort()).toEqual([...foreign].sort());
      expect(await page(tenant.adminToken, theirs.nodes[0]!.userId, 100, null)).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
    });

    it('answers a forged cursor with BAD_USER_INPUT naming `after`', async () => {
      for (const after of FORGED_CURSORS) {
        const response = await gql(app, API_TOKENS, { userId, first: 2, after }, tenant.adminToken);
        expect({ after, code: errorCode(response), fields: response.errors?.[0]?.extensions?.fields }).toEqual({ after, code: 'BAD_USER_INPUT', fields: [{ field: 'after', problems: [expect.any(String)] }] });
      }
    });

    it.each([0, -1, 101])('answers first: %i with BAD_USER_INPUT naming `first`', async (first) => {
      const response = await gql(app, API_TOKENS, { userId, first }, tenant.adminToken);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors![0]!.extensions!.fields).toEqual([{ field: 'first', problems: [expect.any(String)] }]);
    });

    it('stays ADMIN only', async () => {
      for (const roles of [['VIEWER'], ['SCHEDULER'], ['CLINIC_HEAD']] as const) {
        const staff = await createStaff(app, tenant, [...roles]);
        expect(errorCode(await gql(app, API_TOKENS, { first: 2 }, staff.token))).toBe('FORBIDDEN');
      }
    });
  });
});
