import { randomBytes, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import { PEER_BOOK } from '../../src/federation/peer-documents';
import { runNotifyFloor } from '../floors';
import { graphql, type CareslotProcess } from '../lib/careslot';
import { startClientServer, type ClientServer } from '../lib/client-server';
import { freeSlots, type FreeSlot } from '../lib/data';
import { agendaSubscription, bareFanOut, fanOut, fanOutSummary, MEASURED_EVENTS, triggersBooked } from '../lib/fan-out';
import { runLoad, type LoadResult } from '../lib/load';
import { atLeast, atMost, check, target, type BenchContext, type Check, type Goal, type Scenario } from '../lib/scenario';
import { round } from '../lib/stats';
import type { Trigger } from '../lib/ws-clients';
import { BOOK_MUTATION, bookingInput } from './s3-booking';

/** Bookings in a row at 1 connection (latency), and at 8 (a busy client: both servers, PostgreSQL and the load on 2 cores). */
const CONNECTIONS = [1, 8] as const;
const SUBSCRIBERS = 1000;
/** The bench centre's schedules shared with the client server (its last three rooms). */
const SHARED_SCHEDULES = 3;
/** The ratio goals: through the share ≤ 2.5× a local booking; commit-to-screen ≤ 1.5× its floor. */
const BOOKING_GOAL = 2.5;
const SCREEN_GOAL = 1.5;

interface Run {
  load: LoadResult;
  /** Server CPU per answered booking, ms, for each server that took part. */
  cpuMs: Record<string, number>;
}

/** A run of distinct bookings (one body each, in order) with the CPU each server spent on them. */
async function bookingRun(servers: Record<string, CareslotProcess>, url: string, token: string, bodies: string[], connections: number): Promise<Run> {
  const before = await Promise.all(Object.values(servers).map((s) => s.usage()));
  const load = await runLoad({ url, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, bodies, connections, warmup: 0 });
  const after = await Promise.all(Object.values(servers).map((s) => s.usage()));
  const answered = Math.max(1, load.requests - load.non2xx);
  const cpuMs = Object.fromEntries(Object.keys(servers).map((name, i) => [name, round((after[i].cpuMicros - before[i].cpuMicros) / 1000 / answered, 3)]));
  return { load, cpuMs };
}

const runSummary = (run: Run) => ({
  p50Ms: round(run.load.latency.p50, 3), p99Ms: round(run.load.latency.p99, 3), meanMs: round(run.load.latency.mean, 3),
  throughput: round(run.load.throughput, 1), requests: run.load.requests, errors: run.load.errors, non2xx: run.load.non2xx,
  cpuMsPerRequest: round(Object.values(run.cpuMs).reduce((a, b) => a + b, 0), 3), cpuMsByServer: run.cpuMs,
});

async function count(url: string, sql: string, values: unknown[]): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>(sql, values)).rows[0].n;
  } finally {
    await client.end();
  }
}

/**
 * 8. Cross-server: the bench's careslot is the sharing server, a second careslot process on its
 * own database is the client server, linked to a share of three schedules of the bench centre.
 * (a) A booking through the share from the client server against a local booking at the sharing
 * server, in the same schedules (distinct free slots). (b) Commit-to-screen: a booking at the
 * sharing server reaching 1,000 graphql-ws subscribers of the client centre's agenda, against a
 * NOTIFY hop plus a bare ws broadcast to as many sockets.
 */
