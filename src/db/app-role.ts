import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { withPgClient } from './pg-client';
import { deriveKey } from '../platform/secret-key';

/** The group role the migrations create and grant to (NOLOGIN, no BYPASSRLS); each deployment's login is a member. */
export const APP_ROLE = 'careslot_app';

/** The deployment's login role: a member of careslot_app (which holds the grants), of this database alone. */
export interface AppLogin {
  role: string;
  url: string;
}

/**
 * careslot_app_<database>, as a PostgreSQL identifier: databases on one server have distinct names,
 * so deployments sharing a server never share a login (nor reset each other's password).
 */
export function defaultAppRole(databaseName: string): string {
  const name = `${APP_ROLE}_${databaseName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  if (name.length <= 63) return name;
  return `${name.slice(0, 50)}_${createHash('sha256').update(databaseName).digest('hex').slice(0, 12)}`;
}

export class AppRoleTaken extends Error {}

/**
 * The URL the application connects with: DATABASE_APP_URL when given, else this deployment's own
 * login role on the owner's server, created on first start with a password derived from the secret
 * key. The role is marked with its database (asked as the owner, so even a server that trusts every
 * password tells whose it is): a start never takes over, nor changes the password of, a role
 * another deployment uses. CONNECT on the database is given to that role and taken from
 * PUBLIC, so another deployment's login (also a member of careslot_app) cannot reach these tables.
 */
export async function resolveAppDatabaseUrl(ownerUrl: string, appUrl: string | undefined, secretKey: Buffer, configuredRole: string | undefined): Promise<string> {
  if (appUrl) return appUrl;
  const database = databaseNameOf(ownerUrl);
  const role = configuredRole ?? defaultAppRole(database);
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = deriveKey(secretKey, `database:app-role-password:${role}`).toString('hex');
  const login = url.toString();
  const mark = roleMark(database);
  const markOf = async (client: { query: Client['query'] }) => (await client.query<{ mark: string | null }>(
    `SELECT shobj_description(oid, 'pg_authid') AS mark FROM pg_roles WHERE rolname = $1`, [role])).rows[0];
  const existing = await withPgClient(ownerUrl, markOf);
  if (existing && existing.mark !== mark) throw roleTaken(role, existing.mark);
  // Ours already: log in as it (many servers starting at once would otherwise all ALTER the role together).
  if (existing && await canConnect(login)) return login;
  await withPgClient(ownerUrl, async (client) => {
    const now = await markOf(client);
    if (now && now.mark !== mark) throw roleTaken(role, now.mark);
    if (!now) await createRole(client, role);
    await client.query(`ALTER ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${url.password}'`);
    await client.query(`COMMENT ON ROLE ${role} IS '${mark}'`);
    await client.query(`GRANT ${APP_ROLE} TO ${role}`);
    await client.query(`REVOKE CONNECT ON DATABASE "${database}" FROM PUBLIC`);
    await client.query(`GRANT CONNECT ON DATABASE "${database}" TO ${role}`);
  });
  return login;
}

/** Drops a deployment's login role (tests and benchmarks that throw their database away). */
export async function dropAppRole(serverUrl: string, role: string): Promise<void> {
  await withPgClient(serverUrl, async (client) => {
    await client.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await client.query(`DROP ROLE IF EXISTS ${role}`);
  });
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

const roleMark = (database: string): string => `careslot app login of database ${database}`.replace(/'/g, '');

async function createRole(client: { query(sql: string): Promise<unknown> }, role: string): Promise<void> {
  try {
    await client.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`);
  } catch (error) {
    // Another instance of this deployment created it a moment ago.
    if ((error as { code?: string }).code !== '42710') throw error;
  }
}

async function canConnect(url: string): Promise<boolean> {
  try {
    await withPgClient(url, (client) => client.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

function roleTaken(role: string, mark: string | null): AppRoleTaken {
  return new AppRoleTaken(`The role ${role} exists and is not this deployment's login (${mark ?? 'no careslot mark'}): set DATABASE_APP_ROLE to another name`);
}
