import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import { graphql } from '../lib/careslot';
import { freeSlots, type FreeSlot } from '../lib/data';
import { atLeast, atMost, check, measureBodiesInTurns, summary, target, type BenchContext, type Scenario } from '../lib/scenario';
import { round } from '../lib/stats';
import { BOOK_MUTATION, bookingInput } from './s3-booking';

/** A partner app books as the brief's client does; the same fields as scenario 3's local booking selects. */
export const PARTNER_BOOK_MUTATION = `mutation BookForPartner($input: BookForPartnerInput!) {
  bookForPartner(input: $input) { __typename ... on PartnerBooking { id start end } ... on SlotUnavailable { message } }
}`;

const CREATE_PARTNER = `mutation CreatePartner($input: CreatePartnerInput!) { createPartner(input: $input) { id } }`;
const CHANNELS = `query Channels($centreId: ID!) { trafficChannels(centreId: $centreId) { rows { service { id } partnerIds } } }`;
const SET_CHANNELS = `mutation SetChannels($input: SetTrafficChannelsInput!) {
  setTrafficChannels(input: $input) { rows { service { id } partnerIds } }
}`;
const CREATE_TOKEN = `mutation CreateToken($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`;

const CONNECTIONS = 32;
/** The ratio goals: a partner app's booking ≤ 1.1× a local one (p50), throughput ≥ 1/1.1 of it. */
const GOAL = 1.1;
/** Weeks after the generated data where scenario 10 books in the bench centre: 7 books in weeks 21–30, 8 from week 31 (3 rooms, ≤ 6 weeks). */
const FIRST_WEEK = 40;

/** The bench's partner app: a partner of the bench tenant, its channels at the bench centre, a PARTNER_APP token. */
export interface PartnerApp {
  partnerId: string;
  token: string;
  /** The services activated for it at the bench centre (every service its schedules offer). */
  serviceIds: string[];
  setupMs: number;
}

/** Data of a GraphQL answer, or an error naming the operation and the answer. */
async function ok<T>(what: string, url: string, token: string, query: string, variables: object): Promise<T> {
  const { body, status } = await graphql<T>(url, token, query, variables);
  if (!body.data || body.errors) throw new Error(`${what} failed (HTTP ${status}): ${JSON.stringify(body).slice(0, 500)}`);
  return body.data;
}

const partnerApps = new WeakMap<BenchContext, Promise<PartnerApp>>();

/**
 * Set up once per bench run (scenarios 10 and 11 share it), through the public API as an ADMIN
 * would: createPartner, the bench centre's traffic-channel matrix read and saved back with the
 * partner ticked in every row (the generated partners keep theirs), createApiToken for the partner.
 */
export function benchPartnerApp(ctx: BenchContext): Promise<PartnerApp> {
  let app = partnerApps.get(ctx);
  if (!app) {
    app = setUpPartnerApp(ctx);
    partnerApps.set(ctx, app);
  }
  return app;
}

async function setUpPartnerApp(ctx: BenchContext): Promise<PartnerApp> {
  const started = performance.now();
  const url = ctx.careslot().url;
  const admin = ctx.data.token;
  const centreId = ctx.data.centreId;
  const tag = randomBytes(3).toString('hex');
  const { createPartner: partner } = await ok<{ createPartner: { id: string } }>(
    'createPartner', url, admin, CREATE_PARTNER, { input: { name: `Bench partner app ${tag}`, kind: 'BOOKING_PORTAL' } },
  );
  type Matrix = { rows: Array<{ service: { id: string }; partnerIds: string[] }> };
  const { trafficChannels: matrix } = await ok<{ trafficChannels: Matrix }>('trafficChannels', url, admin, CHANNELS, { centreId });
  const rows = matrix.rows.map((row) => ({ serviceId: row.service.id, partnerIds: [...row.partnerIds, partner.id] }));
  const { setTrafficChannels: saved } = await ok<{ setTrafficChannels: Matrix }>('setTrafficChannels', url, admin, SET_CHANNELS, { input: { centreId, rows } });
  const serviceIds = saved.rows.filter((row) => row.partnerIds.includes(partner.id)).map((row) => row.service.id);
  if (!serviceIds.includes(ctx.data.visit15ServiceId)) throw new Error(`the partner's channels at the bench centre lack the 15-minute service: ${JSON.stringify(saved).slice(0, 300)}`);
  const { createApiToken: created } = await ok<{ createApiToken: { token: string } }>(
    'createApiToken', url, admin, CREATE_TOKEN, { input: { partnerId: partner.id, label: `Bench partner app ${tag}` } },
  );
  return { partnerId: partner.id, token: created.token, serviceIds, setupMs: Math.round(performance.now() - started) };
}

