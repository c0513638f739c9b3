import 'reflect-metadata';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { startEmbeddedPostgres, EmbeddedPostgresError, type EmbeddedDatabase } from '../src/db/embedded/embedded-postgres';
import { withPgClient } from '../src/db/pg-client';
import { RequestContext } from '../src/context/request-context';
import { createLogger } from '../src/platform/logger';
import { createServer, type CareslotServer } from '../src/server';
import { provisionTenant } from '../src/services/identity/tenant-provisioning';

/**
 * Two careslot servers, two databases, one share between them — to watch a booking cross over:
 *   npm run demo:federation [-- --sharing-port 4101 --client-port 4102]
 * Runs on its own embedded PostgreSQL in .data/demo-federation (so it runs beside `npm start`), or
 * on DATABASE_URL's server, with the databases careslot_demo_sharing and careslot_demo_client.
 */
const DATA_DIR = join('.data', 'demo-federation');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'sharing-port': { type: 'string', default: '4101' }, 'client-port': { type: 'string', default: '4102' } } });
  const ports = { sharing: port(values['sharing-port']!, '--sharing-port'), client: port(values['client-port']!, '--client-port') };
  const logger = createLogger({ LOG_LEVEL: 'warn' });
  const embedded = process.env.DATABASE_URL ? undefined : await startDemoDatabase(logger.warn.bind(logger));
  const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
  const sharing = await startDemoServer(serverUrl, 'careslot_demo_sharing', ports.sharing, '--sharing-port');
  const client = await startDemoServer(serverUrl, 'careslot_demo_client', ports.client, '--client-port');

  const sharingTenant = await provisionTenant(sharing.server.database.tenants, { name: 'Vårdcentral Söder (sharing)', adminEmail: 'admin@soder.example', adminName: 'Anna Söder' });
  const clientTenant = await provisionTenant(client.server.database.tenants, { name: 'Bygg & Hälsa AB (client)', adminEmail: 'admin@bygg.example', adminName: 'Bo Bygg' });
  const sharingCtx = adminContext(sharing.server, sharingTenant.tenantId, sharingTenant.adminUserId);
  const clientCtx = adminContext(client.server, clientTenant.tenantId, clientTenant.adminUserId);

  const catalog = sharing.server.services.catalog;
  const centre = await catalog.centres.create(sharingCtx, { name: 'Vårdcentral Söder', timeZone: 'Europe/Stockholm' });
  const service = await catalog.medicalServices.create(sharingCtx, { code: 'HEALTH-CHECK', name: 'Health examination', durationMinutes: 30 });
  const validFrom = new Date().toISOString().slice(0, 10);
  const schedule = await catalog.schedules.create(sharingCtx, {
    centreId: centre.id, name: 'Dr. Lena Ek', slotMinutes: 30, serviceIds: [service.id],
    openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startTime: '08:00', endTime: '16:00', validFrom })),
  });
  const share = await sharing.server.services.shares.createShare(sharingCtx, { centreId: centre.id, scheduleIds: [schedule.id], label: 'Bygg & Hälsa', restrictions: {} });

  const clientCentre = await client.server.services.catalog.centres.create(clientCtx, { name: 'Bygg & Hälsa Företagshälsa', timeZone: 'Europe/Stockholm' });
  const link = await client.server.services.links.create(clientCtx, {
    centreId: clientCentre.id, url: sharing.url, remoteCentreId: centre.id, token: share.token, label: 'Vårdcentral Söder',
  });
  if (!link.ok) throw new Error(`link failed: ${link.message}`);
  const booking = await firstFreeSlot(client.server, clientCtx, clientCentre.id);

  process.stdout.write([
    '',
    'Two careslot servers share a schedule:',
    '',
    `  Sharing server  ${sharing.url}/graphiql#token=${sharingTenant.adminToken}`,
    `    centre "Vårdcentral Söder" ${centre.id}, shared schedule ${schedule.id}`,
    `  Client server   ${client.url}/graphiql#token=${clientTenant.adminToken}`,
    `    centre "Bygg & Hälsa Företagshälsa" ${clientCentre.id}, its copy of the shared schedule ${booking.scheduleId}`,
    '',
    `  Shared link token (given to the client): ${share.token}`,
    '',
    'In the client\'s GraphiQL, book in the shared schedule (ready to run):',
    '',
    'mutation {',
    '  bookAppointment(input: {',
    `    scheduleId: "${booking.scheduleId}", serviceId: "${booking.serviceId}", start: "${booking.start}",`,
    `    idempotencyKey: "demo-${Date.now()}", newPatient: { familyName: "Lind", givenName: "Eva" }`,
    '  }) { __typename ... on Appointment { id start origin } ... on SlotUnavailable { message } }',
    '}',
    '',
    'On the sharing server, { appointments { nodes { start clientCentreName displayMarker } } } shows it with *.',
    'Stop with Ctrl+C.',
    '',
  ].join('\n'));

  const stop = async () => {
    await client.server.close();
    await sharing.server.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

function port(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${option} must be a port number (1–65535), not "${text}"`);
  return value;
}

async function startDemoDatabase(log: (line: string) => void): Promise<EmbeddedDatabase> {
  try {
    return await startEmbeddedPostgres({ dataDir: resolve(DATA_DIR, 'pg'), log });
  } catch (error) {
    if (error instanceof EmbeddedPostgresError && /in use/.test(error.message)) {
      throw new Error(`${error.message}.\nThe demo's data folder ${DATA_DIR} is in use: another demo:federation is running. Stop it (Ctrl+C in its terminal), or run this one on a PostgreSQL server of your own with DATABASE_URL=postgres://…`, { cause: error });
    }
    throw error;
  }
}

async function startDemoServer(serverUrl: string, database: string, listenPort: number, option: string): Promise<{ server: CareslotServer; url: string }> {
  await withPgClient(serverUrl, async (pg) => {
    await pg.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await pg.query(`CREATE DATABASE "${database}"`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const config = loadConfig(process.env, { DATABASE_URL: url.toString(), PORT: listenPort, DEMO_DATA: false, LOG_LEVEL: 'warn', DATA_DIR });
  const server = await createServer(config);
  try {
    return { server, url: await server.listen() };
  } catch (error) {
    await server.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${listenPort} is in use: choose another with ${option} <port>`, { cause: error });
    throw error;
  }
}

/** The client's copy of the shared schedule, its copy of the service, and the first free start tomorrow or later. */
async function firstFreeSlot(server: CareslotServer, ctx: RequestContext, centreId: string): Promise<{ scheduleId: string; serviceId: string; start: string }> {
  const from = new Date(Date.now() + 24 * 3600_000);
  const to = new Date(from.getTime() + 7 * 24 * 3600_000);
  const services = await server.services.catalog.medicalServices.services(ctx, { first: 10 });
  const serviceId = services.nodes[0]!.id;
  const availability = await server.services.availability.availability(ctx, { centreId, from, to, serviceId, includeSlots: true });
  for (const schedule of availability.schedules) {
    const free = schedule.slots?.find(([, , state]) => state === 'FREE');
    if (free) return { scheduleId: schedule.scheduleId, serviceId, start: free[0] };
  }
  throw new Error('the shared schedule has no free slot in the next week');
}

function adminContext(server: CareslotServer, tenantId: string, userId: string): RequestContext {
  return new RequestContext(server.database.tenants, { kind: 'STAFF_USER', tenantId, credentialId: userId, userId, roles: ['ADMIN', 'SCHEDULER'], permissions: [] }, server.logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
