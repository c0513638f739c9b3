import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createAppPool } from '../../src/db/app-pool';
import { TenantDatabase } from '../../src/db/tenant-database';
import { provisionTenant } from '../../src/services/identity/tenant-provisioning';
import { graphql, startCareslot, type CareslotProcess } from './careslot';
import { TIME_ZONE } from './data';
import type { BenchDatabase } from './database';
import type { BenchContext } from './scenario';

/**
 * Scenario 8's second careslot: the client server, on a database of its own, linked to a share of
 * the bench centre at the bench's careslot (the sharing server). The share, the client centre, its
 * patients and the link are made through the public GraphQL API, as people would; the tenant is
 * provisioned as operators do (no API for that); the mirror ids, which no answer shows, are read
 * from the client database as its owner.
 */
export interface ClientServer {
  careslot: CareslotProcess;
  db: BenchDatabase;
  /** The client tenant's ADMIN. */
  token: string;
  tenantId: string;
  centreId: string;
  patientIds: string[];
  share: { id: string; token: string; serverUrl: string; scheduleIds: string[] };
  linkId: string;
  /** The client's mirror schedule of each shared schedule (by the sharing centre's schedule id). */
  mirrorOf: Record<string, string>;
  /** The client's mirror service of each shared service (by the sharing centre's service id). */
  mirrorServiceOf: Record<string, string>;
  setupMs: Record<string, number>;
  /** Stops the client server and drops its database (once; also registered with ctx.cleanups). */
  release(): Promise<void>;
}

const CREATE_SHARE = `mutation CreateShare($input: CreateScheduleShareInput!) {
  createScheduleShare(input: $input) { token serverUrl centreId share { id scheduleIds } }
}`;
const CREATE_CENTRE = `mutation CreateCentre($input: CreateCentreInput!) { createCentre(input: $input) { id } }`;
const CREATE_PATIENT = `mutation CreatePatient($input: NewPatientInput!) { createPatient(input: $input) { id } }`;
const CREATE_LINK = `mutation CreateLink($input: CreateShareLinkInput!) {
  createShareLink(input: $input) { __typename ... on ShareLinkOk { link { id } } ... on ShareLinkProblem { reason message } }
}`;

/** Data of a GraphQL answer, or an error naming the operation and the answer. */
async function ok<T>(what: string, url: string, token: string, query: string, variables: object): Promise<T> {
  const { body, status } = await graphql<T>(url, token, query, variables);
  if (!body.data || body.errors) throw new Error(`${what} failed (HTTP ${status}): ${JSON.stringify(body).slice(0, 500)}`);
  return body.data;
}

export async function startClientServer(ctx: BenchContext, options: { sharedScheduleIds: string[]; patients: number }): Promise<ClientServer> {
  const sharing = ctx.careslot();
  const setupMs: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await work();
    setupMs[name] = Math.round(performance.now() - t);
    return result;
  };

  const { createScheduleShare: created } = await timed('share at the sharing server', () => ok<{ createScheduleShare: { token: string; serverUrl: string; centreId: string; share: { id: string; scheduleIds: string[] } } }>(
    'createScheduleShare', sharing.url, ctx.data.token, CREATE_SHARE,
    // Scenario 8 books far ahead (after the weeks other scenarios use): the default horizon is 90 days.
    { input: { centreId: ctx.data.centreId, scheduleIds: options.sharedScheduleIds, label: 'Bench client server', restrictions: { latestDaysAhead: 365 } } },
  ));

  const db = await timed('client database (create + migrate)', () => ctx.db.another());
  const dropDb = ctx.settings.keep
    ? async () => ctx.log(`--keep: the client database stays: owner ${db.ownerUrl}`)
    : () => db.drop();
  const releaseDb = ctx.cleanups.add('scenario 8 client database', dropDb);
  let releaseServer: (() => Promise<void>) | undefined;
  const release = async () => {
    await releaseServer?.();
    await releaseDb();
  };
  try {
    const tenant = await timed('client tenant (provisioning)', async () => {
      const pool = createAppPool({ url: db.appUrl, size: 1, onError: () => undefined });
      try {
        return await provisionTenant(new TenantDatabase(pool), { name: 'Bench client tenant', adminEmail: 'client@bench.example', adminName: 'Client admin' });
      } finally {
        await pool.end();
      }
    });
    const careslot = await timed('client server start', () => startCareslot({
      ...ctx.serverSettings, ownerUrl: db.ownerUrl, appUrl: db.appUrl, secretKey: randomBytes(32).toString('hex'),
      // Production denies loopback to outbound calls; here the sharing server is on loopback.
      env: { ...ctx.serverSettings.env, OUTBOUND_ALLOW_LOOPBACK: 'true' },
    }));
    releaseServer = ctx.cleanups.add('scenario 8 client server', () => careslot.stop());

    const token = tenant.adminToken;
    const { createCentre: centre } = await ok<{ createCentre: { id: string } }>(
      'createCentre', careslot.url, token, CREATE_CENTRE, { input: { name: 'Bench client clinic', timeZone: TIME_ZONE } },
    );
    const patientIds: string[] = [];
    for (let i = 0; i < options.patients; i++) {
      const { createPatient } = await ok<{ createPatient: { id: string } }>(
        'createPatient', careslot.url, token, CREATE_PATIENT, { input: { familyName: `Client${i}`, givenName: 'Bench', phone: `+4673${String(i).padStart(7, '0')}` } },
      );
      patientIds.push(createPatient.id);
    }
    const { createShareLink: link } = await timed('link at the client server (tested, then saved)', () => ok<{ createShareLink: { __typename: string; link?: { id: string }; reason?: string; message?: string } }>(
      'createShareLink', careslot.url, token, CREATE_LINK,
      { input: { url: created.serverUrl, remoteCentreId: created.centreId, token: created.token, centreId: centre.id, label: 'Bench sharing server' } },
    ));
    if (link.__typename !== 'ShareLinkOk' || !link.link) throw new Error(`createShareLink answered ${link.__typename}: ${link.reason} ${link.message}`);

    const mirrors = await mirrorsOf(db.ownerUrl, tenant.tenantId, link.link.id);
    const missing = created.share.scheduleIds.filter((id) => !mirrors.mirrorOf[id]);
    if (missing.length) throw new Error(`the client has no mirror of shared schedules ${missing.join(', ')}`);
    return {
      careslot, db, token, tenantId: tenant.tenantId, centreId: centre.id, patientIds,
      share: { id: created.share.id, token: created.token, serverUrl: created.serverUrl, scheduleIds: created.share.scheduleIds },
      linkId: link.link.id, ...mirrors, setupMs, release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}

async function mirrorsOf(ownerUrl: string, tenantId: string, linkId: string): Promise<Pick<ClientServer, 'mirrorOf' | 'mirrorServiceOf'>> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const schedules = await client.query('SELECT id::text, remote_schedule_id::text AS remote FROM schedules WHERE tenant_id = $1 AND link_id = $2', [tenantId, linkId]);
    const services = await client.query('SELECT id::text, remote_service_id::text AS remote FROM services WHERE tenant_id = $1 AND link_id = $2', [tenantId, linkId]);
    return {
      mirrorOf: Object.fromEntries(schedules.rows.map((row) => [row.remote, row.id])),
      mirrorServiceOf: Object.fromEntries(services.rows.map((row) => [row.remote, row.id])),
    };
  } finally {
    await client.end();
  }
}