/**
 * 10. Partner booking: a partner app (PARTNER_APP token) books distinct free slots of the bench
 * centre through its traffic channels, 32 connections, against a local booking (bookAppointment,
 * the bench admin) of the same kind of slots in the same schedules, in turns in the same run.
 */
export const partnerBookingScenario: Scenario = async (ctx) => {
  const { data, settings } = ctx;
  const server = ctx.careslot();
  const n = settings.bookings;
  const warm = Math.max(100, Math.round(n / 20));
  const probes = 5;
  const run = randomBytes(3).toString('hex');
  const app = await benchPartnerApp(ctx);
  ctx.log(`  partner ${app.partnerId}: channels for ${app.serviceIds.length} services at the bench centre, partner-app token (${app.setupMs} ms through the API)`);

  const needed = 2 * (probes + warm + n);
  const from = DateTime.fromISO(data.emptyFromDay).plus({ weeks: FIRST_WEEK });
  // 10 rooms × 32 slots × 5 days a week, and a week to spare.
  const slots = await freeSlots(ctx.db.ownerUrl, data, {
    centreIds: [data.centreId], fromDay: from.toISODate()!, toDay: from.plus({ weeks: Math.ceil(needed / 1600) + 1 }).toISODate()!, limit: needed, shuffle: true,
  });
  if (slots.length < needed) throw new Error(`only ${slots.length} free slots in the bench centre for ${needed} bookings`);
  let next = 0;
  const take = (count: number) => slots.slice(next, (next += count));
  const notes = { local: `bench:s10-local:${run}`, partner: `bench:s10-partner:${run}` };
  const localBody = (slot: FreeSlot, tag: string) =>
    JSON.stringify({ query: BOOK_MUTATION, variables: { input: bookingInput(ctx, slot, `bench-s10-local-${run}-${tag}`, notes.local) } });
  const partnerBody = (slot: FreeSlot, tag: string) =>
    JSON.stringify({ query: PARTNER_BOOK_MUTATION, variables: { input: bookingInput(ctx, slot, `bench-s10-partner-${run}-${tag}`, notes.partner) } });

  // Probes, one at a time: the answer is checked and the statements counted.
  const answers: Array<{ kind: 'local' | 'partner'; typename: string; statements: number; body: string }> = [];
  for (const [i, slot] of take(2 * probes).entries()) {
    const kind = i % 2 === 0 ? 'local' : 'partner';
    const { query, variables } = JSON.parse(kind === 'local' ? localBody(slot, `probe-${i}`) : partnerBody(slot, `probe-${i}`)) as { query: string; variables: object };
    const answer = await graphql(server.url, kind === 'local' ? data.token : app.token, query, variables);
    const typename = (kind === 'local' ? answer.body.data?.bookAppointment?.__typename : answer.body.data?.bookForPartner?.__typename) ?? 'error';
    answers.push({ kind, typename, statements: answer.statements, body: JSON.stringify(answer.body).slice(0, 200) });
  }

  const localSlots = take(warm + n);
  const partnerSlots = take(warm + n);
  // Fixed bookings in turns (lib/scenario.ts): local, partner app, partner app, local, each turn half of each side's bookings.
  const job = (token: string) => ({
    url: `${server.url}/graphql`, method: 'POST' as const, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, connections: CONNECTIONS,
  });
  const [local, partner] = await measureBodiesInTurns([
    { server, job: job(data.token), warm: localSlots.slice(0, warm).map((s, i) => localBody(s, `w${i}`)), bodies: localSlots.slice(warm).map((s, i) => localBody(s, `r${i}`)) },
    { server, job: job(app.token), warm: partnerSlots.slice(0, warm).map((s, i) => partnerBody(s, `w${i}`)), bodies: partnerSlots.slice(warm).map((s, i) => partnerBody(s, `r${i}`)) },
  ]);

  // As stored: every request booked its slot, with the origin and partner of its door.
  const client = new Client({ connectionString: ctx.db.ownerUrl });
  await client.connect();
  const stored = async (note: string, origin: string, partnerId: string | null) => (await client.query<{ all: number; right: number }>(
    `SELECT count(*)::int AS "all", (count(*) FILTER (WHERE origin = $2 AND partner_id IS NOT DISTINCT FROM $3::uuid))::int AS "right"
     FROM appointments WHERE note = $1`, [note, origin, partnerId])).rows[0];
  const localRows = await stored(notes.local, 'LOCAL', null);
  const partnerRows = await stored(notes.partner, 'PARTNER_APP', app.partnerId);
  await client.end();
  const expected = probes + warm + n;
  const statements = (kind: 'local' | 'partner') => answers.filter((a) => a.kind === kind).map((a) => a.statements);
  const probesOk = (kind: 'local' | 'partner', typename: string) => answers.filter((a) => a.kind === kind).every((a) => a.typename === typename);
  const firstOf = (kind: 'local' | 'partner') => answers.find((a) => a.kind === kind)!.body;
  return {
    id: '10', title: `Partner booking: a partner app through its channels vs a local booking (${CONNECTIONS} connections, distinct free slots)`,
    goals: [
      atMost(`p50 at ${CONNECTIONS} connections: partner app vs local`, partner.latency.p50, local.latency.p50, 'ms', GOAL),
      atLeast(`throughput at ${CONNECTIONS} connections: partner app vs local`, partner.throughput, local.throughput, 'req/s', round(1 / GOAL, 2)),
      { ...atMost(`p99 at ${CONNECTIONS} connections: partner app vs local`, partner.latency.p99, local.latency.p99, 'ms', GOAL), goal: 'info', pass: true },
      { ...atMost('server CPU per booking: partner app vs local', partner.cpuMsPerRequest, local.cpuMsPerRequest, 'ms', GOAL), goal: 'info', pass: true },
      target('SQL statements per partner booking', Math.max(...statements('partner')), 'statements', `info (local: ${Math.max(...statements('local'))})`, true),
    ],
    checks: [
      check('every probe answered Appointment (local) / PartnerBooking (partner app)', probesOk('local', 'Appointment') && probesOk('partner', 'PartnerBooking'),
        `local: ${firstOf('local')}; partner app: ${firstOf('partner')}`),
      check('every partner-app booking stored with origin PARTNER_APP and the partner', partnerRows.all === expected && partnerRows.right === expected,
        `${partnerRows.right} right of ${partnerRows.all} stored, ${expected} expected`),
      check('every local booking stored with origin LOCAL and no partner', localRows.all === expected && localRows.right === expected,
        `${localRows.right} right of ${localRows.all} stored, ${expected} expected`),
      check('no failed or non-2xx request', local.errors + local.non2xx + partner.errors + partner.non2xx === 0,
        `errors ${local.errors}/${partner.errors}, non-2xx ${local.non2xx}/${partner.non2xx} (local/partner app)`),
    ],
    metrics: {
      careslot: { partnerApp: summary(partner), local: summary(local) },
      statementsPerBooking: { local: statements('local'), partnerApp: statements('partner') },
      bookings: n, warmup: warm, partnerId: app.partnerId, activatedServices: app.serviceIds.length, setupMs: app.setupMs,
    },
    statements: `partner app ${[...new Set(statements('partner'))].join('/')}, local ${[...new Set(statements('local'))].join('/')}`,
    peakRssMb: Math.max(local.peakRssMb, partner.peakRssMb),
    notes: [
      `Partner app: bookForPartner with a PARTNER_APP token of a partner created for the run (createPartner, the bench centre's traffic-channel matrix read and saved with it in every row, createApiToken), no partnerId in the input. Local: scenario 3's bookAppointment by the bench admin. `
        + `Both book distinct free 15-minute slots of the bench centre's 10 rooms, drawn in random order from weeks ${FIRST_WEEK}+ after the generated data (no other scenario books there), ${CONNECTIONS} connections, the same fields selected. `
        + `${warm} warm-up bookings per side, then ${n} each in turns (local, partner app, partner app, local; each turn half the bookings); a side's figures are those of its turns together. `
        + 'With 10 rooms and 32 connections the schedule booking lock makes about 3 bookings queue per room on both sides alike; the partner door also row-locks its centre, partner and channel rows in every booking (booking.sql.ts), the same rows for all of them.',
    ],
  };
};
