/**
 * Scenarios 15–17's partner data (seed 002): one partner of the bench tenant whose data access a
 * clinic head opened through the API, a PARTNER_APP token for it, and the bench tenant topped up to
 * TARGET_SHAREABLE appointments the partner may see. Set up once per bench run, whichever of the
 * three runs first.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SHAREABLE_SQL } from '../floors';
import { graphql, startCareslot, type CareslotProcess } from './careslot';
import { TIME_ZONE } from './data';
import type { BenchContext } from './scenario';

/** Shareable appointments of the bench tenant after the top-up: what a full sync reads. */
export const TARGET_SHAREABLE = 30_000;
/** Patients with exactly one (shareable) appointment each, whose consent scenario 16 changes one by one. */
export const LIVE_PATIENTS = 30;
/** Patients of the generated appointments; every 20th refuses something (processing, all notifications or advertising in turn). */
const FEED_PATIENTS = 2000;
/** Every 16th generated schedule's practitioner has data sharing banned. */
const BANNED_EVERY = 16;
/** Every 20th generated appointment is anonymous. */
const ANONYMOUS_EVERY = 20;
/** A generated schedule holds ~53 weekdays × 16 half-hour visits, ~85% of them shareable: at least this many. */
const SHAREABLE_PER_SCHEDULE = 600;

/** The floor's own rule (floors.ts), counted. */
const SHAREABLE_COUNT_SQL = `
SELECT count(*)::int AS n FROM appointments a
JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
LEFT JOIN practitioners pr ON pr.tenant_id = s.tenant_id AND pr.id = s.practitioner_id
JOIN patients p ON p.tenant_id = a.tenant_id AND p.id = a.patient_id
WHERE a.tenant_id = $1 AND ${SHAREABLE_SQL}`;

/** The partner app reads the shared set with these fields (seed 002's brief). */
export const CHANGE_FIELDS = `kind cursor
  appointment { id start end status centreId serviceId practitionerName patient { id familyName givenName patronymic phone } }
  removed { entity id patientId reason }`;
export const FEED_QUERY = `query PartnerSync($after: String, $first: Int) {
  partnerAppointments(after: $after, first: $first) { changes { ${CHANGE_FIELDS} } cursor hasMore }
}`;
export const FEED_SUBSCRIPTION = `subscription PartnerLive($after: String) { partnerAppointmentChanged(after: $after) { ${CHANGE_FIELDS} } }`;
export const UPDATE_PATIENT = `mutation UpdatePatient($input: UpdatePatientInput!) { updatePatient(input: $input) { id } }`;

/**
 * careslot's query cost limit (MAX_COST, 5,000 by default) prices a field with `first` at 1 + first ×
 * its selection: a page of 500 with the fields above costs 12,001 and is refused, although the
 * schema allows first ≤ 500. Scenarios 15–17 measure pages of 500 on a careslot of their own with
 * the limit lifted (as the bench lifts the rate limit); scenario 15 checks the default's answer.
 */
const LIFTED_MAX_COST = '1000000';

