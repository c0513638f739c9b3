import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ROLE } from '../../src/db/app-role';
import { runMigrations } from '../../src/db/database';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded/embedded-postgres';
import { withPgClient } from '../../src/db/pg-client';
import { createLogger } from '../../src/platform/logger';
import { ROOT } from './careslot';

export interface BenchDatabase {
  /** Owner (superuser) connection to the fresh bench database: migrations and data generation. */
  ownerUrl: string;
  /** A throw-away login that is a member of careslot_app: row-level security binds it like the app. */
  appUrl: string;
  serverVersion: string;
  embedded: boolean;
  migrateMs: number;
  /** Another fresh bench database on the same server (a second careslot's, scenario 8); dropped by its own drop(). */
  another(): Promise<BenchDatabase>;
  /** Drops the database and its login (and stops the embedded server, for the first database). */
  drop(): Promise<void>;
}

/**
 * A fresh database `careslot_bench_<random>` on DATABASE_URL's server (else on an embedded
 * PostgreSQL in bench/.work/pg), migrated by the product's own runMigrations. The app connects
 * through its own login role, so the shared careslot_app role's password is never touched
 * (other servers and test runs on the same PostgreSQL keep working).
 */
export async function createBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  if (!process.env.DATABASE_URL) {
    log('DATABASE_URL unset: starting the embedded PostgreSQL in bench/.work/pg (its log: bench/.work/postgres.log)');
    mkdirSync(join(ROOT, 'bench', '.work'), { recursive: true });
    // Its server log (expected exclusion violations, dropped floor connections) goes to a file, not the console.
    const serverLog = createWriteStream(join(ROOT, 'bench', '.work', 'postgres.log'), { flags: 'a' });
    embedded = await startEmbeddedPostgres({ dataDir: join(ROOT, 'bench', '.work', 'pg'), log: (line) => serverLog.write(`${line}\n`) });
  }
  const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
  try {
    const first = await createDatabaseOn(serverUrl, log, !!embedded);
    return { ...first, drop: async () => { await first.drop(); await embedded?.stop(); } };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

async function createDatabaseOn(serverUrl: string, log: (line: string) => void, embedded: boolean): Promise<BenchDatabase> {
  const suffix = randomBytes(4).toString('hex');
  const name = `careslot_bench_${suffix}`;
  const role = `careslot_bench_${suffix}`;
  const password = randomBytes(18).toString('hex');
  const ownerUrl = withDatabase(serverUrl, name);
  await withPgClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  let roleCreated = false;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await withPgClient(serverUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      if (roleCreated) await client.query(`DROP ROLE IF EXISTS "${role}"`);
    }).catch((error: Error) => log(`could not drop ${name}: ${error.message}`));
  };
  try {
    const started = performance.now();
    await runMigrations(ownerUrl, createLogger({ LOG_LEVEL: 'warn' }));
    const migrateMs = performance.now() - started;
    const serverVersion = await withPgClient(ownerUrl, async (client) => {
      const { rows: [me] } = await client.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
        'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user');
      if (!me.rolsuper && !me.rolbypassrls) throw new Error('the bench generates data across tenants: DATABASE_URL must be a superuser or BYPASSRLS role');
      await client.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS IN ROLE ${APP_ROLE}`);
      roleCreated = true;
      return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    });
    const appUrl = new URL(ownerUrl);
    appUrl.username = role;
    appUrl.password = password;
    return {
      ownerUrl, appUrl: appUrl.toString(), serverVersion, embedded, migrateMs, drop,
      another: () => createDatabaseOn(serverUrl, log, embedded),
    };
  } catch (error) {
    await drop();
    throw error;
  }
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
