import { defaultAppRole } from '../../src/db/app-role';
import { withPgClient } from '../../src/db/pg-client';
import { SERVER_ENV, TEMPLATE_ENV } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env[SERVER_ENV];
  const template = process.env[TEMPLATE_ENV];
  if (serverUrl && template) {
    await withPgClient(serverUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${template}%`]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      // The login roles their servers made (a test that failed before dropping its database leaves one).
      const roles = await client.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1`, [`${defaultAppRole(template)}%`]);
      for (const { rolname } of roles.rows) await client.query(`DROP ROLE IF EXISTS "${rolname}"`);
    });
  }
  await (globalThis as { __embeddedTestDb?: { stop(): Promise<void> } }).__embeddedTestDb?.stop();
}
