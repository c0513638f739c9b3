import { withPgClient } from './pg-client';
import { APP_ROLE } from '../../migrations/support/rls';
import { deriveKey } from '../platform/secret-key';

/**
 * The URL the application connects with: DATABASE_APP_URL when given, else the careslot_app
 * role on the owner's server, given LOGIN and a password derived from the secret key.
 */
export async function resolveAppDatabaseUrl(ownerUrl: string, appUrl: string | undefined, secretKey: Buffer): Promise<string> {
  if (appUrl) return appUrl;
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = deriveKey(secretKey, 'database:app-role-password').toString('hex');
  const derived = url.toString();
  // Try first (once the role may log in): many servers starting at once (tests, replicas) would
  // otherwise all ALTER the role together.
  const mayLogIn = await withPgClient(ownerUrl, async (client) =>
    (await client.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, [APP_ROLE])).rows[0]?.rolcanlogin === true);
  if (mayLogIn && await canConnect(derived)) return derived;
  await withPgClient(ownerUrl, (client) =>
    client.query(`ALTER ROLE ${APP_ROLE} LOGIN PASSWORD '${url.password}'`),
  );
  return derived;
}

async function canConnect(url: string): Promise<boolean> {
  try {
    await withPgClient(url, (client) => client.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}