export const crossServerScenario: Scenario = async (ctx) => {
  const { data, settings } = ctx;
  const sharing = ctx.careslot();
  const run = randomBytes(3).toString('hex');
  const perRun = { 1: settings.quick ? 60 : 200, 8: settings.quick ? 160 : 480 } as Record<number, number>;
  const warm = settings.quick ? 20 : 40;

  const sharedScheduleIds = await sharedSchedulesOf(ctx);
  const client = await startClientServer(ctx, { sharedScheduleIds, patients: 20 });
  try {
    ctx.log(`  client server ready at ${client.careslot.url}; link ${client.linkId} to share ${client.share.id} (${sharedScheduleIds.length} schedules)`);
    // Weeks 31+ after the generated data: no other scenario books there (7 ends at week 30).
    const bookingsNeeded = 2 * CONNECTIONS.reduce((sum, c) => sum + warm + perRun[c], 0) + warm + perRun[1] + 20;
    const slots = await freeSlots(ctx.db.ownerUrl, data, {
      centreIds: [data.centreId], scheduleIds: sharedScheduleIds,
      fromDay: DateTime.fromISO(data.emptyFromDay).plus({ weeks: 31 }).toISODate()!,
      toDay: DateTime.fromISO(data.emptyFromDay).plus({ weeks: 31 + Math.ceil(bookingsNeeded / (SHARED_SCHEDULES * 32 * 5)) + 1 }).toISODate()!,
      limit: bookingsNeeded, shuffle: true,
    });
    if (slots.length < bookingsNeeded) throw new Error(`only ${slots.length} free slots in the shared schedules for ${bookingsNeeded} bookings`);
    let next = 0;
    const take = (n: number) => slots.slice(next, (next += n));

    const bodies = bookingBodies(ctx, client, run);
    const probes = await probeBookings(ctx, client, take(3), bodies);

    // (a) booking: local, through the share, and the sharing server's half of it (peerBook as the client server sends it).
    const runs: Record<string, Run> = {};
    for (const connections of CONNECTIONS) {
      ctx.log(`  bookings at ${connections} connection${connections > 1 ? 's' : ''}: local, then through the share`);
      const localSlots = take(warm + perRun[connections]);
      const crossSlots = take(warm + perRun[connections]);
      await bookingRun({ sharing }, `${sharing.url}/graphql`, data.token, localSlots.slice(0, warm).map((s, i) => bodies.local(s, `w${connections}-${i}`)), connections);
      runs[`local ${connections}`] = await bookingRun({ sharing }, `${sharing.url}/graphql`, data.token, localSlots.slice(warm).map((s, i) => bodies.local(s, `r${connections}-${i}`)), connections);
      await bookingRun({ sharing, client: client.careslot }, `${client.careslot.url}/graphql`, client.token, crossSlots.slice(0, warm).map((s, i) => bodies.cross(s, `w${connections}-${i}`)), connections);
      runs[`cross ${connections}`] = await bookingRun({ sharing, client: client.careslot }, `${client.careslot.url}/graphql`, client.token, crossSlots.slice(warm).map((s, i) => bodies.cross(s, `r${connections}-${i}`)), connections);
    }
    ctx.log('  peerBook alone at the sharing server (the peer call the client server makes), 1 connection');
    const peerSlots = take(warm + perRun[1]);
    await bookingRun({ sharing }, `${sharing.url}/graphql`, client.share.token, peerSlots.slice(0, warm).map((s, i) => bodies.peer(s, `w-${i}`)), 1);
    runs['peerBook 1'] = await bookingRun({ sharing }, `${sharing.url}/graphql`, client.share.token, peerSlots.slice(warm).map((s, i) => bodies.peer(s, `r-${i}`)), 1);

    // (b) commit-to-screen.
    ctx.log(`  ${SUBSCRIBERS} subscribers of the client centre; bookings at the sharing server`);
    const subscription = { token: client.token, query: agendaSubscription(client.centreId) };
    // Two fan-outs (1 and SUBSCRIBERS), each up to 4 warm-up events and the measured ones.
    const screenSlots = take(2 * (4 + MEASURED_EVENTS));
    let used = 0;
    const sharingBooking = (): Trigger => ({
      url: `${sharing.url}/graphql`, headers: { 'content-type': 'application/json', authorization: `Bearer ${data.token}` },
      body: JSON.stringify({ query: BOOK_MUTATION, variables: { input: bookingInput(ctx, screenSlots[used++], `bench-s8-screen-${run}-${used}`, `bench:s8-screen:${run}`) } }),
      timeoutMs: 30_000,
    });
    // One subscriber first: the hop between the servers, with next to no fan-out after it.
    const single = await fanOut(client.careslot, client.careslot.url.replace(/^http/, 'ws') + '/graphql', 1, subscription, sharingBooking);
    const screen = await fanOut(client.careslot, client.careslot.url.replace(/^http/, 'ws') + '/graphql', SUBSCRIBERS, subscription, sharingBooking);
    ctx.log(`  ${SUBSCRIBERS} subscribers on the bare ws floor; NOTIFY floor`);
    const bare = await bareFanOut(SUBSCRIBERS, subscription, screen.delivery.message);
    const bare1 = await bareFanOut(1, subscription, single.delivery.message);
    const notify = await runNotifyFloor({ url: ctx.db.appUrl, samples: settings.quick ? 100 : 300, payloadBytes: 250 });

    // Counts as stored, on both sides.
    const localBooked = await count(ctx.db.ownerUrl, 'SELECT count(*)::int AS n FROM appointments WHERE note = $1', [`bench:s8-local:${run}`]);
    const crossBooked = await count(client.db.ownerUrl, 'SELECT count(*)::int AS n FROM appointments WHERE note = $1 AND remote_appointment_id IS NOT NULL', [`bench:s8-cross:${run}`]);
    const twins = await count(ctx.db.ownerUrl, "SELECT count(*)::int AS n FROM appointments WHERE share_id = $1 AND status <> 'CANCELLED'", [client.share.id]);
    const expectedLocal = 1 + CONNECTIONS.reduce((sum, c) => sum + warm + perRun[c], 0);
    const expectedCross = 1 + CONNECTIONS.reduce((sum, c) => sum + warm + perRun[c], 0);
    const expectedPeer = 1 + warm + perRun[1];

    // Commit-to-screen from the booking's answer (it leaves the sharing server after the commit): every arrival minus the answer time.
    const fromCommit = (ms: number) => ms - screen.delivery.answeredMs;
    const floorP99 = notify.p99 + bare.delivery.latency.p99;
    const floorLast = notify.p99 + bare.delivery.lastMs;
    const singleFromCommit = single.delivery.latency.p50 - single.delivery.answeredMs;
    const singleGoal = atMost('commit-to-screen, 1 subscriber (the hop between the servers)', singleFromCommit, notify.p99 + bare1.delivery.latency.p50, 'ms', SCREEN_GOAL);
    const firstGoal = atMost(`commit-to-screen, first of ${SUBSCRIBERS}`, fromCommit(screen.delivery.latency.min), notify.p99 + bare.delivery.latency.min, 'ms', SCREEN_GOAL);
    const lastGoal = atMost(`commit-to-screen, last of ${SUBSCRIBERS}`, fromCommit(screen.delivery.lastMs), floorLast, 'ms', SCREEN_GOAL);
    const local1 = runs['local 1'].load;
    const cross1 = runs['cross 1'].load;
    const local8 = runs['local 8'].load;
    const cross8 = runs['cross 8'].load;
    const goals: Goal[] = [
      atMost('booking p50 at 1 connection: through the share vs local', cross1.latency.p50, local1.latency.p50, 'ms', BOOKING_GOAL),
      atMost('booking p99 at 1 connection: through the share vs local', cross1.latency.p99, local1.latency.p99, 'ms', BOOKING_GOAL),
      atMost('booking p50 at 8 connections: through the share vs local', cross8.latency.p50, local8.latency.p50, 'ms', BOOKING_GOAL),
      atMost('booking p99 at 8 connections: through the share vs local', cross8.latency.p99, local8.latency.p99, 'ms', BOOKING_GOAL),
      atLeast('booking throughput at 8 connections: through the share vs local', cross8.throughput, local8.throughput, 'req/s', round(1 / BOOKING_GOAL, 2)),
      { ...atMost('peerBook alone (sharing server) vs local booking, p50 at 1 connection', runs['peerBook 1'].load.latency.p50, local1.latency.p50, 'ms', BOOKING_GOAL), goal: 'info', pass: true },
      atMost(`commit-to-screen p99, ${SUBSCRIBERS} subscribers of the client server (floor: NOTIFY p99 + bare ws p99)`, fromCommit(screen.delivery.latency.p99), floorP99, 'ms', SCREEN_GOAL),
      { ...singleGoal, goal: 'info (floor: NOTIFY p99 + bare ws to 1 socket)', pass: true },
      { ...firstGoal, goal: 'info (floor: NOTIFY p99 + bare ws first)', pass: true },
      { ...lastGoal, goal: 'info (floor: NOTIFY p99 + bare ws last)', pass: true },
      target(`commit-to-screen: lost events of ${SUBSCRIBERS}`, screen.delivery.lost + screen.delivery.withErrors, 'events', '= 0', screen.delivery.lost === 0 && screen.delivery.withErrors === 0),
      target('client server CPU per delivery', screen.cpuMsPerDelivery, 'ms', `info (bare ws: ${bare.cpuMsPerDelivery} ms)`, true),
    ];
    const checks: Check[] = [
      check('probe bookings: local, through the share and peerBook each booked', probes.every((p) => p.booked), probes.map((p) => `${p.name}: ${p.answer}`).join('; ')),
      check('every local booking stored', localBooked === expectedLocal, `${localBooked} of ${expectedLocal}`),
      check('every booking through the share stored at the client with its twin', crossBooked === expectedCross && twins === expectedCross + expectedPeer,
        `${crossBooked} of ${expectedCross} client records; ${twins} of ${expectedCross + expectedPeer} live twins at the sharing server (incl. ${expectedPeer} peerBook alone)`),
      check('the bookings that triggered the measured events succeeded', triggersBooked(screen).booked, triggersBooked(screen).detail),
      check(`every one of ${SUBSCRIBERS} client subscribers got the event, without errors`, screen.delivery.lost === 0 && screen.delivery.withErrors === 0,
        `${screen.delivery.received} received, ${screen.delivery.lost} lost, ${screen.delivery.withErrors} with errors; e.g. ${screen.delivery.message.slice(0, 300)}`),
      check('the floor delivered to every socket', bare.delivery.lost === 0 && bare1.delivery.lost === 0, `${bare.delivery.lost} lost`),
      check('the single client subscriber got the event', single.delivery.lost === 0 && single.delivery.withErrors === 0, `${single.delivery.lost} lost, ${single.delivery.withErrors} with errors`),
    ];
    return {
      id: '8', title: 'Cross-server: booking through a share, commit-to-screen across servers',
      goals, checks,
      metrics: {
        booking: Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, runSummary(r)])),
        statementsPerBooking: Object.fromEntries(probes.map((p) => [p.name, p.statements])),
        commitToScreen: {
          careslot: fanOutSummary(screen), floor: fanOutSummary(bare),
          oneSubscriber: { careslot: fanOutSummary(single), floor: fanOutSummary(bare1), fromCommitMs: round(singleFromCommit, 2) },
          fromCommit: { firstMs: round(fromCommit(screen.delivery.latency.min), 2), p50Ms: round(fromCommit(screen.delivery.latency.p50), 2), p99Ms: round(fromCommit(screen.delivery.latency.p99), 2), lastMs: round(fromCommit(screen.delivery.lastMs), 2) },
          // Under a key `floor`, so the report's runs table labels it a floor.
          notify: { floor: { p50Ms: round(notify.p50, 3), p99Ms: round(notify.p99, 3), maxMs: round(notify.max, 3), samples: notify.count } },
          messageBytes: Buffer.byteLength(screen.delivery.message),
        },
        setupMs: client.setupMs, sharedSchedules: sharedScheduleIds.length, bookingsPerRun: perRun, warmupPerRun: warm,
      },
      statements: probes.map((p) => `${p.name} ${p.statements}`).join(', '),
      peakRssMb: screen.peakRssMb,
      notes: [
        `(a) Distinct free slots of the ${SHARED_SCHEDULES} shared schedules, in random order, the same kind for both sides: local = bookAppointment at the sharing server by the bench admin; through the share = bookAppointment at the client server in the mirror schedule (it asks the sharing server with peerBook, then stores its own record). `
          + `1 connection gives the latency of one booking with nothing queued; 8 keeps both servers, PostgreSQL and the load generator busy on 2 cores while staying under the pools (20). ${warm} warm-up bookings before each measured run. `
          + '"peerBook alone" is the sharing server\'s half of a booking through the share, sent straight to it with the link token as the client server sends it: the rest of the cross-server time is the client server\'s own.',
        `(b) Commit-to-screen: each subscriber's arrival minus the moment the sharing server's booking answer arrived (the answer leaves after the commit, so this slightly understates the time). Path: commit → agenda event at the sharing server → peerOccupancyChanged over graphql-ws to the client server → its agendaChanged subscribers. `
          + 'Floor: NOTIFY → LISTEN between two connections (p99 of sequential events; the least cost of an event leaving the process that committed) plus the bare ws broadcast of the same bytes to as many sockets (from POST /broadcast, as scenario 7). '
          + 'The same with 1 subscriber isolates the hop between the servers; first-of-1,000 against it shows how long the client server works on all subscribers before the first one hears anything.',
        'SQL statements per booking from x-sql-statements: the client server counts its own only (the sharing server\'s are in the peerBook figure).',
      ],
    };
  } finally {
    await client.release();
  }
};

