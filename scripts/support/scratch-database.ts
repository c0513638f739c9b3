import { randomBytes } from 'node:crypto';
import { withPgClient } from '../../src/db/pg-client';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A throw-away database on the server DATABASE_URL points at. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('Set DATABASE_URL to a PostgreSQL server where scratch databases may be created.');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withPgClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withPgClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
