import { randomBytes } from 'node:crypto';
import { defaultAppRole, dropAppRole } from '../../src/db/app-role';
import { withPgClient } from '../../src/db/pg-client';

/**
 * Test databases: one migrated template per jest run, cloned per test file (CREATE DATABASE …
 * TEMPLATE is a file copy: fast, and files run in parallel without sharing rows).
 */
export const TEMPLATE_ENV = 'CARESLOT_TEST_TEMPLATE_DB';
export const SERVER_ENV = 'CARESLOT_TEST_SERVER_URL';

export function testServerUrl(): string {
  const url = process.env[SERVER_ENV];
  if (!url) throw new Error('test database server unknown: run tests through jest (globalSetup sets it)');
  return url;
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function cloneTemplateDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const serverUrl = testServerUrl();
  const template = process.env[TEMPLATE_ENV]!;
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  await withPgClient(serverUrl, async (client) => {
    // Concurrent clones of one template collide ("source database is being accessed"): retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        if (attempt >= 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
      }
    }
  });
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop: async () => {
      await withPgClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      // Each test database's server made its own login role: it goes with its database.
      await dropAppRole(serverUrl, defaultAppRole(name));
    },
  };
}
