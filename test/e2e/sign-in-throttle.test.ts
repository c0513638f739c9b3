import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { postFrom, wsSignInFrom } from '../helpers/from-address';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Failed sign-ins are throttled per client address and per token id, on HTTP and WebSocket, and
 * counted in the database so that every instance counts them. Each test signs in from addresses of
 * its own (127.0.0.x), so blocks of one never touch another.
 */
const LIMITS = { SIGN_IN_FAILURES_PER_ADDRESS: 5, SIGN_IN_FAILURES_PER_TOKEN: 3, SIGN_IN_FAILURE_WINDOW_SECONDS: 60 };
const QUERY = '{ viewer { kind } }';

/** The same token id with another secret of the same shape. */
const wrongSecret = (token: string): string => `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
const garbage = (i: number): string => `not-a-token-${i}`;

describe('sign-in throttle', () => {
  let app: TestServer;
  let sibling: TestServer;
  let tenant: TestTenant;
  let staffToken: string;

  beforeAll(async () => {
    app = await startTestServer({ config: LIMITS });
    // A second instance on the same database: it must see the failures counted by the first.
    sibling = await startTestServer({ config: LIMITS, databaseUrl: app.databaseUrl });
    tenant = await createTenant(app);
    staffToken = (await createStaff(app, tenant, ['VIEWER'])).token;
  });
  afterAll(async () => {
    await sibling.close();
    await app.close();
  });

  it('answers 429 with Retry-After once an address made too many failed sign-ins; other addresses sign in', async () => {
    const attacker = '127.0.0.11';
    for (let i = 0; i < LIMITS.SIGN_IN_FAILURES_PER_ADDRESS; i++) {
      expect((await postFrom(attacker, app.url, QUERY, garbage(i))).status).toBe(401);
    }
    const blocked = await postFrom(attacker, app.url, QUERY, garbage(99));
    expect(blocked.status).toBe(429);
    expect(blocked.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // A token not verified a moment ago waits with its address; another address does not.
    const quietToken = (await createStaff(app, tenant, ['VIEWER'])).token;
    expect((await postFrom(attacker, app.url, QUERY, quietToken)).status).toBe(429);
    const legitimate = await postFrom('127.0.0.12', app.url, QUERY, quietToken);
    expect(legitimate.status).toBe(200);
    expect(legitimate.body.data).toEqual({ viewer: { kind: 'STAFF_USER' } });
  });

  it('blocks guessing at one token id from every address, while its holder, with the right secret, still signs in', async () => {
    const guess = wrongSecret(staffToken);
    for (let i = 0; i < LIMITS.SIGN_IN_FAILURES_PER_TOKEN; i++) {
      expect((await postFrom('127.0.0.21', app.url, QUERY, guess)).status).toBe(401);
    }
    expect((await postFrom('127.0.0.21', app.url, QUERY, guess)).status).toBe(429);
    // A fresh address guessing at the same id is answered 429 at once…
    expect((await postFrom('127.0.0.22', app.url, QUERY, guess)).status).toBe(429);
    // …and the holder, from yet another address, is not locked out.
    expect((await postFrom('127.0.0.23', app.url, QUERY, staffToken)).status).toBe(200);
  });

  it('counts failures on every instance: the failures made on one block the address on the other', async () => {
    const attacker = '127.0.0.31';
    for (let i = 0; i < LIMITS.SIGN_IN_FAILURES_PER_ADDRESS; i++) {
      const server = i % 2 === 0 ? app : sibling;
      expect((await postFrom(attacker, server.url, QUERY, garbage(i))).status).toBe(401);
    }
    expect((await postFrom(attacker, sibling.url, QUERY, garbage(100))).status).toBe(429);
    expect((await postFrom(attacker, app.url, QUERY, garbage(101))).status).toBe(429);
  });

  it('throttles WebSocket sign-ins the same way: 4403 for a bad token, then 4429', async () => {
    const attacker = '127.0.0.41';
    for (let i = 0; i < LIMITS.SIGN_IN_FAILURES_PER_ADDRESS; i++) {
      expect(await wsSignInFrom(attacker, app.url, garbage(i))).toMatchObject({ acknowledged: false, code: 4403 });
    }
    const blocked = await wsSignInFrom(attacker, app.url, garbage(99));
    expect(blocked).toMatchObject({ acknowledged: false, code: 4429 });
    expect(blocked.reason).toMatch(/retry after \d+ s/);
    // HTTP and WebSocket share the count: the address is blocked on both.
    expect((await postFrom(attacker, app.url, QUERY, garbage(100))).status).toBe(429);
    expect(await wsSignInFrom('127.0.0.42', app.url, staffToken)).toEqual({ acknowledged: true });
  });

  it('lets a colleague behind the same address keep working with a token verified a moment ago', async () => {
    const office = '127.0.0.61';
    const colleague = (await createStaff(app, tenant, ['VIEWER'])).token;
    expect((await postFrom(office, app.url, QUERY, colleague)).status).toBe(200);
    for (let i = 0; i <= LIMITS.SIGN_IN_FAILURES_PER_ADDRESS; i++) await postFrom(office, app.url, QUERY, garbage(i));
    expect((await postFrom(office, app.url, QUERY, garbage(99))).status).toBe(429);
    expect((await postFrom(office, app.url, QUERY, colleague)).status).toBe(200);
  });

  it('does not count a request without a token as a failed sign-in', async () => {
    const address = '127.0.0.51';
    for (let i = 0; i < LIMITS.SIGN_IN_FAILURES_PER_ADDRESS + 2; i++) expect((await postFrom(address, app.url, QUERY)).status).toBe(401);
    expect((await postFrom(address, app.url, QUERY, staffToken)).status).toBe(200);
  });
});
