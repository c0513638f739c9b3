import { join, resolve } from 'node:path';
import type { Pool } from 'pg';
import type { Config } from '../config';
import type { Logger } from '../platform/logger';
import { databaseNameOf, resolveAppDatabaseUrl } from './app-role';
import { createDataSource } from './data-source';
import { createAppPool } from './app-pool';
import { TenantDatabase } from './tenant-database';
import { withPgClient } from './pg-client';
import { runMigrations as runJobQueueMigrations } from 'graphile-worker';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded/embedded-postgres';

export interface Database {
  /** Transactions scoped to a tenant, on the app pool. */
  tenants: TenantDatabase;
  /** Connected as the non-owner app role: row-level security applies to everything it does. */
  pool: Pool;
  /** The app role's connection string (the event bus listens on a connection of its own). */
  appUrl: string;
  /** The owner connection string (migrations, operator scripts). */
  ownerUrl: string;
  /** The database's name: what tells this deployment apart on a shared server. */
  name: string;
  close(): Promise<void>;
}

/** The owner's connection: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (started, with its database). */
export interface OwnerDatabase {
  ownerUrl: string;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openOwnerDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>, logger: Logger): Promise<OwnerDatabase> {
  if (config.DATABASE_URL) return { ownerUrl: config.DATABASE_URL, embedded: false, close: async () => undefined };
  const embedded = await startEmbedded(config, logger);
  try {
    await ensureDatabaseExists(embedded.url, EMBEDDED_DATABASE);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { ownerUrl: withDatabase(embedded.url, EMBEDDED_DATABASE), embedded: true, close: () => embedded.stop() };
}

/** Embedded or configured server → migrations as owner → the app role's pool. */
export async function openDatabase(config: Config, secretKey: Buffer, logger: Logger): Promise<Database> {
  const owner = await openOwnerDatabase(config, logger);
  const ownerUrl = owner.ownerUrl;
  try {
    if (config.MIGRATIONS_RUN) await runMigrations(ownerUrl, logger);
    const appUrl = await resolveAppDatabaseUrl(ownerUrl, config.DATABASE_APP_URL, secretKey, config.DATABASE_APP_ROLE);
    const pool = createAppPool({
      url: appUrl,
      size: config.DATABASE_POOL_SIZE,
      onError: (error) => logger.error({ err: error.message }, 'database pool error'),
    });
    // Fails the start, not the first request, when the app role cannot log in.
    await pool.query('SELECT 1').catch(async (error: unknown) => {
      await pool.end().catch(() => undefined);
      throw error;
    });
    return {
      tenants: new TenantDatabase(pool),
      pool,
      appUrl,
      ownerUrl,
      name: databaseNameOf(ownerUrl),
      close: async () => {
        await pool.end().catch(() => undefined);
        await owner.close();
      },
    };
  } catch (error) {
    await owner.close();
    throw error;
  }
}

/** Runs the job queue's and careslot's pending migrations; answers the names of careslot's that ran. */
export async function runMigrations(ownerUrl: string, logger: Logger): Promise<string[]> {
  const owner = createDataSource({
    url: ownerUrl,
    poolSize: 1,
    applicationName: 'careslot-migrations',
    onPoolError: (error) => logger.error({ err: error.message }, 'migration pool error'),
  });
  await owner.initialize();
  try {
    // The job queue's schema is graphile-worker's own, versioned by the library: installed first,
    // so that our migrations can grant the app role access to it.
    await runJobQueueMigrations({ connectionString: ownerUrl });
    const applied = await owner.runMigrations({ transaction: 'each' });
    if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    return applied.map((migration) => migration.name);
  } finally {
    await owner.destroy();
  }
}

/** The database careslot uses on its embedded server. */
const EMBEDDED_DATABASE = 'careslot';

async function startEmbedded(config: Pick<Config, 'DATA_DIR'>, logger: Logger): Promise<EmbeddedDatabase> {
  return startEmbeddedPostgres({
    dataDir: resolve(join(config.DATA_DIR, 'pg')),
    log: (line) => logger.warn(line),
  });
}

async function ensureDatabaseExists(serverUrl: string, name: string): Promise<void> {
  await withPgClient(serverUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  });
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
