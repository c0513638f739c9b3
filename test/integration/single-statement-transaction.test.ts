import { withPgClient } from '../../src/db/pg-client';
import { inTenantStatement, PG_RELEASE_CHECKED } from '../../src/db/statement-transaction';
import { StatementCounter } from '../../src/context/request-context';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createTenant, type TestTenant } from '../factories/tenants';

/**
 * The booking's transaction is one statement whose tenant scope and commit travel with it in one
 * round trip (extended-query messages before a single Sync). These tests hold it to what a
 * BEGIN/set_config/COMMIT transaction promises: the tenant's rows only, committed when it answers,
 * nothing written on failure, and no tenant left on the pooled connection.
 */
describe('a single-statement transaction', () => {
  let app: TestServer;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    app = await startTestServer();
    a = await createTenant(app);
    b = await createTenant(app);
  });
  afterAll(() => app.close());

  const pool = () => app.server.database.pool;
  const auditCount = (tenantId: string, action: string) => withPgClient(app.databaseUrl, async (client) =>
    (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND action = $2', [tenantId, action])).rows[0].n);
  const INSERT_AUDIT = `INSERT INTO audit_events (tenant_id, actor_kind, actor_id, action, entity_type) VALUES ($1, 'OPERATOR', NULL, $2, 'Test') RETURNING tenant_id AS "tenantId"`;

  it('sees only its tenant, named or not, and leaves no tenant on the pooled connections', async () => {
    for (const tenant of [a, b, a]) {
      const named = await inTenantStatement(pool(), tenant.tenantId, (tx) => tx.prepared<{ tenant_id: string }>('test_users_tenants', 'SELECT DISTINCT tenant_id FROM users', []));
      expect(named).toEqual([{ tenant_id: tenant.tenantId }]);
      const adHoc = await inTenantStatement(pool(), tenant.tenantId, (tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE tenant_id <> $1', [tenant.tenantId]));
      expect(adHoc).toEqual([{ n: 0 }]);
    }
    // Plain statements on every connection of the pool afterwards: no tenant is set, so RLS shows nothing.
    const after = await Promise.all(Array.from({ length: 12 }, async () => (await pool().query(`SELECT coalesce(current_setting('app.tenant_id', true), '') AS tenant, (SELECT count(*)::int FROM users) AS users`)).rows));
    expect(after.flat()).toEqual(Array.from({ length: 12 }, () => ({ tenant: '', users: 0 })));
  });

  it('has committed its write when it answers, and runs after-commit effects only then', async () => {
    const effects: string[] = [];
    const rows = await inTenantStatement(pool(), a.tenantId, async (tx) => {
      tx.afterCommit(() => effects.push('published'));
      const inserted = await tx.prepared('test_insert_audit', INSERT_AUDIT, [a.tenantId, 'test.committed']);
      expect(effects).toEqual([]);
      return inserted;
    });
    expect(rows).toEqual([{ tenantId: a.tenantId }]);
    expect(effects).toEqual(['published']);
    expect(await auditCount(a.tenantId, 'test.committed')).toBe(1);
  });

  it('writes nothing when its statement fails, answers the server\'s error, and the connection stays usable', async () => {
    // RLS refuses a row for another tenant than the scope: the error comes from the server.
    for (let i = 0; i < 25; i++) {
      await expect(inTenantStatement(pool(), a.tenantId, (tx) => tx.prepared('test_insert_audit', INSERT_AUDIT, [b.tenantId, 'test.refused'])))
        .rejects.toMatchObject({ code: '42501' });
    }
    expect(await auditCount(b.tenantId, 'test.refused')).toBe(0);
    const again = await inTenantStatement(pool(), b.tenantId, (tx) => tx.prepared('test_insert_audit', INSERT_AUDIT, [b.tenantId, 'test.after-failures']));
    expect(again).toEqual([{ tenantId: b.tenantId }]);
    expect(await auditCount(b.tenantId, 'test.after-failures')).toBe(1);
  });

  it('takes one statement and counts as one transaction', async () => {
    const counter = new StatementCounter();
    await expect(inTenantStatement(pool(), a.tenantId, async (tx) => {
      await tx.query('SELECT 1');
      await tx.query('SELECT 2');
    }, { observer: counter })).rejects.toThrow(/one statement/);
    expect({ statements: counter.count, transactions: counter.transactions }).toEqual({ statements: 1, transactions: 1 });
  });

  it('fails on a value pg cannot convert, writes nothing, and leaves the pool with no connection held', async () => {
    const unconvertible = { toPostgres: () => { throw new Error('cannot convert'); } };
    const idleBefore = pool().totalCount - pool().idleCount;
    for (let i = 0; i < 3; i++) {
      await expect(inTenantStatement(pool(), a.tenantId, (tx) => tx.prepared('test_insert_audit', INSERT_AUDIT, [a.tenantId, unconvertible])))
        .rejects.toThrow(/cannot convert/);
      await expect(inTenantStatement(pool(), a.tenantId, (tx) => tx.query('SELECT $1::text AS v', [unconvertible]))).rejects.toThrow(/cannot convert/);
    }
    expect(pool().totalCount - pool().idleCount).toBe(idleBefore);
    expect(pool().waitingCount).toBe(0);
    const after = await inTenantStatement(pool(), a.tenantId, (tx) => tx.prepared('test_insert_audit', INSERT_AUDIT, [a.tenantId, 'test.after-unconvertible']));
    expect(after).toEqual([{ tenantId: a.tenantId }]);
    expect(await auditCount(a.tenantId, 'test.after-unconvertible')).toBe(1);
  });

  it('runs on the pg release whose internals it was written against (an upgrade must read them again)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('pg/package.json').version).toBe(PG_RELEASE_CHECKED);
  });

  it('refuses a tenant id that is not a UUID', async () => {
    await expect(inTenantStatement(pool(), "x'); SELECT 1; --", (tx) => tx.query('SELECT 1'))).rejects.toThrow(/UUID/);
  });
});
