import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runMigrations } from '../../src/db/database';
import { startEmbeddedPostgres } from '../../src/db/embedded/embedded-postgres';
import { withPgClient } from '../../src/db/pg-client';
import { createLogger } from '../../src/platform/logger';
import { SERVER_ENV, TEMPLATE_ENV, databaseUrl } from './test-database';

/**
 * DATABASE_URL (any database on the server) → tests use that PostgreSQL server; unset → the
 * embedded one under .data/test-pg. Either way: one migrated template for this run.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: join(process.cwd(), '.data', 'test-pg'), log: (line) => console.warn(line) });
    (globalThis as { __embeddedTestDb?: { stop(): Promise<void> } }).__embeddedTestDb = embedded;
    serverUrl = embedded.url;
  }
  const template = `careslot_test_${randomBytes(3).toString('hex')}`;
  await withPgClient(serverUrl, (client) => client.query(`CREATE DATABASE "${template}"`));
  await runMigrations(databaseUrl(serverUrl, template), createLogger({ LOG_LEVEL: 'warn' }));
  process.env[SERVER_ENV] = serverUrl;
  process.env[TEMPLATE_ENV] = template;
}
