import 'reflect-metadata';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { openOwnerDatabase, runMigrations } from '../src/db/database';
import { createLogger } from '../src/platform/logger';

/**
 * The migrations of the database `npm start` uses (DATABASE_URL, else the embedded PostgreSQL in
 * DATA_DIR), each command saying what it found or did:
 *   npm run migration:show     every migration, applied or pending
 *   npm run migration:run      applies the pending ones
 *   npm run migration:revert   reverts the last applied one
 */
const COMMANDS = ['show', 'run', 'revert'] as const;
type Command = (typeof COMMANDS)[number];

async function main(): Promise<void> {
  const command = process.argv[2] as Command;
  if (!COMMANDS.includes(command)) throw new Error(`usage: node dist/scripts/migrations.js <${COMMANDS.join('|')}>`);
  const config = loadConfig(process.env, { DEMO_DATA: false });
  const logger = createLogger({ LOG_LEVEL: 'warn' });
  const owner = await openOwnerDatabase(config, logger);
  const where = owner.embedded ? `the embedded database in ${config.DATA_DIR}` : 'DATABASE_URL';
  try {
    if (command === 'run') {
      const applied = await runMigrations(owner.ownerUrl, logger);
      for (const name of applied) say(`  applied   ${name}`);
      say(applied.length > 0 ? `migration:run: applied ${applied.length} migration(s) on ${where}.` : `migration:run: nothing to apply on ${where}; it is up to date.`);
      return;
    }
    const dataSource = createDataSource({ url: owner.ownerUrl, poolSize: 1, applicationName: 'careslot-migrations', onPoolError: (error) => logger.error(error.message) });
    await dataSource.initialize();
    try {
      const applied = await appliedMigrations(dataSource);
      if (command === 'show') {
        for (const migration of dataSource.migrations) say(`  ${applied.has(migration.name!) ? '[applied]' : '[pending]'} ${migration.name}`);
        const pending = dataSource.migrations.filter((migration) => !applied.has(migration.name!)).length;
        say(`migration:show: ${dataSource.migrations.length} migration(s) on ${where}: ${dataSource.migrations.length - pending} applied, ${pending} pending.`);
        return;
      }
      const last = [...dataSource.migrations].reverse().find((migration) => applied.has(migration.name!));
      if (!last) {
        say(`migration:revert: nothing to revert on ${where}; no migration is applied.`);
        return;
      }
      await dataSource.undoLastMigration({ transaction: 'each' });
      say(`  reverted  ${last.name}`);
      say(`migration:revert: reverted ${last.name} on ${where}; \`npm run migration:run\` applies it again.`);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await owner.close();
  }
}

/** Names of the migrations recorded as applied (none when the table does not exist yet). */
async function appliedMigrations(dataSource: ReturnType<typeof createDataSource>): Promise<Set<string>> {
  const [{ exists }] = await dataSource.query(`SELECT to_regclass('typeorm_migrations') IS NOT NULL AS exists`);
  if (!exists) return new Set();
  const rows: Array<{ name: string }> = await dataSource.query('SELECT name FROM typeorm_migrations');
  return new Set(rows.map((row) => row.name));
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
