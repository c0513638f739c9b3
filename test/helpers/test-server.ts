import 'reflect-metadata';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/platform/logger';
import { createServer, type CareslotServer, type ServerOptions } from '../../src/server';
import { cloneTemplateDatabase } from './test-database';

export const TEST_SECRET_KEY = 'a'.repeat(64);

export interface TestServer {
  server: CareslotServer;
  url: string;
  databaseUrl: string;
  close(): Promise<void>;
}

export interface TestServerOptions extends ServerOptions {
  config?: Partial<Config>;
  /** Share another test server's database (several instances on one database). */
  databaseUrl?: string;
}

/** A real careslot server on a random loopback port, on its own clone of the migrated template. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.databaseUrl ? undefined : await cloneTemplateDatabase();
  const databaseUrl = options.databaseUrl ?? database!.url;
  const config = loadConfig(
    { NODE_ENV: 'test' },
    {
      DATABASE_URL: databaseUrl, MIGRATIONS_RUN: false, DEMO_DATA: false,
      LOG_LEVEL: (process.env.TEST_LOG_LEVEL as Config['LOG_LEVEL'] | undefined) ?? 'silent',
      SECRET_KEY: TEST_SECRET_KEY, DEBUG_SQL_COUNT: true, PORT: 0, DATA_DIR: '.data/test',
      ...options.config,
    },
  );
  const server = await createServer(config, { logger: options.logger ?? createLogger(config), ...options });
  const url = await server.listen(0, '127.0.0.1');
  return {
    server, url, databaseUrl,
    close: async () => {
      await server.close();
      await database?.drop();
    },
  };
}
