import type { PoolClient } from 'pg';
import { defaultAppRole } from '../../src/db/app-role';
import { withPgClient } from '../../src/db/pg-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createTenant } from '../factories/tenants';

/** Read from the catalog, so every table added later is checked without touching this test. */
const TENANT_TABLES_SQL = `
  SELECT c.relname AS "table", c.relrowsecurity AS "enabled", c.relforcerowsecurity AS "forced",
         (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS "policies"
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r'
    AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
  ORDER BY c.relname`;

describe('row-level security, checked from the catalog and as the app role', () => {
  let app: TestServer;

  beforeAll(async () => {
    app = await startTestServer();
    await createTenant(app);
    await createTenant(app);
  });
  afterAll(() => app.close());

  /** A transaction as the app role, by hand (the tenant scope is what the test sets). */
  async function inAppTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await app.server.database.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  it('forces RLS with a policy on every tenant-owned table', async () => {
    const tables = await withPgClient(app.databaseUrl, async (client) => (await client.query(TENANT_TABLES_SQL)).rows);
    expect(tables.length).toBeGreaterThanOrEqual(4);
    for (const table of tables) expect(table).toEqual({ table: table.table, enabled: true, forced: true, policies: expect.any(Number) });
    expect(tables.every((t) => t.policies >= 1)).toBe(true);
  });

  it('puts tenant_id first in every primary key and unique constraint', async () => {
    const constraints = await withPgClient(app.databaseUrl, async (client) => (await client.query(`
      SELECT c.conrelid::regclass::text AS "table", c.conname AS "name", a.attname AS "firstColumn"
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype IN ('p', 'u', 'x') AND c.connamespace = 'public'::regnamespace
        AND c.conrelid::regclass::text <> 'tenants'
        AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.conrelid AND t.attname = 'tenant_id')`)).rows);
    expect(constraints.length).toBeGreaterThan(0);
    for (const constraint of constraints) expect(constraint).toEqual({ ...constraint, firstColumn: 'tenant_id' });
  });

  it('shows the app role nothing when no tenant is set, and only that tenant when one is', async () => {
    const pool = app.server.database.pool;
    const rowsOf = async (sql: string) => (await pool.query(sql)).rows;
    const tables = await withPgClient(app.databaseUrl, async (client) => (await client.query(TENANT_TABLES_SQL)).rows as Array<{ table: string }>);
    const role = await rowsOf(`SELECT current_user AS name, rolsuper, rolbypassrls, pg_has_role(current_user, 'careslot_app', 'MEMBER') AS "appMember"
      FROM pg_roles WHERE rolname = current_user`);
    expect(role).toEqual([{ name: defaultAppRole(new URL(app.databaseUrl).pathname.slice(1)), rolsuper: false, rolbypassrls: false, appMember: true }]);
    for (const { table } of tables) {
      const [{ count }] = await rowsOf(`SELECT count(*)::int AS count FROM "${table}"`);
      expect({ table, count }).toEqual({ table, count: 0 });
    }
    const [{ id: someTenant }] = await withPgClient(app.databaseUrl, async (client) => (await client.query('SELECT id FROM tenants LIMIT 1')).rows);
    const visible = await inAppTransaction(async (client) => {
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [someTenant]);
      return (await client.query('SELECT DISTINCT tenant_id FROM users')).rows;
    });
    expect(visible).toEqual([{ tenant_id: someTenant }]);
  });

  it('refuses to write a row for another tenant than the one set', async () => {
    const [a, b] = await withPgClient(app.databaseUrl, async (client) => (await client.query('SELECT id FROM tenants ORDER BY id LIMIT 2')).rows.map((r) => r.id as string));
    await expect(
      inAppTransaction(async (client) => {
        await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [a]);
        await client.query(`INSERT INTO users (tenant_id, email, display_name) VALUES ($1, 'intruder@test.example', 'X')`, [b]);
      }),
    ).rejects.toThrow(/row-level security/);
  });
});
