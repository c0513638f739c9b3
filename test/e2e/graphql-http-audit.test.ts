import { serverAudits, type AuditResult } from 'graphql-http';
import { createTenant, type TestTenant } from '../factories/tenants';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The GraphQL-over-HTTP server audit of graphql-http (the reference implementation of the spec),
 * against the real server: with a valid token every audit passes, warnings included; without one,
 * every answer is 401 (nothing is parsed or run for an anonymous caller).
 */
describe('GraphQL over HTTP audit (graphql-http)', () => {
  let app: TestServer;
  let tenant: TestTenant;

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
  });
  afterAll(() => app.close());

  /** fetch, with headers added to every request the audit makes. */
  const fetchWith = (headers: Record<string, string>, seen?: number[]): typeof fetch => async (input, init) => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    const response = await fetch(input, { ...init, headers: merged });
    seen?.push(response.status);
    return response;
  };

  async function runAudits(fetchFn: typeof fetch): Promise<Array<{ id: string; name: string; result: AuditResult }>> {
    const audits = serverAudits({ url: `${app.url}/graphql`, fetchFn });
    return Promise.all(audits.map(async (audit) => ({ id: audit.id, name: audit.name, result: await audit.fn() })));
  }

  it('passes every audit with a valid token: no errors, no warnings', async () => {
    const results = await runAudits(fetchWith({ authorization: `Bearer ${tenant.adminToken}` }));
    const describe = ({ id, name, result }: (typeof results)[number]) => `${id} ${name}: ${result.status} ${'reason' in result ? result.reason : ''}`;
    expect(results.filter(({ result }) => result.status === 'error' || result.status === 'warn').map(describe)).toEqual([]);
    // The notices are MAYs about GET: CSRF prevention answers a GET without a preflight header 400, on purpose.
    expect(results.filter(({ result }) => result.status === 'notice').map(({ name }) => name).every((name) => name.startsWith('MAY') && /GET/.test(name))).toBe(true);
    expect(results.length).toBeGreaterThan(50);
  });

  it('answers every audit request 401 without a token', async () => {
    const statuses: number[] = [];
    await runAudits(fetchWith({}, statuses));
    expect(statuses.length).toBeGreaterThan(50);
    expect(new Set(statuses)).toEqual(new Set([401]));
  });
});
