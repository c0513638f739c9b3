import 'reflect-metadata';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres';
import { withPgClient } from '../src/db/pg-client';
import { RequestContext } from '../src/context/request-context';
import { createLogger } from '../src/platform/logger';
import { createServer, type CareslotServer } from '../src/server';
import { provisionTenant } from '../src/services/identity/tenant-provisioning';

/**
 * Two careslot servers, two databases, one share between them — to watch a booking cross over:
 *   npm run demo:federation
 * Uses the embedded PostgreSQL (or DATABASE_URL's server) with databases careslot_demo_sharing and careslot_demo_client.
 */
async function main(): Promise<void> {
  const logger = createLogger({ LOG_LEVEL: 'warn' });
  const embedded: EmbeddedDatabase | undefined = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: resolve(join('.data', 'pg')), log: (line) => logger.warn(line) });
  const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
  const sharing = await startDemoServer(serverUrl, 'careslot_demo_sharing', 4101);
  const client = await startDemoServer(serverUrl, 'careslot_demo_client', 4102);

  const sharingTenant = await provisionTenant(sharing.server.database.app, { name: 'Vårdcentral Söder (sharing)', adminEmail: 'admin@soder.example', adminName: 'Anna Söder' });
  const clientTenant = await provisionTenant(client.server.database.app, { name: 'Bygg & Hälsa AB (client)', adminEmail: 'admin@bygg.example', adminName: 'Bo Bygg' });
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

  process.stdout.write([
    '',
    'Two careslot servers share a schedule:',
    '',
    `  Sharing server  ${sharing.url}/graphiql#token=${sharingTenant.adminToken}`,
    `    centre "Vårdcentral Söder" ${centre.id}, shared schedule ${schedule.id}`,
    `  Client server   ${client.url}/graphiql#token=${clientTenant.adminToken}`,
    `    centre "Bygg & Hälsa Företagshälsa" ${clientCentre.id}`,
    '',
    `  Shared link token (given to the client): ${share.token}`,
    '',
    'On the client, ask availability(centreId: ...) for the client centre: the shared schedule appears.',
    'Book in it with bookAppointment; on the sharing server, appointments { nodes { clientCentreName displayMarker } } shows it with *.',
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

async function startDemoServer(serverUrl: string, database: string, port: number): Promise<{ server: CareslotServer; url: string }> {
  await withPgClient(serverUrl, async (pg) => {
    await pg.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await pg.query(`CREATE DATABASE "${database}"`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const config = loadConfig(process.env, { DATABASE_URL: url.toString(), PORT: port, DEMO_DATA: false, LOG_LEVEL: 'warn' });
  const server = await createServer(config);
  return { server, url: await server.listen() };
}

function adminContext(server: CareslotServer, tenantId: string, userId: string): RequestContext {
  return new RequestContext(server.database.app, { kind: 'STAFF_USER', tenantId, credentialId: userId, userId, roles: ['ADMIN', 'SCHEDULER'], permissions: [] }, server.logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