/** The bench centre's last rooms: schedules no other scenario books in those weeks. */
async function sharedSchedulesOf(ctx: BenchContext): Promise<string[]> {
  const client = new Client({ connectionString: ctx.db.ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      'SELECT id::text FROM schedules WHERE tenant_id = $1 AND centre_id = $2 ORDER BY name DESC LIMIT $3', [ctx.data.tenantId, ctx.data.centreId, SHARED_SCHEDULES]);
    return rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

/** Request bodies: local at the sharing server, through the share at the client server, and the peer call alone. */
function bookingBodies(ctx: BenchContext, client: ClientServer, run: string) {
  const mirrorService = client.mirrorServiceOf[ctx.data.visit15ServiceId];
  if (!mirrorService) throw new Error('the client has no mirror of the 15-minute service');
  const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];
  return {
    local: (slot: FreeSlot, tag: string) => JSON.stringify({
      query: BOOK_MUTATION, variables: { input: bookingInput(ctx, slot, `bench-s8-local-${run}-${tag}`, `bench:s8-local:${run}`) },
    }),
    cross: (slot: FreeSlot, tag: string) => JSON.stringify({
      query: BOOK_MUTATION,
      variables: {
        input: {
          scheduleId: client.mirrorOf[slot.scheduleId], serviceId: mirrorService, start: slot.start, patientId: pick(client.patientIds),
          idempotencyKey: `bench-s8-cross-${run}-${tag}`, note: `bench:s8-cross:${run}`,
        },
      },
    }),
    peer: (slot: FreeSlot, tag: string) => JSON.stringify({
      query: PEER_BOOK,
      variables: {
        input: {
          scheduleId: slot.scheduleId, serviceId: ctx.data.visit15ServiceId, start: slot.start, idempotencyKey: `bench-s8-peer-${run}-${tag}`,
          clientReference: randomUUID(), clientCentreName: 'Bench client clinic', patient: { familyName: 'Client', givenName: 'Bench', phone: '+46730000000' },
        },
      },
    }),
  };
}

interface Probe {
  name: string;
  booked: boolean;
  statements: number;
  answer: string;
}

/** One booking of each kind before the runs: the answer is checked and the statements counted. */
async function probeBookings(ctx: BenchContext, client: ClientServer, slots: FreeSlot[], bodies: ReturnType<typeof bookingBodies>): Promise<Probe[]> {
  const sharing = ctx.careslot().url;
  const kinds: Array<[string, string, string, string, (data: any) => boolean]> = [
    ['local', sharing, ctx.data.token, bodies.local(slots[0], 'probe'), (d) => d?.bookAppointment?.__typename === 'Appointment'],
    ['through the share (client server)', client.careslot.url, client.token, bodies.cross(slots[1], 'probe'), (d) => d?.bookAppointment?.__typename === 'Appointment'],
    ['peerBook (sharing server)', sharing, client.share.token, bodies.peer(slots[2], 'probe'), (d) => d?.peerBook?.__typename === 'PeerBooking'],
  ];
  const probes: Probe[] = [];
  for (const [name, url, token, body, booked] of kinds) {
    const { query, variables } = JSON.parse(body) as { query: string; variables: object };
    const answer = await graphql(url, token, query, variables);
    probes.push({ name, booked: booked(answer.body.data), statements: answer.statements, answer: JSON.stringify(answer.body).slice(0, 200) });
  }
  return probes;
}
