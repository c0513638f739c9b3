import 'reflect-metadata';
import { createDataSource } from './src/db/data-source';

/**
 * The DataSource for the TypeORM CLI (migration:run, migration:revert, migration:show),
 * connected as the owner role. Example:
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/careslot npx typeorm -d ormconfig.ts migration:show
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL to the owner connection of the database to migrate (or use npm run migration:show|run|revert, which also work on the embedded default).');

export default createDataSource({
  url,
  applicationName: 'careslot-cli',
  onPoolError: (error) => console.error(`database pool error: ${error.message}`),
});
