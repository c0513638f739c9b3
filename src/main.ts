import 'reflect-metadata';
import { ConfigError, loadConfig, unknownSettings } from './config';
import { seedDemoData, type DemoData } from './demo/seed-demo-data';
import { createLogger } from './platform/logger';
import { createServer } from './server';

const STOP_DEADLINE_MS = 8_000;

/** Process entry: config → database → server → listen; stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  for (const unknown of unknownSettings()) logger.warn({ variable: unknown.name, suggestion: unknown.suggestion }, unknown.message);
  const started = Date.now();
  const server = await createServer(config, { logger });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // A process manager waits about 10 s before it kills: never hang past that. Exiting stops the
    // embedded PostgreSQL too (its exit handler and watchdog).
    setTimeout(() => {
      logger.error({ signal }, 'stop took longer than 8 s; exiting anyway');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    server.close().then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: String(error) }, 'unclean stop');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const url = await server.listen();
  logger.info({ url, startupMs: Date.now() - started, embeddedDatabase: !config.DATABASE_URL }, 'careslot is listening');
  if (config.DEMO_DATA) {
    const demo = await seedDemoData(server);
    printBanner(url, demo.admins);
  } else {
    process.stdout.write(`\ncareslot is running. GraphiQL: ${url}/graphiql\n\n`);
  }
}

function printBanner(url: string, admins: DemoData['admins']): void {
  const lines = [
    '',
    `careslot is running with demo data. Open GraphiQL: ${url}/graphiql`,
    '',
    ...admins.flatMap((admin) => [
      `  ${admin.tenantName} — admin ${admin.email}`,
      `    GraphiQL, signed in: ${url}/graphiql#token=${admin.token}`,
      `    Header to paste:     {"Authorization": "Bearer ${admin.token}"}`,
      ...(admin.partnerApp ? [
        `    Partner app of ${admin.partnerApp.partnerName} (books through its traffic channels):`,
        `      GraphiQL, signed in: ${url}/graphiql#token=${admin.partnerApp.token}`,
      ] : []),
      '',
    ]),
    'Tokens are new at every start (earlier demo tokens are revoked). Stop with Ctrl+C.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`careslot failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
