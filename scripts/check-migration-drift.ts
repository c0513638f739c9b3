import 'reflect-metadata';
import { createDataSource } from '../src/db/data-source';
import { createScratchDatabase } from './support/scratch-database';

/**
 * TypeORM's schema builder reads enum column types with several queries at once on one pg client,
 * which pg 8 reports as a DeprecationWarning. The comparison is still right (pg queues them); the
 * warning is TypeORM's to fix, and only that one is silenced, here only.
 */
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning).startsWith('Calling client.query() when the client is already executing a query')) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

/**
 * Fails when entities and migrations disagree: migrates a scratch database up,
 * asks TypeORM what it would change, then walks every migration down and up again.
 */
async function main(): Promise<void> {
  const scratch = await createScratchDatabase('careslot_drift');
  const dataSource = createDataSource({ url: scratch.url, onPoolError: (e) => console.error(e.message) });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const pending = await dataSource.driver.createSchemaBuilder().log();
    if (pending.upQueries.length > 0) {
      console.error('Entities and migrations drift apart; TypeORM would run:');
      for (const query of pending.upQueries) console.error(`  ${query.query.trim()};`);
      process.exitCode = 1;
      return;
    }
    for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    await dataSource.runMigrations({ transaction: 'each' });
    console.log(`No drift: ${dataSource.migrations.length} migration(s) match the entities, and each reverts and re-applies.`);
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
