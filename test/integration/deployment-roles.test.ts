import { Client } from 'pg';
import { defaultAppRole } from '../../src/db/app-role';
import { withPgClient } from '../../src/db/pg-client';
import { createTenant } from '../factories/tenants';
import { gqlOk } from '../helpers/graphql-client';
import { cloneTemplateDatabase, testServerUrl } from '../helpers/test-database';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Deployments that share one PostgreSQL server, each with its own database and secret key, stay
 * independent: each logs in as a role of its own (never resetting another's password), and one
 * deployment's login cannot even connect to another's database.
 */
const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);

describe('deployments sharing a PostgreSQL server', () => {
  const databases: Array<Awaited<ReturnType<typeof cloneTemplateDatabase>>> = [];
  const servers: TestServer[] = [];

  afterAll(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    for (const database of databases) await database.drop();
  });

  async function start(databaseUrl: string, secretKey: string, extra: Record<string, unknown> = {}): Promise<TestServer> {
    const server = await startTestServer({ databaseUrl, config: { SECRET_KEY: secretKey, ...extra } });
    servers.push(server);
    return server;
  }

  const passwordOf = (role: string) => withPgClient(testServerUrl(), async (client) =>
    (await client.query<{ password: string }>('SELECT rolpassword AS password FROM pg_authid WHERE rolname = $1', [role])).rows[0]?.password);

  it('gives each deployment its own login, which another deployment\'s start never changes', async () => {
    const [a, b] = [await cloneTemplateDatabase(), await cloneTemplateDatabase()];
    databases.push(a, b);
    const serverA = await start(a.url, KEY_A);
    const serverB = await start(b.url, KEY_B);
    const [roleA, roleB] = [defaultAppRole(a.name), defaultAppRole(b.name)];
    expect(roleA).not.toBe(roleB);
    const passwordB = await passwordOf(roleB);

    // A restarts (twice, as a crash loop would): B's password stays, and a new instance of B logs in.
    await serverA.close();
    await start(a.url, KEY_A);
    await start(a.url, KEY_A);
    expect(await passwordOf(roleB)).toBe(passwordB);
    const freshB = await start(b.url, KEY_B);
    for (const server of [serverB, freshB]) {
      const tenant = await createTenant(server);
      expect(await gqlOk(server, '{ viewer { kind } }', {}, tenant.adminToken)).toEqual({ viewer: { kind: 'STAFF_USER' } });
    }
  });

  it('keeps one deployment\'s login out of another deployment\'s database', async () => {
    const [a, b] = [await cloneTemplateDatabase(), await cloneTemplateDatabase()];
    databases.push(a, b);
    const serverA = await start(a.url, KEY_A);
    await start(b.url, KEY_B);
    const loginA = new URL(serverA.server.database.appUrl);
    const intruder = new URL(b.url);
    intruder.username = loginA.username;
    intruder.password = loginA.password;
    const client = new Client({ connectionString: intruder.toString() });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toThrow(/permission denied for database/);
  });

  it('refuses to start on a role that belongs to another deployment, and says what to set', async () => {
    const [a, b] = [await cloneTemplateDatabase(), await cloneTemplateDatabase()];
    databases.push(a, b);
    await start(a.url, KEY_A);
    await expect(start(b.url, KEY_B, { DATABASE_APP_ROLE: defaultAppRole(a.name) })).rejects.toThrow(/DATABASE_APP_ROLE/);
  });
});