const CREATE_PARTNER = `mutation CreatePartner($input: CreatePartnerInput!) { createPartner(input: $input) { id } }`;
const CREATE_USER = `mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const CREATE_TOKEN = `mutation CreateToken($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`;
const OPEN_ACCESS = `mutation Open($input: PartnerIdInput!) { openPartnerDataAccess(input: $input) { state beginsAt } }`;
const ACCESS = `query Access { partnerDataAccess { state } }`;

export interface LivePatient {
  patientId: string;
  appointmentId: string;
}

export interface PartnerFeedWorld {
  /** careslot for scenarios 15–17: as the bench starts it, with MAX_COST lifted (stopped at the end of the run). */
  careslot: CareslotProcess;
  /** How the bench's careslot (default limits) answers a page of 500 with the partner app's fields. */
  defaultLimitPage: { answered: boolean; detail: string };
  partnerId: string;
  /** The partner app's token (PARTNER_APP). */
  partnerToken: string;
  /** The centre of the generated appointments (its schedules, practitioners and patients are new too). */
  centreId: string;
  /** Shareable appointments of the bench tenant right after the top-up (by SHAREABLE_SQL), and when they were counted (ms since the epoch). */
  shareable: number;
  readyAt: number;
  /** Shareable ones the bench data already held, and what the top-up added. */
  before: number;
  generated: { appointments: number; shareable: number; schedules: number; bannedSchedules: number; patients: number; refusedPatients: number; anonymous: number };
  livePatients: LivePatient[];
  setupMs: number;
}

/** Data of a GraphQL answer, or an error naming the operation and the answer. */
async function ok<T>(what: string, url: string, token: string, query: string, variables: object = {}): Promise<T> {
  const { body, status } = await graphql<T>(url, token, query, variables);
  if (!body.data || body.errors) throw new Error(`${what} failed (HTTP ${status}): ${JSON.stringify(body).slice(0, 500)}`);
  return body.data;
}

const worlds = new WeakMap<BenchContext, Promise<PartnerFeedWorld>>();

/** The world, set up by whichever of scenarios 15–17 asks first. */
export function partnerFeedWorld(ctx: BenchContext): Promise<PartnerFeedWorld> {
  let world = worlds.get(ctx);
  if (!world) {
    world = setUp(ctx);
    worlds.set(ctx, world);
  }
  return world;
}

/**
 * Through the API as the tenant does it: the bench admin creates a partner, a CLINIC_HEAD user with
 * a token, and a PARTNER_APP token; the clinic head opens the partner's data access. In between, as
 * the owner, the appointments (generateFeedData). Then, as the owner again, the opening is moved
 * 25 hours back: data flows 24 hours after an opening, and a bench cannot wait a day.
 */
async function setUp(ctx: BenchContext): Promise<PartnerFeedWorld> {
  const started = performance.now();
  const url = ctx.careslot().url;
  const admin = ctx.data.token;
  const tag = randomBytes(3).toString('hex');
  const { createPartner: partner } = await ok<{ createPartner: { id: string } }>('createPartner', url, admin, CREATE_PARTNER,
    { input: { name: `Bench partner data ${tag}`, kind: 'NOTIFICATION_SERVICE' } });
  const { createUser: head } = await ok<{ createUser: { id: string } }>('createUser', url, admin, CREATE_USER,
    { input: { email: `clinic-head-${tag}@bench.example`, displayName: 'Bench clinic head', roles: ['CLINIC_HEAD'] } });
  const { createApiToken: headToken } = await ok<{ createApiToken: { token: string } }>('createApiToken (clinic head)', url, admin, CREATE_TOKEN,
    { input: { userId: head.id, label: `Bench clinic head ${tag}` } });
  const { createApiToken: appToken } = await ok<{ createApiToken: { token: string } }>('createApiToken (partner app)', url, admin, CREATE_TOKEN,
    { input: { partnerId: partner.id, label: `Bench partner data app ${tag}` } });

  const data = await generateFeedData(ctx.db.ownerUrl, ctx.data.tenantId);
  ctx.log(`  partner data: ${data.before} shareable appointments in the bench tenant, ${data.generated.appointments} generated `
    + `(${data.generated.shareable} shareable) in ${data.generated.schedules} schedules of a new centre: ${data.shareable} shareable`);

  const { openPartnerDataAccess: opened } = await ok<{ openPartnerDataAccess: { state: string } }>('openPartnerDataAccess', url, headToken.token, OPEN_ACCESS,
    { input: { partnerId: partner.id } });
  if (opened.state !== 'PENDING') throw new Error(`openPartnerDataAccess answered ${opened.state}, expected PENDING (data flows 24 hours later)`);
  await asOwner(ctx.db.ownerUrl, (client) => client.query(
    `UPDATE partner_data_access SET opened_at = opened_at - interval '25 hours' WHERE tenant_id = $1 AND partner_id = $2`, [ctx.data.tenantId, partner.id]));
  const { partnerDataAccess: access } = await ok<{ partnerDataAccess: { state: string } }>('partnerDataAccess', url, appToken.token, ACCESS);
  if (access.state !== 'OPEN') throw new Error(`the partner's data access is ${access.state} after moving the opening back 25 hours`);
  const defaultLimitPage = await pageOf500(url, appToken.token);

  // It serves reads only, and it lives until the run ends: without job workers (JOBS_RUN off), so that
  // the queue's jobs of later scenarios go to the bench's own careslot as they are configured there
  // (this one's workers took scenario 22's deliveries and could not reach the stand-in index on loopback).
  const careslot = await startCareslot({ ...ctx.serverSettings, env: { ...ctx.serverSettings.env, MAX_COST: LIFTED_MAX_COST, JOBS_RUN: 'false' } });
  ctx.cleanups.add('careslot of scenarios 15–17 (MAX_COST lifted)', () => careslot.stop());
  ctx.log(`  a careslot with MAX_COST ${LIFTED_MAX_COST} for pages of 500 ready in ${Math.round(careslot.readyMs)} ms at ${careslot.url}`);
  return { careslot, defaultLimitPage, partnerId: partner.id, partnerToken: appToken.token, ...data, setupMs: Math.round(performance.now() - started) };
}

/** The first page of 500 as a partner app asks for it, answered or refused. */
async function pageOf500(url: string, token: string): Promise<{ answered: boolean; detail: string }> {
  const { body } = await graphql(url, token, FEED_QUERY, { first: 500 });
  const page = body.data?.partnerAppointments;
  return { answered: !body.errors && !!page, detail: body.errors ? JSON.stringify(body.errors[0]).slice(0, 300) : `${page?.changes?.length} changes` };
}

