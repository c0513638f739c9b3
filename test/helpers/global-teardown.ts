import { withPgClient } from '../../src/db/pg-client';
import { SERVER_ENV, TEMPLATE_ENV } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env[SERVER_ENV];
  const template = process.env[TEMPLATE_ENV];
  if (serverUrl && template) {
    await withPgClient(serverUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${template}%`]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  }
  await (globalThis as { __embeddedTestDb?: { stop(): Promise<void> } }).__embeddedTestDb?.stop();
}
