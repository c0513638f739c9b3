import fc from 'fast-check';
import { errorCode, gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';

/**
 * Random tenants with random staff; every operation that takes an id is probed with another
 * tenant's ids and must answer NOT_FOUND, and every list must hold only the caller's own rows.
 */
interface World {
  tenant: TestTenant;
  userIds: string[];
  tokenIds: string[];
}

const ID_PROBES: Array<{ name: string; run: (app: TestServer, caller: World, foreign: World) => Promise<GraphQLResponse> }> = [
  {
    name: 'changeUserAccess',
    run: (app, caller, foreign) => gql(app, 'mutation($input: ChangeUserAccessInput!) { changeUserAccess(input: $input) { id } }', { input: { userId: foreign.userIds[0], roles: ['VIEWER'] } }, caller.tenant.adminToken),
  },
  {
    name: 'createApiToken',
    run: (app, caller, foreign) => gql(app, 'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }', { input: { userId: foreign.userIds[0], label: 'probe' } }, caller.tenant.adminToken),
  },
  {
    name: 'revokeApiToken',
    run: (app, caller, foreign) => gql(app, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { id } }', { input: { id: foreign.tokenIds[0] } }, caller.tenant.adminToken),
  },
];

describe('tenant isolation from the outside', () => {
  let app: TestServer;

  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(() => app.close());

  async function buildWorld(staffRoles: Array<Array<'ADMIN' | 'SCHEDULER' | 'VIEWER' | 'CLINIC_HEAD'>>): Promise<World> {
    const tenant = await createTenant(app);
    const userIds = [tenant.adminUserId];
    for (const roles of staffRoles) userIds.push((await createStaff(app, tenant, roles)).userId);
    const tokens = await gqlOk<{ apiTokens: { nodes: Array<{ id: string }> } }>(app, '{ apiTokens(first: 100) { nodes { id } } }', {}, tenant.adminToken);
    return { tenant, userIds, tokenIds: tokens.apiTokens.nodes.map((t) => t.id) };
  }

  it('never lets one tenant see or touch another tenant\'s rows', async () => {
    const roles = fc.subarray(['ADMIN', 'SCHEDULER', 'VIEWER', 'CLINIC_HEAD'] as const, { minLength: 1 }).map((r) => [...r]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(roles, { maxLength: 3 }), { minLength: 2, maxLength: 3 }), async (tenantsStaff) => {
        const worlds = [];
        for (const staff of tenantsStaff) worlds.push(await buildWorld(staff));
        for (const caller of worlds) {
          const own = new Set([...caller.userIds, ...caller.tokenIds]);
          const lists = await gqlOk<{ users: { nodes: Array<{ id: string }> }; apiTokens: { nodes: Array<{ id: string; userId: string }> }; viewer: { tenantId: string } }>(
            app, '{ viewer { tenantId } users(first: 100) { nodes { id } } apiTokens(first: 100) { nodes { id userId } } }', {}, caller.tenant.adminToken,
          );
          expect(lists.viewer.tenantId).toBe(caller.tenant.tenantId);
          for (const id of [...lists.users.nodes.map((u) => u.id), ...lists.apiTokens.nodes.flatMap((t) => [t.id, t.userId])]) expect(own.has(id)).toBe(true);
          for (const foreign of worlds.filter((w) => w !== caller)) {
            for (const probe of ID_PROBES) {
              const response = await probe.run(app, caller, foreign);
              expect({ probe: probe.name, code: errorCode(response), data: response.data ?? null }).toEqual({ probe: probe.name, code: 'NOT_FOUND', data: null });
            }
            const foreignTokens = await gqlOk<{ apiTokens: unknown }>(app, 'query($u: ID) { apiTokens(userId: $u) { nodes { id } pageInfo { hasNextPage endCursor } } }', { u: foreign.userIds[0] }, caller.tenant.adminToken);
            expect(foreignTokens.apiTokens).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
          }
        }
        // Nothing a probe attempted changed the foreign tenants: their tokens still work and are unrevoked.
        for (const world of worlds) {
          const tokens = await gqlOk<{ apiTokens: { nodes: Array<{ revokedAt: string | null }> } }>(app, '{ apiTokens(first: 100) { nodes { revokedAt } } }', {}, world.tenant.adminToken);
          expect(tokens.apiTokens.nodes.every((t) => t.revokedAt === null)).toBe(true);
        }
      }),
      { numRuns: 5 },
    );
  });
});
