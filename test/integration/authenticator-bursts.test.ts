import type { Principal } from '../../src/context/principal';
import { ErrorCode } from '../../src/platform/errors';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Bursts against the Authenticator of a real server on a real database: many connections with one
 * token verify it once and hold one principal; many subscribers of one principal recheck it once per
 * event, not once each. Transactions are counted where the Authenticator opens them.
 */
describe('Authenticator under bursts', () => {
  let app: TestServer;
  let tenant: TestTenant;

  beforeAll(async () => {
    // Transactions are counted as the pool's connections: the engagement index's poller (every 250 ms by default) must not take one meanwhile.
    app = await startTestServer({ config: { ENGAGEMENT_INDEX_POLL_MS: 3_600_000 } });
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  const authenticator = () => app.server.services.authenticator;

  /** How many transactions `work` opened on the app's pool. */
  async function transactionsOf<T>(work: () => Promise<T>): Promise<{ result: T; transactions: number }> {
    const spy = jest.spyOn(app.server.database.pool, 'connect');
    try {
      const result = await work();
      return { result, transactions: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  it('verifies a token once for a burst of connections, and hands every one the same principal', async () => {
    const staff = await createStaff(app, tenant, ['VIEWER']);
    const { result: principals, transactions } = await transactionsOf(() =>
      Promise.all(Array.from({ length: 25 }, () => authenticator().authenticate(`Bearer ${staff.token}`))));
    expect(transactions).toBe(1);
    expect(new Set(principals).size).toBe(1);
    expect(principals[0]).toMatchObject({ kind: 'STAFF_USER', userId: staff.userId, roles: ['VIEWER'] });
  });

  it('does not let a wrong secret ride on the verification of the right one', async () => {
    const staff = await createStaff(app, tenant, ['VIEWER']);
    const wrong = `${staff.token.slice(0, -4)}${staff.token.endsWith('aaaa') ? 'bbbb' : 'aaaa'}`;
    const outcomes = await Promise.allSettled([
      authenticator().authenticate(`Bearer ${staff.token}`),
      authenticator().authenticate(`Bearer ${wrong}`),
      authenticator().authenticate(`Bearer ${staff.token}`),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
  });

  it('rechecks a principal once for a burst of subscribers, and a revocation is seen by the next recheck', async () => {
    const staff = await createStaff(app, tenant, ['VIEWER']);
    const verified = await authenticator().authenticate(`Bearer ${staff.token}`);
    // Not the cached object (as for a connection verified before the cache entry was renewed): asks the database.
    const held: Principal = { ...verified! };
    const { result: answers, transactions } = await transactionsOf(() => Promise.all(Array.from({ length: 25 }, () => authenticator().stillValid(held))));
    expect(answers.every((answer) => answer === true)).toBe(true);
    expect(transactions).toBe(1);

    const tokens = await gqlOk<{ apiTokens: { nodes: Array<{ id: string }> } }>(app, 'query($u: ID) { apiTokens(userId: $u) { nodes { id } } }', { u: staff.userId }, tenant.adminToken);
    await gqlOk(app, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { revokedAt } }', { input: { id: tokens.apiTokens.nodes[0]!.id } }, tenant.adminToken);
    expect(await authenticator().stillValid(held)).toBe(false);
    expect(await authenticator().stillValid(verified!)).toBe(false);
  });
});
