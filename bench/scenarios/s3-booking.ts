import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runBookingFloor, type BookingRow } from '../floors';
import { graphql } from '../lib/careslot';
import { freeSlots, type FreeSlot } from '../lib/data';
import { runLoad } from '../lib/load';
import { atLeast, atMost, check, graphqlJob, measure, summary, target, type BenchContext, type Scenario } from '../lib/scenario';

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

const plus15 = (iso: string) => new Date(Date.parse(iso) + 15 * 60_000).toISOString();

/** 3. Booking, happy path: distinct free slots across the bench tenant's other 90 schedules, 32 connections. */
export const bookingScenario: Scenario = async (ctx) => {
  const { data, settings } = ctx;
  const n = settings.bookings;
  const warm = Math.max(100, Math.round(n / 20));
  const run = randomBytes(3).toString('hex');
  const slots = await freeSlots(ctx.db.ownerUrl, data, {
    centreIds: data.centreIds.slice(1), fromDay: data.weekFrom.slice(0, 10), toDay: data.emptyFromDay, limit: 2 * (n + warm) + 5, shuffle: true,
  });
  if (slots.length < 2 * (n + warm) + 5) throw new Error(`only ${slots.length} free slots for ${n} bookings`);
  const body = (slot: FreeSlot, i: number, tag: string) =>
    JSON.stringify({ query: BOOK_MUTATION, variables: { input: bookingInput(ctx, slot, `bench-${run}-${tag}-${i}`, `bench:s3:${run}`) } });

  const samples = [];
  for (const [i, slot] of slots.slice(0, 5).entries()) {
    samples.push(await graphql(ctx.careslot().url, data.token, BOOK_MUTATION, { input: bookingInput(ctx, slot, `bench-${run}-probe-${i}`, `bench:s3:${run}`) }));
  }
  const productSlots = slots.slice(5, 5 + warm + n);
  const floorSlots = slots.slice(5 + warm + n);
  const server = ctx.careslot();
  await runLoad(graphqlJob(ctx, BOOK_MUTATION, {}, 32, { body: undefined, bodies: productSlots.slice(0, warm).map((s, i) => body(s, i, 'warm')), warmup: 0 }));
  const product = await measure(server, graphqlJob(ctx, BOOK_MUTATION, {}, 32, { body: undefined, bodies: productSlots.slice(warm).map((s, i) => body(s, i, 'run')), warmup: 0 }));

  const toRow = (slot: FreeSlot): BookingRow => ({
    scheduleId: slot.scheduleId, serviceId: data.visit15ServiceId, patientId: data.patientIds[Math.floor(Math.random() * data.patientIds.length)],
    start: slot.start, end: plus15(slot.start),
  });
  const floor = await runBookingFloor({
    appUrl: ctx.db.appUrl, tenantId: data.tenantId, connections: 32, poolSize: ctx.floorConfig.poolSize, note: `bench:s3-floor:${run}`,
    warmupRows: floorSlots.slice(0, warm).map(toRow), rows: floorSlots.slice(warm, warm + n).map(toRow),
  });

  const client = new Client({ connectionString: ctx.db.ownerUrl });
  await client.connect();
  const { rows: [booked] } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM appointments WHERE note = $1', [`bench:s3:${run}`]);
  await client.end();
  const expected = 5 + warm + n;
  const statements = samples.map((s) => s.statements);
  return {
    id: '3', title: 'Booking, happy path (32 connections, each request a distinct free slot)',
    goals: [
      atMost('p50 at 32 connections', product.latency.p50, floor.latency.p50, 'ms', 1.2),
      atLeast('throughput at 32 connections', product.throughput, floor.throughput, 'req/s', 0.9),
      target('SQL statements per booking', Math.max(...statements), 'statements', 'info (one round trip)', true),
    ],
    checks: [
      check('every booking request booked its slot', booked.n === expected && samples.every((s) => s.body.data?.bookAppointment?.__typename === 'Appointment'),
        `${booked.n} of ${expected} booked; first answer ${JSON.stringify(samples[0].body).slice(0, 300)}`),
      check('every floor INSERT succeeded', floor.failures === 0, `${floor.failures} failures`),
    ],
    metrics: {
      careslot: summary(product),
      floor: { p50Ms: floor.latency.p50, p99Ms: floor.latency.p99, throughput: floor.throughput, requests: floor.requests, failures: floor.failures },
      statementsPerRequest: statements, bookings: n, warmup: warm,
    },
    statements: [...new Set(statements)].join('/'),
    peakRssMb: product.peakRssMb,
    notes: ['Floor: BEGIN + set_config, the INSERT into appointments (exclusion constraint, RLS), COMMIT — 32 at a time from a bare pg pool of 20 (the size of the careslot pool), no HTTP. careslot also checks the grid, hours, service, patient and idempotency and writes the history row in its one statement.'],
  };
};
