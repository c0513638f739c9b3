import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runBookingFloor, startBookingHttpFloor, type BookingRow } from '../floors';
import { graphql } from '../lib/careslot';
import { freeSlots, type FreeSlot } from '../lib/data';
import { atLeast, atMost, check, measureBodiesInTurns, summary, target, type BenchContext, type Scenario } from '../lib/scenario';

export const BOOK_MUTATION = `mutation Book($input: BookAppointmentInput!) {
  bookAppointment(input: $input) { __typename ... on Appointment { id start end } ... on SlotUnavailable { message } }
}`;

export function bookingInput(ctx: BenchContext, slot: FreeSlot, key: string, note: string) {
  const patients = ctx.data.patientIds;
  return {
    scheduleId: slot.scheduleId, serviceId: ctx.data.visit15ServiceId, start: slot.start,
    patientId: patients[Math.floor(Math.random() * patients.length)], idempotencyKey: key, note,
  };
}

const CONNECTIONS = 32;

const plus15 = (iso: string) => new Date(Date.parse(iso) + 15 * 60_000).toISOString();

/** 3. Booking, happy path: distinct free slots across the bench tenant's other 90 schedules, 32 connections. */
export const bookingScenario: Scenario = async (ctx) => {
  const { data, settings } = ctx;
  const n = settings.bookings;
  const warm = Math.max(100, Math.round(n / 20));
  const probes = 5;
  const run = randomBytes(3).toString('hex');
  // Probes, then careslot, the HTTP floor (one probe of its own) and the bare INSERT, each its own slots.
  const needed = probes + 1 + 3 * (warm + n);
  const slots = await freeSlots(ctx.db.ownerUrl, data, {
    centreIds: data.centreIds.slice(1), fromDay: data.weekFrom.slice(0, 10), toDay: data.emptyFromDay, limit: needed, shuffle: true,
  });
  if (slots.length < needed) throw new Error(`only ${slots.length} free slots for ${needed} bookings`);
  let next = 0;
  const take = (count: number) => slots.slice(next, (next += count));
  const notes = { careslot: `bench:s3:${run}`, http: `bench:s3-http-floor:${run}`, insert: `bench:s3-floor:${run}` };
  const body = (slot: FreeSlot, tag: string, note: string) =>
    JSON.stringify({ query: BOOK_MUTATION, variables: { input: bookingInput(ctx, slot, `bench-${run}-${tag}`, note) } });

  const samples = [];
  for (const [i, slot] of take(probes).entries()) {
    samples.push(await graphql(ctx.careslot().url, data.token, BOOK_MUTATION, { input: bookingInput(ctx, slot, `bench-${run}-probe-${i}`, notes.careslot) }));
  }
  // The floor books as careslot did for the bench token: the same user in the history row.
  const owner = new Client({ connectionString: ctx.db.ownerUrl });
  await owner.connect();
  const stored = async (note: string) => (await owner.query<{ booked: number; logged: number }>(
    `SELECT count(*)::int AS booked, (count(*) FILTER (WHERE EXISTS (SELECT 1 FROM appointment_changes c WHERE c.tenant_id = a.tenant_id AND c.appointment_id = a.id AND c.action = 'BOOKED')))::int AS logged
     FROM appointments a WHERE a.tenant_id = $1 AND a.note = $2`, [data.tenantId, note])).rows[0];
  let product, http, floorProbe, insert;
  let counts: Record<keyof typeof notes, { booked: number; logged: number }>;
  try {
    const { rows: [actor] } = await owner.query<{ kind: string; id: string }>(
      'SELECT actor_kind AS kind, actor_id AS id FROM appointment_changes WHERE tenant_id = $1 AND idempotency_key = $2', [data.tenantId, `bench-${run}-probe-0`]);
    if (actor?.kind !== 'STAFF_USER') throw new Error(`careslot's probe booking left no staff actor: ${JSON.stringify(actor)}`);

    const floor = await startBookingHttpFloor({ appUrl: ctx.db.appUrl, tenantId: data.tenantId, poolSize: ctx.floorConfig.poolSize, actorId: actor.id });
    try {
      const [probeSlot] = take(1);
      const answer = await fetch(`${floor.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(probeSlot, 'floor-probe', notes.http) });
      floorProbe = await answer.text();
      const productSlots = take(warm + n);
      const floorSlots = take(warm + n);
      const job = (url: string, headers: Record<string, string>) => ({ url: `${url}/graphql`, method: 'POST' as const, headers, connections: CONNECTIONS });
      [http, product] = await measureBodiesInTurns([
        {
          server: floor, job: job(floor.url, { 'content-type': 'application/json' }),
          warm: floorSlots.slice(0, warm).map((s, i) => body(s, `floor-warm-${i}`, notes.http)), bodies: floorSlots.slice(warm).map((s, i) => body(s, `floor-run-${i}`, notes.http)),
        },
        {
          server: ctx.careslot(), job: job(ctx.careslot().url, { 'content-type': 'application/json', authorization: `Bearer ${data.token}` }),
          warm: productSlots.slice(0, warm).map((s, i) => body(s, `warm-${i}`, notes.careslot)), bodies: productSlots.slice(warm).map((s, i) => body(s, `run-${i}`, notes.careslot)),
        },
      ]);
    } finally {
      await floor.stop();
    }

    // The reference line: the bare INSERT from a pg pool, no HTTP, no checks.
    const toRow = (slot: FreeSlot): BookingRow => ({
      scheduleId: slot.scheduleId, serviceId: data.visit15ServiceId, patientId: data.patientIds[Math.floor(Math.random() * data.patientIds.length)],
      start: slot.start, end: plus15(slot.start),
    });
    const insertSlots = take(warm + n);
    insert = await runBookingFloor({
      appUrl: ctx.db.appUrl, tenantId: data.tenantId, connections: CONNECTIONS, poolSize: ctx.floorConfig.poolSize, note: notes.insert,
      warmupRows: insertSlots.slice(0, warm).map(toRow), rows: insertSlots.slice(warm).map(toRow),
    });
    counts = { careslot: await stored(notes.careslot), http: await stored(notes.http), insert: await stored(notes.insert) };
  } finally {
    await owner.end();
  }

  const statements = samples.map((s) => s.statements);
  const expected = { careslot: probes + warm + n, http: 1 + warm + n };
  return {
    id: '3', title: `Booking, happy path (${CONNECTIONS} connections, each request a distinct free slot)`,
    goals: [
      atLeast(`throughput at ${CONNECTIONS} connections vs the HTTP floor`, product.throughput, http.throughput, 'req/s', 0.8),
      { ...atMost(`p50 at ${CONNECTIONS} connections vs the HTTP floor`, product.latency.p50, http.latency.p50, 'ms', Infinity), goal: 'info' },
      { ...atMost('p99 vs the HTTP floor', product.latency.p99, http.latency.p99, 'ms', Infinity), goal: 'info' },
      { ...atMost('server CPU per booking vs the HTTP floor', product.cpuMsPerRequest, http.cpuMsPerRequest, 'ms', Infinity), goal: 'info' },
      { ...atMost(`reference: p50 at ${CONNECTIONS} vs the bare INSERT (no HTTP)`, product.latency.p50, insert.latency.p50, 'ms', Infinity), goal: 'info (reference)' },
      { ...atLeast(`reference: throughput at ${CONNECTIONS} vs the bare INSERT (no HTTP)`, product.throughput, insert.throughput, 'req/s', 0), goal: 'info (reference)' },
      target('SQL statements per booking', Math.max(...statements), 'statements', 'info (one round trip)', true),
    ],
    checks: [
      check('every booking request booked its slot', counts.careslot.booked === expected.careslot && samples.every((s) => s.body.data?.bookAppointment?.__typename === 'Appointment'),
        `${counts.careslot.booked} of ${expected.careslot} booked; first answer ${JSON.stringify(samples[0].body).slice(0, 300)}`),
      check('every HTTP floor booking booked its slot with its history row', counts.http.booked === expected.http && counts.http.logged === expected.http && floorProbe.includes('"__typename":"Appointment"'),
        `${counts.http.booked} of ${expected.http} booked, ${counts.http.logged} with history; probe answer ${floorProbe.slice(0, 300)}`),
      check('no failed or non-2xx request', product.errors + product.non2xx + http.errors + http.non2xx === 0,
        `errors ${product.errors}/${http.errors}, non-2xx ${product.non2xx}/${http.non2xx} (careslot/HTTP floor)`),
      check('every floor INSERT succeeded', insert.failures === 0 && counts.insert.booked === warm + n, `${insert.failures} failures, ${counts.insert.booked} of ${warm + n} stored`),
    ],
    metrics: {
      careslot: summary(product),
      floor: summary(http),
      insertReference: { p50Ms: insert.latency.p50, p99Ms: insert.latency.p99, throughput: insert.throughput, requests: insert.requests, failures: insert.failures },
      statementsPerRequest: statements, bookings: n, warmup: warm,
    },
    statements: [...new Set(statements)].join('/'),
    peakRssMb: product.peakRssMb,
    notes: [
      'Floor: bare node:http, JSON in (careslot\'s request body, the input read from its variables) and out (the same fields), running careslot\'s own booking statement '
        + '(bookingStatement of the build with the remote schedules\' plan, as server.ts composes it) with the parameters runBookingStatement passes (the STAFF door, the bench admin as actor, the request hash), '
        + 'in careslot\'s single-statement transaction (tenant scope, statement and commit in one round trip, inTenantStatement of the build) on the app role, over a pool of 20 (careslot\'s). '
        + 'What careslot adds: authentication, GraphQL, validation, and the agenda event after the commit. '
        + `${warm} warm-up bookings per side, then ${n} each in turns (floor, careslot, careslot, floor; each turn half the bookings); a side's figures are those of its turns together.`,
      'Reference (not a floor): BEGIN + set_config, the bare INSERT into appointments (exclusion constraint, RLS), COMMIT — 32 at a time from a bare pg pool of 20, no HTTP, none of careslot\'s checks, '
        + 'no history row, measured after the turns on its own slots.',
    ],
  };
};