const seenProblems = new WeakMap<PartnerFeedWorld, number>();

/** Warnings and errors the world's careslot logged since the last call (the runner watches only its own careslot's). */
export function newProblems(world: PartnerFeedWorld): string[] {
  const all = world.careslot.problems();
  const fresh = all.slice(seenProblems.get(world) ?? 0);
  seenProblems.set(world, all.length);
  return fresh;
}

/** A scenario's note of what the world's careslot logged meanwhile, if anything. */
export function problemNotes(world: PartnerFeedWorld): string[] {
  const fresh = newProblems(world);
  return fresh.length ? [`careslot (MAX_COST lifted) logged ${fresh.length} warnings/errors, e.g. ${fresh[0].slice(0, 300)}`] : [];
}

async function asOwner<T>(ownerUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ownerUrl, application_name: 'careslot-bench-partner-feed' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

type FeedData = Omit<PartnerFeedWorld, 'careslot' | 'defaultLimitPage' | 'partnerId' | 'partnerToken' | 'setupMs'>;

/**
 * As the owner, in one transaction: a new centre of the bench tenant with its own schedules,
 * practitioners (every BANNED_EVERY-th banned) and patients (every 20th refusing something), the
 * live patients' one appointment each, then 30-minute visits in every half-hour pair of the
 * generated schedules' weekdays from 44 days back to 29 days ahead (one visit per pair and
 * schedule: the exclusion constraint never fires), schedule by schedule, until the tenant holds
 * TARGET_SHAREABLE shareable appointments. Which rows are anonymous, which patient has which visit,
 * come from hashes of the row's place: the same rows every run.
 */
async function generateFeedData(ownerUrl: string, tenantId: string): Promise<FeedData> {
  return asOwner(ownerUrl, async (client) => {
    const q = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows;
    const count = async () => (await q(SHAREABLE_COUNT_SQL, [tenantId]))[0].n as number;
    await q('BEGIN');
    try {
      // Ids shaped like v4 UUIDs (the API validates version and variant digits), from names: the same every run.
      await q(`CREATE FUNCTION pg_temp.feed_id(name text) RETURNS uuid LANGUAGE sql IMMUTABLE
                 RETURN overlay(overlay(md5('partner-feed-' || name) PLACING '4' FROM 13) PLACING '8' FROM 17)::uuid`);
      const before = await count();
      const need = Math.max(0, TARGET_SHAREABLE - before - LIVE_PATIENTS);
      const schedules = Math.ceil(need / SHAREABLE_PER_SCHEDULE) + 1;
      const [{ id: centreId }] = await q(`INSERT INTO centres (tenant_id, id, name, time_zone) VALUES ($1, pg_temp.feed_id('centre'), 'Partner feed centre', '${TIME_ZONE}') RETURNING id::text`, [tenantId]);
      const [{ id: serviceId }] = await q(`SELECT id::text FROM services WHERE tenant_id = $1 AND code = 'VISIT30'`, [tenantId]);
      // Schedule k: 0 … schedules - 1 the generated visits', -1 the live patients' (never banned).
      await q(`INSERT INTO practitioners (tenant_id, id, name, qualifications, data_sharing_banned)
                 SELECT $1, pg_temp.feed_id('practitioner-' || k), 'Dr Feed ' || k, '{GP}', k % ${BANNED_EVERY} = 5 FROM generate_series(-1, $2 - 1) k`, [tenantId, schedules]);
      await q(`INSERT INTO schedules (tenant_id, id, centre_id, practitioner_id, name, slot_minutes)
                 SELECT $1, pg_temp.feed_id('schedule-' || k), $2, pg_temp.feed_id('practitioner-' || k), 'Feed room ' || k, 15 FROM generate_series(-1, $3 - 1) k`,
      [tenantId, centreId, schedules]);
      await q(`INSERT INTO patients (tenant_id, id, family_name, given_name, patronymic, phone, data_processing_refused, all_notifications_refused, advertising_refused)
                 SELECT $1, pg_temp.feed_id('patient-' || i), (ARRAY['Holm','Sandberg','Lindqvist','Berglund','Nordin','Sundberg','Åberg','Forsberg'])[1 + i % 8],
                        (ARRAY['Ingrid','Nils','Astrid','Gustav','Elsa','Oskar'])[1 + (i / 8) % 6], 'Feed', '+4673' || lpad(i::text, 7, '0'),
                        i % 60 = 0, i % 60 = 20, i % 60 = 40
                 FROM generate_series(0, ${FEED_PATIENTS - 1}) i`, [tenantId]);
      // The live patients, each with one appointment in schedule -1 on the next weekdays.
      await q(`INSERT INTO patients (tenant_id, id, family_name, given_name, patronymic, phone)
                 SELECT $1, pg_temp.feed_id('live-patient-' || i), 'Live', 'Patient ' || i, 'Feed', '+4674' || lpad(i::text, 7, '0') FROM generate_series(0, $2 - 1) i`,
      [tenantId, LIVE_PATIENTS]);
      const live = await q(`
        WITH slots AS (
          SELECT ((d.day + TIME '08:00' + j * interval '30 minutes' + CASE WHEN j >= 8 THEN interval '1 hour' ELSE interval '0' END) AT TIME ZONE '${TIME_ZONE}') AS start,
                 row_number() OVER (ORDER BY d.day, j) - 1 AS i
          FROM (SELECT day::date FROM generate_series((now() AT TIME ZONE '${TIME_ZONE}')::date + 1, (now() AT TIME ZONE '${TIME_ZONE}')::date + 14, interval '1 day') day
                WHERE extract(isodow FROM day) <= 5) d
          CROSS JOIN generate_series(0, 15) j
        )
        INSERT INTO appointments (tenant_id, schedule_id, service_id, patient_id, starts_at, ends_at)
        SELECT $1, pg_temp.feed_id('schedule--1'), $3, pg_temp.feed_id('live-patient-' || i), start, start + interval '30 minutes' FROM slots WHERE i < $2
        RETURNING id::text AS "appointmentId", patient_id::text AS "patientId"`, [tenantId, LIVE_PATIENTS, serviceId]);
      // The generated visits, schedule by schedule, kept while the shareable ones so far stay within `need`.
      const [generated] = await q(`
        WITH days AS (
          SELECT day::date FROM generate_series((now() AT TIME ZONE '${TIME_ZONE}')::date - 44, (now() AT TIME ZONE '${TIME_ZONE}')::date + 29, interval '1 day') day
          WHERE extract(isodow FROM day) <= 5
        ),
        candidates AS (
          SELECT k, d.day, j, ((d.day + TIME '08:00' + j * interval '30 minutes' + CASE WHEN j >= 8 THEN interval '1 hour' ELSE interval '0' END) AT TIME ZONE '${TIME_ZONE}') AS start,
                 abs(hashtext(k || '/' || d.day || '/' || j)) % ${FEED_PATIENTS} AS patient,
                 abs(hashtext('anonymous/' || k || '/' || d.day || '/' || j)) % ${ANONYMOUS_EVERY} = 0 AS anonymous
          FROM generate_series(0, $2 - 1) k CROSS JOIN days d CROSS JOIN generate_series(0, 15) j
        ),
        judged AS (
          SELECT *, NOT anonymous AND k % ${BANNED_EVERY} <> 5 AND patient % 20 <> 0 AS shareable FROM candidates
        ),
        counted AS (
          SELECT *, sum(shareable::int) OVER (ORDER BY k, day, j ROWS UNBOUNDED PRECEDING) - shareable::int AS shareable_before FROM judged
        ),
        inserted AS (
          INSERT INTO appointments (tenant_id, schedule_id, service_id, patient_id, starts_at, ends_at, status, anonymous)
          SELECT $1, pg_temp.feed_id('schedule-' || k), $4, pg_temp.feed_id('patient-' || patient), start, start + interval '30 minutes',
                 CASE WHEN start < now() THEN 'FULFILLED' ELSE 'BOOKED' END, anonymous
          FROM counted WHERE shareable_before < $3
          RETURNING schedule_id, anonymous
        )
        SELECT count(*)::int AS appointments, (count(*) FILTER (WHERE anonymous))::int AS anonymous, count(DISTINCT schedule_id)::int AS schedules FROM inserted`,
      [tenantId, schedules, need, serviceId]);
      const shareable = await count();
      const readyAt = Date.now();
      if (shareable < TARGET_SHAREABLE) throw new Error(`only ${shareable} shareable appointments after the top-up (${before} before, ${generated.appointments} generated in ${schedules} schedules)`);
      await q('COMMIT');
      // The planner's statistics include the new rows (both sides of every comparison read them).
      await q('VACUUM (ANALYZE) appointments, patients, practitioners, schedules');
      return {
        centreId, shareable, readyAt, before, livePatients: live as LivePatient[],
        generated: {
          appointments: generated.appointments, shareable: shareable - before, schedules: generated.schedules,
          bannedSchedules: Array.from({ length: generated.schedules }, (_, k) => k).filter((k) => k % BANNED_EVERY === 5).length,
          patients: FEED_PATIENTS + LIVE_PATIENTS, refusedPatients: FEED_PATIENTS / 20, anonymous: generated.anonymous,
        },
      };
    } catch (error) {
      await q('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
