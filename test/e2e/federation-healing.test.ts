import request from 'supertest';
import { Client } from 'pg';
import { withPgClient } from '../../src/db/pg-client';
import { gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { cloneTemplateDatabase } from '../helpers/test-database';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs } from '../helpers/ws-client';
import { createCentreWithSchedules } from '../factories/catalog';
import { createShareOk, revokeShare } from '../factories/sharing';
import { createStaff } from '../factories/tenants';
import {
  APPOINTMENT_FIELDS, SlotAllocator, agendaChanged, appointmentQuery, bookOk, cancel, changeStatus, key, localAt, plusMinutes, sameInstant, sleep, subscribeQueued,
  type AgendaChangeData, type AppointmentData,
} from '../support/scheduling';
import {
  LEAN, LEAN_NO_JOBS, TOPOLOGIES, UPDATE_SHARE_LABEL, bookAtClientInput, bookAtSharing, codeOf, eventually, mirrorsOf, ms, newClientCentre, normalised, setUpSides, shareAndLink,
  sharingAppointments, startLaggingProxy, startProxy, startRestartable, startTopology, testLink, untilAgendaLive, watchClientAgenda, REMOVE_LINK,
  type AgendaEvent, type AgendaWatch, type ClientCentre, type Linked, type Proxy, type Restartable, type SharingAppointmentData, type Sides, type Topology,
} from '../support/federation';

/**
 * Schedule sharing heals (commit "Schedule sharing heals, part 1"):
 * 1. every (re)connection of the client's live watch sends each mirror schedule a RESYNC and
 *    reconciles the client's records with the twins the sharing server holds;
 * 2. exactly one agendaChanged event per change for the client centre's subscribers;
 * 3. link health (status, lastContactAt, lastProblem, LINK_DOWN / LINK_RESTORED, availability's
 *    `unavailable`), kept from real traffic, never from a connection test;
 * 4. mirrors findable through the API (createShareLink's link, Schedule.sharedFrom, Appointment.viaShare);
 * 5. reschedules in a mirror decided by the sharing server, and moves at the sharing centre followed;
 * 6. the booking note and the cancellation text reach the twin.
 * On one server (in-process peer) and across two servers (HTTP + graphql-ws); gaps in the
 * connection (a server stopped, a connection cut) only exist across two.
 */

// ---------------------------------------------------------------------------------------------
// Documents

const CLIENT_APPOINTMENT_FIELDS = `${APPOINTMENT_FIELDS} viaShare`;

const RESCHEDULE_SHARED = `mutation Reschedule($input: RescheduleAppointmentInput!) {
  rescheduleAppointment(input: $input) {
    __typename
    ... on Appointment { ${CLIENT_APPOINTMENT_FIELDS} }
    ... on SlotUnavailable { message } ... on OutsideOpeningHours { message } ... on OffSlotGrid { message } ... on InThePast { message }
    ... on NotBookableThroughShare { message }
  }
}`;

const LINK_FIELDS = `id status lastContactAt lastProblem
  mirrorSchedules { id name slotMinutes sharedFrom { remoteCentreName link { id status } } }
  mirrorServices { id code name durationMinutes }`;

const CREATE_LINK_FULL = `mutation CreateLink($input: CreateShareLinkInput!) {
  createShareLink(input: $input) { __typename ... on ShareLinkOk { remoteCentreName link { ${LINK_FIELDS} } } ... on ShareLinkProblem { reason message } }
}`;

const LINKS_HEALTH = `query Links($centreId: ID) { shareLinks(centreId: $centreId) { nodes { ${LINK_FIELDS} } } }`;

const SCHEDULE_SHARED_FROM = 'query Schedule($id: ID!) { schedule(id: $id) { id name sharedFrom { remoteCentreName link { id status } } } }';

const UPDATE_SCHEDULE_NAME = 'mutation($input: UpdateScheduleInput!) { updateSchedule(input: $input) { id } }';

const AVAILABILITY_WITH_UNAVAILABLE = `query Availability($centreId: ID!, $from: Instant!, $to: Instant!) {
  availability(centreId: $centreId, from: $from, to: $to) {
    schedules { scheduleId free { start end } occupied { start end } }
    unavailable { scheduleId linkId status problem }
  }
}`;

interface LinkHealthData {
  id: string;
  status: 'OK' | 'UNREACHABLE' | 'REJECTED' | 'REVOKED';
  lastContactAt: string | null;
  lastProblem: string | null;
  mirrorSchedules: Array<{ id: string; name: string; slotMinutes: number; sharedFrom: SharedFromData | null }>;
  mirrorServices: Array<{ id: string; code: string; name: string; durationMinutes: number }>;
}

interface SharedFromData {
  remoteCentreName: string;
  link: { id: string; status: string };
}

interface AvailabilityData {
  schedules: Array<{ scheduleId: string; free: Array<{ start: string; end: string }>; occupied: Array<{ start: string; end: string }> }>;
  unavailable: Array<{ scheduleId: string; linkId: string; status: string; problem: string }>;
}

type ClientAppointment = AppointmentData & { viaShare: boolean };

// ---------------------------------------------------------------------------------------------
// Calls

const clientOf = (sides: Sides) => sides.topology.client;
const clientToken = (sides: Sides) => sides.clientTenant.adminToken;

async function linkHealth(sides: Sides, linked: Linked, token = clientToken(sides)): Promise<LinkHealthData> {
  const links = (await gqlOk<{ shareLinks: { nodes: LinkHealthData[] } }>(clientOf(sides), LINKS_HEALTH, { centreId: linked.client.centreId }, token)).shareLinks.nodes;
  const link = links.find((candidate) => candidate.id === linked.linkId);
  if (!link) throw new Error(`link ${linked.linkId} not listed`);
  return link;
}

async function sharedFromOf(server: TestServer, token: string, scheduleId: string): Promise<SharedFromData | null> {
  return (await gqlOk<{ schedule: { sharedFrom: SharedFromData | null } }>(server, SCHEDULE_SHARED_FROM, { id: scheduleId }, token)).schedule.sharedFrom;
}

function clientAvailability(sides: Sides, linked: Linked, from = localAt(1, 0), to = localAt(15, 0)): Promise<GraphQLResponse<{ availability: AvailabilityData }>> {
  return gql<{ availability: AvailabilityData }>(clientOf(sides), AVAILABILITY_WITH_UNAVAILABLE, { centreId: linked.client.centreId, from, to }, clientToken(sides));
}

async function clientRecord(sides: Sides, id: string): Promise<ClientAppointment> {
  return (await gqlOk<{ appointment: ClientAppointment }>(clientOf(sides), appointmentQuery(id, CLIENT_APPOINTMENT_FIELDS), {}, clientToken(sides))).appointment;
}

const rescheduleAt = (server: TestServer, token: string, input: { appointmentId: string; start: string; idempotencyKey: string }) =>
  gql<{ rescheduleAppointment: ClientAppointment & { __typename: string } }>(server, RESCHEDULE_SHARED, { input }, token);

/** The sharing centre's appointments (twins included) in a schedule, by start. */
const twinsAt = async (sides: Sides, start: string, scheduleId = sides.sharingCentre.scheduleIds[0]): Promise<SharingAppointmentData[]> =>
  (await sharingAppointments(sides, scheduleId)).filter((appointment) => ms(appointment.start) === ms(start));

async function theTwinAt(sides: Sides, start: string, scheduleId?: string): Promise<SharingAppointmentData> {
  const twins = (await twinsAt(sides, start, scheduleId)).filter((twin) => twin.origin === 'SHARED_CLIENT');
  expect(twins).toHaveLength(1);
  return twins[0];
}

async function twinById(sides: Sides, id: string, scheduleId = sides.sharingCentre.scheduleIds[0]): Promise<SharingAppointmentData> {
  const twin = (await sharingAppointments(sides, scheduleId)).find((appointment) => appointment.id === id);
  if (!twin) throw new Error(`twin ${id} not found`);
  return twin;
}

/** Polls the twin until `done` or a deadline that only catches hangs; answers it as last seen. */
const untilTwin = (sides: Sides, id: string, done: (twin: SharingAppointmentData) => boolean, timeoutMs = 15_000, scheduleId?: string) =>
  eventually(() => twinById(sides, id, scheduleId), done, timeoutMs, 100);

const untilRecord = (sides: Sides, id: string, done: (record: ClientAppointment) => boolean, timeoutMs = 15_000) =>
  eventually(() => clientRecord(sides, id), done, timeoutMs, 100);

/** A booking by the client centre in a mirror schedule, with the API's answer. */
const bookAtClient = (sides: Sides, linked: Linked, start: string, options: Parameters<typeof bookAtClientInput>[3] & { note?: string } = {}) =>
  bookOk(clientOf(sides), clientToken(sides), { ...bookAtClientInput(sides, linked, start, options), ...(options.note ? { note: options.note } : {}) });

const cancelAtSharing = (sides: Sides, twinId: string) =>
  gqlOk(sides.topology.sharing, 'mutation($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { id status } }',
    { input: { appointmentId: twinId, reasonCode: 'CLINIC_UNAVAILABLE', reasonText: 'The doctor is ill', idempotencyKey: key() } }, sides.sharingTenant.adminToken);

async function moveAtSharing(sides: Sides, twinId: string, start: string): Promise<void> {
  const moved = await rescheduleAt(sides.topology.sharing, sides.sharingTenant.adminToken, { appointmentId: twinId, start, idempotencyKey: key() });
  expect(moved.errors).toBeUndefined();
  expect(moved.data!.rescheduleAppointment.__typename).toBe('Appointment');
}

/** Pending cancel-shared-twin jobs of one appointment at the client (a twin's cancellation sent back). */
const cancellationJobsOf = (server: TestServer, appointmentId: string): Promise<number> => withPgClient(server.databaseUrl, async (db) =>
  (await db.query('SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key LIKE $1', [`cancel-shared-twin:${appointmentId}%`])).rows[0].n);

/** Connection tests counted for a user (the attempt limiter of testShareLink), read as the owner. */
const attemptCountersOf = (server: TestServer, tenantId: string, userId: string) => withPgClient(server.databaseUrl, async (db) =>
  (await db.query('SELECT attempts, failures FROM attempt_counters WHERE tenant_id = $1 AND subject = $2', [tenantId, userId])).rows);

/** Connection tests audited in a tenant (every test is). */
const connectionTestsAudited = (server: TestServer, tenantId: string): Promise<number> => withPgClient(server.databaseUrl, async (db) =>
  (await db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND action = 'share-link.tested'`, [tenantId])).rows[0].n);

/** Polls /readyz until it answers 200. */
async function untilReady(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await request(url).get('/readyz').then((response) => response.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} never became ready (last status ${status})`);
    await sleep(20);
  }
}

/**
 * The client's watch reconnects after 0.5 s, then doubling with jitter, at most 15 s apart. How soon
 * it is back is not asserted here (timings never go into tests: bench/ measures them): twice the
 * longest wait only turns a watch that never comes back into a failure.
 */
const RECONNECT_HANG_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Live agenda: everything a subscriber received, from its log

/** How long to keep listening after a change (and its echoes) for a second event. */
const SETTLE_MS = 1500;

function watchAgenda(server: TestServer, token: string, centreId: string): AgendaWatch {
  const connection = connectWs(server.url, token);
  const events = subscribeQueued<AgendaEvent>(connection.client, agendaChanged(centreId));
  return {
    connection, events,
    close: async () => {
      events.dispose();
      await connection.dispose().catch(() => undefined);
    },
  };
}

/** A position in the subscriber's log. */
const mark = (watch: AgendaWatch): number => watch.events.log.length;

/** The changes received since `from` (a payload with errors, an error or a completion fails the test). */
function changesSince(watch: AgendaWatch, from: number): AgendaChangeData[] {
  return watch.events.log.slice(from).map((entry) => {
    const payload = entry.value as AgendaEvent | undefined;
    if (entry.type !== 'next' || !payload?.data || payload.errors) throw new Error(`the agenda subscription failed: ${JSON.stringify(entry)}`);
    return payload.data.agendaChanged;
  });
}

/** Waits until the changes since `from` satisfy `done` (a deadline that only catches hangs, unless the test gives one). */
async function untilChanges(watch: AgendaWatch, from: number, done: (changes: AgendaChangeData[]) => boolean, timeoutMs = 5000): Promise<AgendaChangeData[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const changes = changesSince(watch, from);
    if (done(changes)) return changes;
    if (Date.now() >= deadline) throw new Error(`the expected agenda events did not arrive within ${timeoutMs} ms; received: ${JSON.stringify(changes)}`);
    await sleep(20);
  }
}

/** Waits until the subscriber heard nothing for `quietMs`. */
async function quiet(watch: AgendaWatch, quietMs = 400): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const before = mark(watch);
    await sleep(quietMs);
    if (mark(watch) === before) return;
  }
  throw new Error('the agenda never went quiet');
}

/**
 * Every change the subscriber receives for one change made after `from`: the first (within
 * `firstWithinMs`), then — once `settled` (the change's echoes had their chance: a job delivered,
 * the twin moved) — SETTLE_MS more, so that a second event would be seen.
 */
async function changesFor(watch: AgendaWatch, from: number, settled?: () => Promise<unknown>, firstWithinMs = 5000): Promise<AgendaChangeData[]> {
  await untilChanges(watch, from, (changes) => changes.length > 0, firstWithinMs);
  await settled?.();
  await sleep(SETTLE_MS);
  return changesSince(watch, from);
}

/** graphql-ws acknowledges no subscription: poke the centre's agenda until the subscriber hears it, then let it go quiet. */
async function untilLive(watch: AgendaWatch, poke: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const from = mark(watch);
    await poke();
    await sleep(300);
    if (mark(watch) > from) return quiet(watch);
  }
  throw new Error('the subscriber never heard its centre');
}

const renameSchedule = (server: TestServer, token: string, scheduleId: string) =>
  gqlOk(server, UPDATE_SCHEDULE_NAME, { input: { id: scheduleId, name: `Renamed ${key().slice(2, 10)}` } }, token);

/** Kinds and subjects of changes, sorted: a multiset to compare. */
const summary = (changes: AgendaChangeData[]): string[] =>
  changes.map((change) => `${change.kind} ${change.appointmentId ?? change.scheduleId ?? change.linkId ?? '-'}`).sort();

// =============================================================================================
// On one server and on two

describe.each(TOPOLOGIES)('schedule sharing on %s: healing', (name) => {
  let topology: Topology;
  let sides: Sides;
  /** Distinct 30-minute starts on the sharing centre's schedule 0, from two days ahead. */
  let slots: SlotAllocator;
  const watches: AgendaWatch[] = [];

  beforeAll(async () => {
    topology = await startTopology(name);
    sides = await setUpSides(topology);
    slots = new SlotAllocator([sides.sharingCentre.scheduleIds[0]], { firstDay: 2, durationMinutes: 30 });
  });
  afterAll(async () => {
    for (const watch of watches) await watch.close();
    await topology?.close();
  });

  const s0 = () => sides.sharingCentre.scheduleIds[0];
  const s1 = () => sides.sharingCentre.scheduleIds[1];
  const mirror0 = (linked: Linked) => linked.mirrorOf[s0()];

  /** A fresh share and link, a subscriber to the client centre's agenda that is live, and quiet. */
  async function liveLink(options: Parameters<typeof shareAndLink>[1] = {}): Promise<{ linked: Linked; watch: AgendaWatch }> {
    const linked = await shareAndLink(sides, options);
    const watch = watchClientAgenda(sides, linked);
    watches.push(watch);
    await untilAgendaLive(sides, linked, watch);
    await quiet(watch);
    return { linked, watch };
  }

  /** A client booking in mirror 0, its twin, and a quiet subscriber again. */
  async function clientBooking(linked: Linked, watch: AgendaWatch): Promise<{ mine: AppointmentData; twin: SharingAppointmentData }> {
    const { start } = slots.next();
    const mine = await bookAtClient(sides, linked, start);
    const twin = await theTwinAt(sides, start);
    await quiet(watch);
    return { mine, twin };
  }

  describe('1. every connection of the live watch resyncs', () => {
    it('a new link\'s watch connects: each of its mirror schedules gets exactly one RESYNC with the link id', async () => {
      // A client centre with a schedule of its own, so its subscriber is known live before the link exists.
      const own = await createCentreWithSchedules(topology.client, sides.clientTenant, { name: `Client Own ${key().slice(2, 10)}`, schedules: 1 });
      const client: ClientCentre = { centreId: own.centreId, name: 'client with own schedule' };
      const watch = watchAgenda(topology.client, clientToken(sides), own.centreId);
      watches.push(watch);
      await untilLive(watch, () => renameSchedule(topology.client, clientToken(sides), own.scheduleIds[0]));

      const from = mark(watch);
      const linked = await shareAndLink(sides, { scheduleIds: [s0(), s1()], client });
      const changes = await changesFor(watch, from);
      const expected = [s0(), s1()].map((remoteId) => ({
        kind: 'RESYNC', centreId: own.centreId, scheduleId: linked.mirrorOf[remoteId], linkId: linked.linkId, appointmentId: null, appointment: null, interval: null,
      }));
      const byScheduleId = (a: { scheduleId: string | null }, b: { scheduleId: string | null }) => String(a.scheduleId).localeCompare(String(b.scheduleId));
      expect([...changes].sort(byScheduleId)).toEqual(expected.sort(byScheduleId));
    });
  });

  describe('2. exactly one agendaChanged event per change for the client centre\'s subscribers', () => {
    it('the client books in a shared schedule: one CREATED, by the client\'s record', async () => {
      const { linked, watch } = await liveLink();
      const { start } = slots.next();
      const from = mark(watch);
      const mine = await bookAtClient(sides, linked, start);
      const changes = await changesFor(watch, from, () => theTwinAt(sides, start));
      expect(changes).toEqual([expect.objectContaining({
        kind: 'CREATED', centreId: linked.client.centreId, appointmentId: mine.id, scheduleId: mirror0(linked), linkId: null,
        appointment: expect.objectContaining({ id: mine.id, status: 'BOOKED', start: sameInstant(start), scheduleId: mirror0(linked), viaShare: true }),
      })]);
    });

    it('the sharing server\'s event overtakes the client\'s record of the booking: still one CREATED, by the record', async () => {
      const { linked, watch } = await liveLink();
      const { start } = slots.next();
      const end = new Date(Date.parse(start) + 30 * 60_000).toISOString();
      const from = mark(watch);
      // An uncommitted overlapping row in the mirror holds the client's record back (its insert waits
      // on the overlap constraint) until it is rolled back; the booking statement before it does not wait.
      const holder = new Client({ connectionString: clientOf(sides).databaseUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query(`INSERT INTO appointments (tenant_id, schedule_id, service_id, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5)`,
          [sides.clientTenant.tenantId, mirror0(linked), Object.values(linked.mirrorServiceOf)[0], start, end]);
        const booking = bookAtClient(sides, linked, start);
        const twins = await eventually(() => twinsAt(sides, start), (found) => found.some((twin) => twin.origin === 'SHARED_CLIENT'), 10_000);
        expect(twins.filter((twin) => twin.origin === 'SHARED_CLIENT')).toHaveLength(1);
        // The twin's CREATED is on its way to the client's watcher, or there already: the record is still held back.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await holder.query('ROLLBACK');
        const mine = await booking;
        const changes = await changesFor(watch, from, () => theTwinAt(sides, start));
        expect(changes).toEqual([expect.objectContaining({ kind: 'CREATED', appointmentId: mine.id, scheduleId: mirror0(linked) })]);
      } finally {
        await holder.end();
      }
    });

    it('the client cancels: one CANCELLED, also once the twin\'s cancellation reached the sharing centre', async () => {
      const { linked, watch } = await liveLink();
      const { mine, twin } = await clientBooking(linked, watch);
      const from = mark(watch);
      const cancelled = await cancel(clientOf(sides), clientToken(sides), { appointmentId: mine.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() });
      expect(cancelled.errors).toBeUndefined();
      const changes = await changesFor(watch, from, async () => {
        expect((await untilTwin(sides, twin.id, (t) => t.status === 'CANCELLED')).status).toBe('CANCELLED');
      });
      expect(changes).toEqual([expect.objectContaining({
        kind: 'CANCELLED', appointmentId: mine.id, scheduleId: mirror0(linked),
        appointment: expect.objectContaining({ id: mine.id, status: 'CANCELLED', cancellation: expect.objectContaining({ reasonCode: 'PATIENT_REQUEST' }) }),
      })]);
    });

    it('the client reschedules: one CHANGED, with the new time', async () => {
      const { linked, watch } = await liveLink();
      const { mine, twin } = await clientBooking(linked, watch);
      const { start: target } = slots.next();
      const from = mark(watch);
      const moved = await rescheduleAt(clientOf(sides), clientToken(sides), { appointmentId: mine.id, start: target, idempotencyKey: key() });
      expect(moved.errors).toBeUndefined();
      expect(moved.data!.rescheduleAppointment.__typename).toBe('Appointment');
      const changes = await changesFor(watch, from, () => untilTwin(sides, twin.id, (t) => ms(t.start) === ms(target)));
      expect(changes).toEqual([expect.objectContaining({
        kind: 'CHANGED', appointmentId: mine.id, scheduleId: mirror0(linked),
        appointment: expect.objectContaining({ id: mine.id, start: sameInstant(target), end: sameInstant(plusMinutes(target, 30)), viaShare: true }),
      })]);
    });

    it('the sharing centre cancels the client\'s twin: one CANCELLED, by the client\'s record', async () => {
      const { linked, watch } = await liveLink();
      const { mine, twin } = await clientBooking(linked, watch);
      const from = mark(watch);
      await cancelAtSharing(sides, twin.id);
      const changes = await changesFor(watch, from, () => untilRecord(sides, mine.id, (record) => record.status === 'CANCELLED'));
      expect(changes).toEqual([expect.objectContaining({
        kind: 'CANCELLED', appointmentId: mine.id, scheduleId: mirror0(linked),
        appointment: expect.objectContaining({ id: mine.id, status: 'CANCELLED', cancellation: expect.objectContaining({ reasonCode: 'CANCELLED_BY_SHARING_CENTRE' }) }),
      })]);
    });

    it('the sharing centre moves the client\'s twin: one CHANGED, by the client\'s record, with the new time', async () => {
      const { linked, watch } = await liveLink();
      const { mine, twin } = await clientBooking(linked, watch);
      const { start: target } = slots.next();
      const from = mark(watch);
      await moveAtSharing(sides, twin.id, target);
      const changes = await changesFor(watch, from, () => untilRecord(sides, mine.id, (record) => ms(record.start) === ms(target)));
      expect(changes).toEqual([expect.objectContaining({
        kind: 'CHANGED', appointmentId: mine.id, scheduleId: mirror0(linked),
        appointment: expect.objectContaining({ id: mine.id, start: sameInstant(target), end: sameInstant(plusMinutes(target, 30)) }),
      })]);
    });

    it('the sharing centre books its own appointment: one occupancy CREATED (no appointment, the mirror, the interval)', async () => {
      const { linked, watch } = await liveLink();
      const from = mark(watch);
      const own = await bookAtSharing(sides, { scheduleId: s0(), start: slots.next().start });
      const changes = await changesFor(watch, from);
      expect(changes).toEqual([{
        kind: 'CREATED', centreId: linked.client.centreId, scheduleId: mirror0(linked), appointmentId: null, appointment: null, linkId: null,
        interval: { start: sameInstant(own.start), end: sameInstant(own.end) },
      }]);
    });

    it('the sharing centre moves its own appointment: one occupancy CHANGED whose interval covers the time it left and the time it took', async () => {
      const { linked, watch } = await liveLink();
      const own = await bookAtSharing(sides, { scheduleId: s0(), start: slots.next().start });
      await quiet(watch);
      const { start: target } = slots.next();
      const from = mark(watch);
      await moveAtSharing(sides, own.id, target);
      const changes = await changesFor(watch, from);
      expect(changes).toEqual([expect.objectContaining({
        kind: 'CHANGED', centreId: linked.client.centreId, scheduleId: mirror0(linked), appointmentId: null, appointment: null, linkId: null,
      })]);
      // "The occupied time that changed (re-read only there)": a subscriber that re-reads only there must see the old time freed too.
      const interval = changes[0].interval;
      const covers = (start: string, end: string) => interval !== null && ms(interval.start) <= ms(start) && ms(interval.end) >= ms(end);
      expect({ interval, coversTheTimeLeft: covers(own.start, own.end), coversTheTimeTaken: covers(target, plusMinutes(target, 30)) })
        .toEqual({ interval: expect.anything(), coversTheTimeLeft: true, coversTheTimeTaken: true });
    });

    it('a second instance of the client server: its subscribers too hear each change of the client\'s twin exactly once', async () => {
      const { linked, watch } = await liveLink();
      const second = await startTestServer({ databaseUrl: topology.client.databaseUrl, config: LEAN_NO_JOBS });
      const other = watchAgenda(second, clientToken(sides), linked.client.centreId);
      try {
        // Live on the second instance too: its own watch of the sharing server hears the share's label change.
        await untilLive(other, () => gqlOk(topology.sharing, UPDATE_SHARE_LABEL, { input: { id: linked.shareId, label: `poke ${key()}` } }, sides.sharingTenant.adminToken));
        await quiet(watch);
        const { start } = slots.next();
        const mine = await bookAtClient(sides, linked, start);
        const twin = await theTwinAt(sides, start);
        await Promise.all([quiet(watch), quiet(other)]);

        const { start: target } = slots.next();
        let from = [mark(watch), mark(other)];
        await moveAtSharing(sides, twin.id, target);
        await changesFor(watch, from[0], () => untilRecord(sides, mine.id, (record) => ms(record.start) === ms(target)));
        for (const [subscriber, since] of [[watch, from[0]], [other, from[1]]] as const) {
          expect(changesSince(subscriber, since)).toEqual([expect.objectContaining({ kind: 'CHANGED', appointmentId: mine.id, appointment: expect.objectContaining({ start: sameInstant(target) }) })]);
        }

        from = [mark(watch), mark(other)];
        await cancelAtSharing(sides, twin.id);
        await changesFor(watch, from[0], () => untilRecord(sides, mine.id, (record) => record.status === 'CANCELLED'));
        for (const [subscriber, since] of [[watch, from[0]], [other, from[1]]] as const) {
          expect(changesSince(subscriber, since)).toEqual([expect.objectContaining({ kind: 'CANCELLED', appointmentId: mine.id, appointment: expect.objectContaining({ status: 'CANCELLED' }) })]);
        }
      } finally {
        await other.close();
        await second.close();
      }
    });

    it('a plain local booking: exactly one event, to its own centre only (at the client and at the sharing centre)', async () => {
      const { watch: linkedWatch } = await liveLink();
      const own = await createCentreWithSchedules(topology.client, sides.clientTenant, { name: `Client Local ${key().slice(2, 10)}`, schedules: 1 });
      const local = watchAgenda(topology.client, clientToken(sides), own.centreId);
      watches.push(local);
      await untilLive(local, () => renameSchedule(topology.client, clientToken(sides), own.scheduleIds[0]));
      const linkedFrom = mark(linkedWatch);

      const from = mark(local);
      const booked = await bookOk(topology.client, clientToken(sides), {
        scheduleId: own.scheduleIds[0], serviceId: own.serviceIds[0], start: localAt(2, 9), newPatient: { familyName: 'Local', givenName: 'Patient' },
      });
      const changes = await changesFor(local, from);
      expect(changes).toEqual([expect.objectContaining({
        kind: 'CREATED', centreId: own.centreId, appointmentId: booked.id, scheduleId: own.scheduleIds[0], linkId: null,
        interval: { start: booked.start, end: booked.end },
        appointment: expect.objectContaining({ id: booked.id, viaShare: false }),
      })]);
      // The linked client centre (same tenant, same server) hears nothing of it.
      expect(changesSince(linkedWatch, linkedFrom)).toEqual([]);

      // The sharing centre's own subscriber: its own booking once (the peer watch adds nothing there).
      const sharingWatch = watchAgenda(topology.sharing, sides.sharingTenant.adminToken, sides.sharingCentre.centreId);
      watches.push(sharingWatch);
      await untilLive(sharingWatch, () => renameSchedule(topology.sharing, sides.sharingTenant.adminToken, sides.sharingCentre.scheduleIds[2]));
      const sharingFrom = mark(sharingWatch);
      const ownAtSharing = await bookAtSharing(sides, { scheduleId: s0(), start: slots.next().start });
      const atSharing = await changesFor(sharingWatch, sharingFrom);
      expect(atSharing).toEqual([expect.objectContaining({
        kind: 'CREATED', centreId: sides.sharingCentre.centreId, appointmentId: ownAtSharing.id, scheduleId: s0(),
        appointment: expect.objectContaining({ id: ownAtSharing.id, viaShare: false }),
      })]);
    });
  });

  describe('3. link health from real traffic', () => {
    it('after linking: OK with a last contact; revoked: one LINK_DOWN, REVOKED on the link and on the mirror, availability names the mirror', async () => {
      const { linked, watch } = await liveLink();
      const healthy = await linkHealth(sides, linked);
      expect(healthy).toMatchObject({ status: 'OK', lastProblem: null });
      expect(healthy.lastContactAt).not.toBeNull();
      expect(Math.abs(Date.now() - ms(healthy.lastContactAt!))).toBeLessThan(120_000);
      expect(await sharedFromOf(topology.client, clientToken(sides), mirror0(linked))).toEqual({
        remoteCentreName: sides.sharingCentre.name, link: { id: linked.linkId, status: 'OK' },
      });

      const from = mark(watch);
      expect((await revokeShare(topology.sharing, sides.sharingTenant.adminToken, linked.shareId)).errors).toBeUndefined();
      let availability: GraphQLResponse<{ availability: AvailabilityData }> | undefined;
      const changes = await changesFor(watch, from, async () => {
        // Traffic after the revocation reports it again: no second LINK_DOWN.
        availability = await clientAvailability(sides, linked);
      });
      expect(changes).toEqual([{
        kind: 'LINK_DOWN', centreId: linked.client.centreId, linkId: linked.linkId, scheduleId: null, appointmentId: null, appointment: null, interval: null,
      }]);

      const revoked = await eventually(() => linkHealth(sides, linked), (link) => link.status === 'REVOKED', 5000);
      expect(revoked.status).toBe('REVOKED');
      expect(revoked.lastProblem).toMatch(/\S/);
      expect((await sharedFromOf(topology.client, clientToken(sides), mirror0(linked)))?.link).toEqual({ id: linked.linkId, status: 'REVOKED' });

      expect(availability!.status).toBe(200);
      expect(availability!.errors).toBeUndefined();
      expect(availability!.data!.availability.schedules.map((row) => row.scheduleId)).not.toContain(mirror0(linked));
      expect(availability!.data!.availability.unavailable).toEqual([{ scheduleId: mirror0(linked), linkId: linked.linkId, status: 'REVOKED', problem: expect.stringMatching(/\S/) }]);
    });

    it('a sharing server that answers with a refusal is reachable: the link stays OK and no LINK_DOWN (a move of a twin that has arrived: CONFLICT, as locally)', async () => {
      const { linked, watch } = await liveLink();
      const { mine, twin } = await clientBooking(linked, watch);
      // At the sharing centre the patient arrives (the client's record is told only of moves and cancellations).
      expect((await changeStatus(topology.sharing, sides.sharingTenant.adminToken, { appointmentId: twin.id, status: 'ARRIVED', idempotencyKey: key() })).errors).toBeUndefined();
      const { start: target } = slots.next();
      // Locally, a move of an arrived appointment is a CONFLICT.
      expect(codeOf(await rescheduleAt(topology.sharing, sides.sharingTenant.adminToken, { appointmentId: twin.id, start: target, idempotencyKey: key() }))).toBe('CONFLICT');
      await quiet(watch);
      const recordBefore = await clientRecord(sides, mine.id);
      const twinBefore = await twinById(sides, twin.id);
      const from = mark(watch);

      const response = await rescheduleAt(clientOf(sides), clientToken(sides), { appointmentId: mine.id, start: target, idempotencyKey: key() });
      await sleep(SETTLE_MS);
      const link = await linkHealth(sides, linked);
      expect({ code: codeOf(response), status: link.status, changes: changesSince(watch, from) }).toEqual({ code: 'CONFLICT', status: 'OK', changes: [] });
      expect(await clientRecord(sides, mine.id)).toEqual(recordBefore);
      expect(await twinById(sides, twin.id)).toEqual(twinBefore);
    });

    it('reading a link\'s status costs no connection test: 20 reads of a revoked link by a fresh ADMIN, who may still test a link', async () => {
      const linked = await shareAndLink(sides);
      expect((await revokeShare(topology.sharing, sides.sharingTenant.adminToken, linked.shareId)).errors).toBeUndefined();
      await clientAvailability(sides, linked); // traffic: the link learns it is revoked
      expect((await eventually(() => linkHealth(sides, linked), (link) => link.status === 'REVOKED', 5000)).status).toBe('REVOKED');

      const reader = await createStaff(topology.client, sides.clientTenant, ['ADMIN']);
      const auditedBefore = await connectionTestsAudited(topology.client, sides.clientTenant.tenantId);
      for (let read = 0; read < 20; read++) {
        expect((await linkHealth(sides, linked, reader.token)).status).toBe('REVOKED');
        expect((await sharedFromOf(topology.client, reader.token, mirror0(linked)))?.link.status).toBe('REVOKED');
      }
      expect(await attemptCountersOf(topology.client, sides.clientTenant.tenantId, reader.userId)).toEqual([]);
      expect(await connectionTestsAudited(topology.client, sides.clientTenant.tenantId)).toBe(auditedBefore);

      // Were those reads tests of a revoked link, the sixth failure would have blocked this user.
      const working = await createShareOk(topology.sharing, sides.sharingTenant, { centreId: sides.sharingCentre.centreId, scheduleIds: [s0()] });
      const tested = await testLink(topology.client, reader.token, { url: working.serverUrl, remoteCentreId: working.centreId, token: working.token });
      expect(tested.errors).toBeUndefined();
      expect(tested.data!.testShareLink.__typename).toBe('ShareLinkOk');
    });
  });

  describe('4. mirrors are findable through the API; bookings through a share say so', () => {
    it('createShareLink answers the mirror schedules and services and the status; Schedule.sharedFrom; Appointment.viaShare', async () => {
      const share = await createShareOk(topology.sharing, sides.sharingTenant, { centreId: sides.sharingCentre.centreId, scheduleIds: [s0(), s1()] });
      const client = await newClientCentre(sides);
      const created = (await gqlOk<{ createShareLink: { __typename: string; remoteCentreName?: string; link?: LinkHealthData } }>(topology.client, CREATE_LINK_FULL, {
        input: { centreId: client.centreId, url: share.serverUrl, remoteCentreId: share.centreId, token: share.token, label: 'findable' },
      }, clientToken(sides))).createShareLink;
      expect(created.__typename).toBe('ShareLinkOk');
      const link = created.link!;
      expect(link.status).toBe('OK');
      expect(link.lastContactAt).not.toBeNull();
      expect(link.lastProblem).toBeNull();

      // The same mirrors as stored, named after the sharing centre, each saying where it came from.
      const stored = await mirrorsOf(topology.client, sides.clientTenant, link.id);
      expect(link.mirrorSchedules.map((schedule) => schedule.id).sort()).toEqual(Object.values(stored.mirrorOf).sort());
      expect(link.mirrorServices.map((service) => service.id).sort()).toEqual(Object.values(stored.mirrorServiceOf).sort());
      expect(link.mirrorSchedules.map((schedule) => schedule.name).sort()).toEqual([`Schedule 1 (${sides.sharingCentre.name})`, `Schedule 2 (${sides.sharingCentre.name})`]);
      expect(link.mirrorServices.map((service) => service.durationMinutes).sort()).toEqual([30, 60]);
      for (const service of link.mirrorServices) expect(service.code.endsWith(`@${link.id.slice(0, 8)}`)).toBe(true);
      for (const schedule of link.mirrorSchedules) {
        expect(schedule.sharedFrom).toEqual({ remoteCentreName: sides.sharingCentre.name, link: { id: link.id, status: 'OK' } });
        expect(await sharedFromOf(topology.client, clientToken(sides), schedule.id)).toEqual({ remoteCentreName: sides.sharingCentre.name, link: { id: link.id, status: 'OK' } });
      }
      expect((await gqlOk<{ shareLinks: { nodes: LinkHealthData[] } }>(topology.client, LINKS_HEALTH, { centreId: client.centreId }, clientToken(sides))).shareLinks.nodes)
        .toEqual([expect.objectContaining({ id: link.id, status: 'OK', mirrorSchedules: expect.arrayContaining(link.mirrorSchedules) })]);

      // Own schedules were not shared from anywhere: at the sharing centre, and the client's own.
      expect(await sharedFromOf(topology.sharing, sides.sharingTenant.adminToken, s0())).toBeNull();
      const own = await createCentreWithSchedules(topology.client, sides.clientTenant, { name: `Client Own ${key().slice(2, 10)}`, schedules: 1 });
      expect(await sharedFromOf(topology.client, clientToken(sides), own.scheduleIds[0])).toBeNull();

      // Booking with the ids the API answered (no database look-up): viaShare at the client, not on the twin, not for own bookings.
      const mirror = link.mirrorSchedules.find((schedule) => schedule.name.startsWith('Schedule 1 '))!;
      const service = link.mirrorServices.find((candidate) => candidate.durationMinutes === 30)!;
      const { start } = slots.next();
      const viaShare = await bookOk(topology.client, clientToken(sides), {
        scheduleId: mirror.id, serviceId: service.id, start, newPatient: { familyName: 'Findable', givenName: 'Mirror' },
      });
      expect(await clientRecord(sides, viaShare.id)).toMatchObject({ id: viaShare.id, scheduleId: mirror.id, viaShare: true });
      const listed = (await gqlOk<{ appointments: { nodes: Array<{ id: string; viaShare: boolean }> } }>(topology.client,
        'query($filter: AppointmentFilterInput) { appointments(first: 10, filter: $filter) { nodes { id viaShare } } }', { filter: { centreId: client.centreId } }, clientToken(sides))).appointments.nodes;
      expect(listed).toEqual([{ id: viaShare.id, viaShare: true }]);
      const twin = await theTwinAt(sides, start);
      expect((await gqlOk<{ appointment: { viaShare: boolean } }>(topology.sharing, appointmentQuery(twin.id, 'id viaShare'), {}, sides.sharingTenant.adminToken)).appointment.viaShare)
        .toBe(false);
      const local = await bookOk(topology.client, clientToken(sides), {
        scheduleId: own.scheduleIds[0], serviceId: own.serviceIds[0], start: localAt(3, 9), newPatient: { familyName: 'Local', givenName: 'Only' },
      });
      expect((await clientRecord(sides, local.id)).viaShare).toBe(false);
    });
  });

  describe('5. reschedules in a shared schedule are decided by the sharing server', () => {
    it('moves the twin and then the client\'s record; the same key again moves nothing more; the key with another start is a CONFLICT', async () => {
      const linked = await shareAndLink(sides);
      const { start } = slots.next();
      const mine = await bookAtClient(sides, linked, start);
      const twin = await theTwinAt(sides, start);
      const { start: target } = slots.next();
      const input = { appointmentId: mine.id, start: target, idempotencyKey: key() };

      const first = await rescheduleAt(clientOf(sides), clientToken(sides), input);
      expect(first.errors).toBeUndefined();
      expect(first.data!.rescheduleAppointment).toMatchObject({
        __typename: 'Appointment', id: mine.id, scheduleId: mirror0(linked), status: 'BOOKED', viaShare: true,
        start: sameInstant(target), end: sameInstant(plusMinutes(target, 30)),
      });
      const movedTwin = await twinById(sides, twin.id);
      expect(movedTwin).toMatchObject({ status: 'BOOKED', origin: 'SHARED_CLIENT' });
      expect(ms(movedTwin.start)).toBe(ms(target));
      expect(movedTwin.history.filter((entry) => entry.action === 'RESCHEDULED')).toEqual([expect.objectContaining({ actorKind: 'PEER_SERVER' })]);
      expect((await twinsAt(sides, start)).filter((a) => a.status !== 'CANCELLED')).toEqual([]);
      const record = await clientRecord(sides, mine.id);
      expect(record).toMatchObject({ start: sameInstant(target), end: sameInstant(plusMinutes(target, 30)), status: 'BOOKED' });
      expect(record.history.filter((entry) => entry.action === 'RESCHEDULED')).toHaveLength(1);
      // The client's availability shows the twin's new time occupied, the old one not.
      const availability = (await clientAvailability(sides, linked)).data!.availability.schedules.find((row) => row.scheduleId === mirror0(linked))!;
      const occupied = normalised(availability.occupied);
      expect(occupied.some((i) => ms(i.start) <= ms(target) && ms(i.end) >= ms(target) + 30 * 60_000)).toBe(true);
      expect(occupied.some((i) => ms(i.start) < ms(start) + 30 * 60_000 && ms(i.end) > ms(start))).toBe(false);

      // Idempotent: the same key answers the same, and moves nothing more on either side.
      const again = await rescheduleAt(clientOf(sides), clientToken(sides), input);
      expect(again.errors).toBeUndefined();
      expect(again.data!.rescheduleAppointment).toMatchObject({ __typename: 'Appointment', id: mine.id, start: sameInstant(target) });
      expect((await twinById(sides, twin.id)).history).toEqual(movedTwin.history);
      expect((await clientRecord(sides, mine.id)).history).toEqual(record.history);

      // The key with another start: a conflict, and nothing changes.
      const reused = await rescheduleAt(clientOf(sides), clientToken(sides), { ...input, start: slots.next().start });
      expect(codeOf(reused)).toBe('CONFLICT');
      expect(await twinById(sides, twin.id)).toEqual(movedTwin);
      expect(await clientRecord(sides, mine.id)).toEqual(record);
    });

    it('refusals are the typed results of a local reschedule (NotBookableThroughShare for the share\'s rules), and nothing changes on either side', async () => {
      const scheduleId = s1();
      const linked = await shareAndLink(sides, { scheduleIds: [scheduleId], restrictions: { earliestDaysAhead: 2, latestDaysAhead: 20 } });
      const start = localAt(3, 10);
      const mine = await bookAtClient(sides, linked, start, { remoteScheduleId: scheduleId });
      const taken = await bookAtSharing(sides, { scheduleId, start: localAt(3, 11) });
      const twinBefore = await theTwinAt(sides, start, scheduleId);
      const recordBefore = await clientRecord(sides, mine.id);
      const agendaBefore = await sharingAppointments(sides, scheduleId);

      const cases: Array<[string, string]> = [
        [plusMinutes(taken.start, 15), 'SlotUnavailable'],
        [localAt(25, 10), 'NotBookableThroughShare'], // after the share's horizon (20 days)
        [localAt(1, 10), 'NotBookableThroughShare'], // before it (2 days)
        [localAt(4, 20), 'OutsideOpeningHours'],
        [localAt(4, 10, 7), 'OffSlotGrid'],
        [localAt(-1, 10), 'InThePast'],
      ];
      for (const [target, typename] of cases) {
        const refused = await rescheduleAt(clientOf(sides), clientToken(sides), { appointmentId: mine.id, start: target, idempotencyKey: key() });
        expect({ target, errors: refused.errors, typename: refused.data?.rescheduleAppointment.__typename }).toEqual({ target, errors: undefined, typename });
      }
      expect(await clientRecord(sides, mine.id)).toEqual(recordBefore);
      expect(await twinById(sides, twinBefore.id, scheduleId)).toEqual(twinBefore);
      expect(await sharingAppointments(sides, scheduleId)).toEqual(agendaBefore);
    });

    it('the share\'s daily quota applies to a move to another day (NotBookableThroughShare, nothing changed), not to a move within the day', async () => {
      const scheduleId = s1();
      const linked = await shareAndLink(sides, { scheduleIds: [scheduleId], restrictions: { dailyQuota: 1 } });
      const first = await bookAtClient(sides, linked, localAt(6, 9), { remoteScheduleId: scheduleId });
      await bookAtClient(sides, linked, localAt(7, 9), { remoteScheduleId: scheduleId });
      const recordBefore = await clientRecord(sides, first.id);
      const agendaBefore = await sharingAppointments(sides, scheduleId);

      const refused = await rescheduleAt(clientOf(sides), clientToken(sides), { appointmentId: first.id, start: localAt(7, 11), idempotencyKey: key() });
      expect(refused.errors).toBeUndefined();
      expect(refused.data!.rescheduleAppointment.__typename).toBe('NotBookableThroughShare');
      expect(await clientRecord(sides, first.id)).toEqual(recordBefore);
      expect(await sharingAppointments(sides, scheduleId)).toEqual(agendaBefore);

      const moved = await rescheduleAt(clientOf(sides), clientToken(sides), { appointmentId: first.id, start: localAt(6, 11), idempotencyKey: key() });
      expect(moved.data!.rescheduleAppointment).toMatchObject({ __typename: 'Appointment', start: sameInstant(localAt(6, 11)) });
    });

    it('a move at the sharing centre of a client-made twin moves the client\'s record (and is not sent back)', async () => {
      const linked = await shareAndLink(sides);
      const { start } = slots.next();
      const mine = await bookAtClient(sides, linked, start);
      const twin = await theTwinAt(sides, start);
      const { start: target } = slots.next();
      await moveAtSharing(sides, twin.id, target);

      const record = await untilRecord(sides, mine.id, (r) => ms(r.start) === ms(target));
      expect(record).toMatchObject({ status: 'BOOKED', start: sameInstant(target), end: sameInstant(plusMinutes(target, 30)), viaShare: true, scheduleId: mirror0(linked) });
      expect(record.history.filter((entry) => entry.action === 'RESCHEDULED')).toEqual([expect.objectContaining({ actorKind: 'PEER_SERVER' })]);
      await sleep(500);
      const after = await twinById(sides, twin.id);
      expect(after.history.filter((entry) => entry.action === 'RESCHEDULED')).toEqual([expect.objectContaining({ actorKind: 'STAFF_USER' })]);
      expect(ms(after.start)).toBe(ms(target));
    });
  });

  describe('6. the booking note and the cancellation text reach the twin', () => {
    it('the note is on the twin; the client\'s cancellation text is on the twin\'s cancellation', async () => {
      const linked = await shareAndLink(sides);
      const note = `Needs an interpreter (${key().slice(2, 10)})`;
      const { start } = slots.next();
      const mine = await bookAtClient(sides, linked, start, { note });
      expect(mine.note).toBe(note);
      const twin = await theTwinAt(sides, start);
      expect(twin.note).toBe(note);
      // Control: without a note, none.
      const { start: plainStart } = slots.next();
      await bookAtClient(sides, linked, plainStart);
      expect((await theTwinAt(sides, plainStart)).note).toBeNull();

      const reasonText = `Moved abroad (${key().slice(2, 10)})`;
      const cancelled = await cancel(clientOf(sides), clientToken(sides), { appointmentId: mine.id, reasonCode: 'PATIENT_REQUEST', reasonText, idempotencyKey: key() });
      expect(cancelled.errors).toBeUndefined();
      expect(cancelled.data!.cancelAppointment.cancellation).toEqual({ reasonCode: 'PATIENT_REQUEST', reasonText });
      const twinCancelled = await untilTwin(sides, twin.id, (t) => t.status === 'CANCELLED');
      expect(twinCancelled).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'CLIENT_CANCELLED', reasonText } });
    });
  });
});

// =============================================================================================
// Across two servers: gaps in the connection

describe('schedule sharing across two servers: healing after a gap', () => {
  let sharingDatabase: { url: string; drop(): Promise<void> };
  let clientDatabase: { url: string; drop(): Promise<void> };
  /** The sharing server, on a fixed port: stopped and started again at the same URL. */
  let sharing: Restartable;
  /** The client server; replaced when it is restarted (same database). */
  let client: TestServer | undefined;
  /** A proxy in front of the sharing server: cuts the client's connections while the sharing centre works on. */
  let proxy: Proxy;
  let sides: Sides;
  let slots: SlotAllocator;
  const watches: AgendaWatch[] = [];
  /** The client's deadline for each exchange with the sharing server (its watch's handshake included). */
  const CLIENT_PEER_TIMEOUT_MS = 3000;
  const CLIENT_CONFIG = { ...LEAN, PEER_TIMEOUT_MS: CLIENT_PEER_TIMEOUT_MS };

  beforeAll(async () => {
    sharingDatabase = await cloneTemplateDatabase();
    clientDatabase = await cloneTemplateDatabase();
    sharing = await startRestartable(sharingDatabase.url);
    client = await startTestServer({ databaseUrl: clientDatabase.url, config: CLIENT_CONFIG });
    proxy = await startProxy(sharing.url);
    const topology: Topology = { name: 'two servers', get sharing() { return sharing.server; }, get client() { return client!; }, close: async () => undefined };
    sides = await setUpSides(topology);
    slots = new SlotAllocator([sides.sharingCentre.scheduleIds[0]], { firstDay: 2, durationMinutes: 30 });
  });
  afterAll(async () => {
    for (const watch of watches) await watch.close();
    proxy?.setMode('pass');
    await sharing?.start();
    await client?.close();
    await proxy?.close();
    await sharing?.stop();
    await clientDatabase?.drop();
    await sharingDatabase?.drop();
  });

  const s0 = () => sides.sharingCentre.scheduleIds[0];
  const s1 = () => sides.sharingCentre.scheduleIds[1];

  async function liveLink(options: Parameters<typeof shareAndLink>[1] = {}): Promise<{ linked: Linked; watch: AgendaWatch }> {
    const linked = await shareAndLink(sides, options);
    const watch = watchClientAgenda(sides, linked);
    watches.push(watch);
    await untilAgendaLive(sides, linked, watch);
    await quiet(watch);
    return { linked, watch };
  }

  it('the sharing server restarts and books 0.2 s after it is ready: each mirror gets one RESYNC on the reconnect, and the booking is occupied at the client', async () => {
    const { linked, watch } = await liveLink({ scheduleIds: [s0(), s1()] });
    const mirrors = [linked.mirrorOf[s0()], linked.mirrorOf[s1()]];
    const from = mark(watch);

    await sharing.stop();
    try {
      await untilChanges(watch, from, (changes) => changes.some((change) => change.kind === 'LINK_DOWN'));
    } finally {
      await sharing.start();
    }
    await untilReady(sharing.url);
    await sleep(200);
    const { start } = slots.next();
    const own = await bookAtSharing(sides, { scheduleId: s0(), start });
    const afterBooking = mark(watch) - from;

    await untilChanges(watch, from, (changes) => mirrors.every((mirror) => changes.some((change) => change.kind === 'RESYNC' && change.scheduleId === mirror)),
      RECONNECT_HANG_MS);

    // The client's availability shows the booking made while its watch may not have been back yet.
    const availability = (await clientAvailability(sides, linked)).data!.availability;
    expect(availability.unavailable).toEqual([]);
    const occupied = normalised(availability.schedules.find((row) => row.scheduleId === mirrors[0])!.occupied);
    expect(occupied.some((i) => ms(i.start) <= ms(own.start) && ms(i.end) >= ms(own.end))).toBe(true);

    await sleep(SETTLE_MS);
    const changes = changesSince(watch, from);
    const resyncs = changes.filter((change) => change.kind === 'RESYNC');
    expect(resyncs.map((change) => ({ scheduleId: change.scheduleId, linkId: change.linkId, centreId: change.centreId })).sort((a, b) => a.scheduleId!.localeCompare(b.scheduleId!)))
      .toEqual([...mirrors].sort().map((scheduleId) => ({ scheduleId, linkId: linked.linkId, centreId: linked.client.centreId })));
    expect(changes.filter((change) => change.kind === 'LINK_DOWN')).toEqual([expect.objectContaining({ linkId: linked.linkId })]);
    expect(changes.filter((change) => change.kind === 'LINK_RESTORED')).toEqual([expect.objectContaining({ linkId: linked.linkId })]);
    const created = changes.filter((change) => change.kind === 'CREATED');
    expect(created.length).toBeLessThanOrEqual(1);
    for (const change of created) expect(change).toMatchObject({ scheduleId: mirrors[0], appointmentId: null, interval: { start: sameInstant(own.start), end: sameInstant(own.end) } });
    // Nothing unexplained.
    expect(changes).toHaveLength(2 + mirrors.length + created.length);
    // The subscriber learnt of the booking: by its occupancy event, or by a RESYNC sent after it was made.
    const resyncAfterBooking = changes.some((change, index) => index >= afterBooking && change.kind === 'RESYNC' && change.scheduleId === mirrors[0]);
    expect({ created: created.length, resyncAfterBooking }).not.toEqual({ created: 0, resyncAfterBooking: false });
    expect((await linkHealth(sides, linked)).status).toBe('OK');
  }, 60_000);

  it('the sharing server down: availability names the mirror (UNREACHABLE), the link says so, one LINK_DOWN; reading it tests nothing; back: one LINK_RESTORED, OK', async () => {
    const { linked, watch } = await liveLink({ scheduleIds: [s0(), s1()] });
    const mirror = linked.mirrorOf[s0()];
    const mirrors = [linked.mirrorOf[s0()], linked.mirrorOf[s1()]].sort();
    const healthy = await linkHealth(sides, linked);
    expect(healthy).toMatchObject({ status: 'OK', lastProblem: null });
    expect(healthy.lastContactAt).not.toBeNull();
    const reader = await createStaff(client!, sides.clientTenant, ['ADMIN']);
    const auditedBefore = await connectionTestsAudited(client!, sides.clientTenant.tenantId);
    const from = mark(watch);

    const stoppingAt = Date.now(); // the watch's connection drops as the stop begins
    await sharing.stop();
    const stoppedAt = Date.now();
    try {
      await untilChanges(watch, from, (changes) => changes.some((change) => change.kind === 'LINK_DOWN'));

      const response = await clientAvailability(sides, linked);
      expect(response.status).toBe(200);
      expect(response.errors).toBeUndefined();
      // Each shared schedule is named, none silently missing.
      expect(response.data!.availability.schedules.map((row) => row.scheduleId).filter((id) => mirrors.includes(id))).toEqual([]);
      expect([...response.data!.availability.unavailable].sort((x, y) => x.scheduleId.localeCompare(y.scheduleId))).toEqual(mirrors.map((scheduleId) => ({
        scheduleId, linkId: linked.linkId, status: 'UNREACHABLE', problem: expect.stringMatching(/\S/),
      })));

      const down = await eventually(() => linkHealth(sides, linked), (link) => link.status === 'UNREACHABLE', 5000);
      expect(down.status).toBe('UNREACHABLE');
      expect(down.lastProblem).toMatch(/\S/);
      expect(down.lastContactAt).not.toBeNull();
      expect(ms(down.lastContactAt!)).toBeLessThanOrEqual(stoppingAt);
      expect((await sharedFromOf(client!, clientToken(sides), mirror))?.link).toEqual({ id: linked.linkId, status: 'UNREACHABLE' });

      // Reading the status as often as one likes tests nothing (a test of a server that is down would fail and count).
      for (let read = 0; read < 20; read++) {
        expect((await linkHealth(sides, linked, reader.token)).status).toBe('UNREACHABLE');
        expect((await sharedFromOf(client!, reader.token, mirror))?.link.status).toBe('UNREACHABLE');
      }
      expect(await attemptCountersOf(client!, sides.clientTenant.tenantId, reader.userId)).toEqual([]);
    } finally {
      await sharing.start();
    }
    await untilReady(sharing.url);
    await untilChanges(watch, from, (changes) => changes.some((change) => change.kind === 'LINK_RESTORED'), RECONNECT_HANG_MS);

    const back = await eventually(() => linkHealth(sides, linked), (link) => link.status === 'OK', 5000);
    expect(back.status).toBe('OK');
    expect(ms(back.lastContactAt!)).toBeGreaterThan(stoppedAt);
    expect(back.lastProblem).toMatch(/\S/); // kept after the recovery: compare with lastContactAt
    const availability = (await clientAvailability(sides, linked)).data!.availability;
    expect(availability.unavailable).toEqual([]);
    expect(availability.schedules.map((row) => row.scheduleId).filter((id) => mirrors.includes(id)).sort()).toEqual(mirrors);

    await sleep(SETTLE_MS);
    expect(summary(changesSince(watch, from))).toEqual(summary([
      { kind: 'LINK_DOWN', linkId: linked.linkId } as AgendaChangeData,
      { kind: 'LINK_RESTORED', linkId: linked.linkId } as AgendaChangeData,
      ...mirrors.map((scheduleId) => ({ kind: 'RESYNC', scheduleId }) as AgendaChangeData),
    ]));
    expect(await connectionTestsAudited(client!, sides.clientTenant.tenantId)).toBe(auditedBefore);
    const tested = await testLink(client!, reader.token, { url: linked.share.serverUrl, remoteCentreId: linked.share.centreId, token: linked.token });
    expect(tested.data?.testShareLink.__typename).toBe('ShareLinkOk');
  }, 60_000);

  it('the client server stopped: a twin cancelled and a twin moved meanwhile are followed when it is back, and nothing more changes at the sharing centre', async () => {
    const linked = await shareAndLink(sides);
    const [cancelled, moved, untouched] = await Promise.all([slots.next().start, slots.next().start, slots.next().start]
      .map(async (start) => ({ start, record: await bookAtClient(sides, linked, start) })));
    const twin = {
      cancelled: await theTwinAt(sides, cancelled.start), moved: await theTwinAt(sides, moved.start), untouched: await theTwinAt(sides, untouched.start),
    };
    const untouchedBefore = await clientRecord(sides, untouched.record.id);
    const { start: target } = slots.next();

    await client!.close();
    client = undefined;
    await cancelAtSharing(sides, twin.cancelled.id);
    await moveAtSharing(sides, twin.moved.id, target);
    const sharingBefore = await sharingAppointments(sides, s0());
    client = await startTestServer({ databaseUrl: clientDatabase.url, config: CLIENT_CONFIG });

    const cancelledRecord = await untilRecord(sides, cancelled.record.id, (record) => record.status === 'CANCELLED');
    expect(cancelledRecord).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'CANCELLED_BY_SHARING_CENTRE', reasonText: sides.sharingCentre.name } });
    const movedRecord = await untilRecord(sides, moved.record.id, (record) => ms(record.start) === ms(target));
    expect(movedRecord).toMatchObject({ status: 'BOOKED', start: sameInstant(target), end: sameInstant(plusMinutes(target, 30)) });
    expect(movedRecord.history.filter((entry) => entry.action === 'RESCHEDULED')).toEqual([expect.objectContaining({ actorKind: 'PEER_SERVER' })]);

    // Nothing is sent back: no cancellation queued, and the sharing centre's agenda is as its staff left it.
    await sleep(SETTLE_MS);
    expect(await cancellationJobsOf(client, cancelled.record.id)).toBe(0);
    expect(await clientRecord(sides, untouched.record.id)).toEqual(untouchedBefore);
    expect(await sharingAppointments(sides, s0())).toEqual(sharingBefore);
  }, 60_000);

  it('the connection cut (the client running): on reconnect one RESYNC, the cancelled and the moved twin each announced once; a reschedule tried meanwhile changed nothing', async () => {
    const { linked, watch } = await liveLink({ url: proxy.url });
    const mirror = linked.mirrorOf[s0()];
    const [cancelled, moved, tried] = await Promise.all([slots.next().start, slots.next().start, slots.next().start]
      .map(async (start) => ({ start, record: await bookAtClient(sides, linked, start) })));
    const twin = { cancelled: await theTwinAt(sides, cancelled.start), moved: await theTwinAt(sides, moved.start), tried: await theTwinAt(sides, tried.start) };
    const { start: target } = slots.next();
    const { start: triedTarget } = slots.next();
    await quiet(watch);
    const from = mark(watch);

    proxy.setMode('refuse');
    let sharingBefore: SharingAppointmentData[];
    let triedBefore: ClientAppointment;
    try {
      await untilChanges(watch, from, (changes) => changes.some((change) => change.kind === 'LINK_DOWN'));
      await cancelAtSharing(sides, twin.cancelled.id);
      await moveAtSharing(sides, twin.moved.id, target);
      sharingBefore = await sharingAppointments(sides, s0());
      // The client cannot know yet.
      expect((await clientRecord(sides, cancelled.record.id)).status).toBe('BOOKED');
      expect(ms((await clientRecord(sides, moved.record.id)).start)).toBe(ms(moved.start));

      // A reschedule while the sharing server cannot be reached: a clear error, nothing changed on either side.
      triedBefore = await clientRecord(sides, tried.record.id);
      const response = await rescheduleAt(client!, clientToken(sides), { appointmentId: tried.record.id, start: triedTarget, idempotencyKey: key() });
      expect(codeOf(response)).toBe('REMOTE_UNAVAILABLE');
      expect(response.errors![0].extensions?.failure).toBe('UNREACHABLE');
      expect(await clientRecord(sides, tried.record.id)).toEqual(triedBefore);
      expect(await twinById(sides, twin.tried.id)).toEqual(twin.tried);
    } finally {
      proxy.setMode('pass');
    }
    await untilChanges(watch, from, (changes) => changes.some((change) => change.kind === 'RESYNC'), RECONNECT_HANG_MS);
    await untilRecord(sides, moved.record.id, (record) => ms(record.start) === ms(target));
    await untilRecord(sides, cancelled.record.id, (record) => record.status === 'CANCELLED');
    await sleep(SETTLE_MS);

    const changes = changesSince(watch, from);
    expect(summary(changes)).toEqual(summary([
      { kind: 'LINK_DOWN', linkId: linked.linkId } as AgendaChangeData,
      { kind: 'LINK_RESTORED', linkId: linked.linkId } as AgendaChangeData,
      { kind: 'RESYNC', scheduleId: mirror } as AgendaChangeData,
      { kind: 'CANCELLED', appointmentId: cancelled.record.id } as AgendaChangeData,
      { kind: 'CHANGED', appointmentId: moved.record.id } as AgendaChangeData,
    ]));
    expect(changes.find((change) => change.kind === 'CANCELLED')!.appointment).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'CANCELLED_BY_SHARING_CENTRE' } });
    expect(changes.find((change) => change.kind === 'CHANGED')!.appointment).toMatchObject({ start: sameInstant(target) });
    expect((await clientRecord(sides, tried.record.id)).history).toEqual(triedBefore!.history);
    expect(await cancellationJobsOf(client!, cancelled.record.id)).toBe(0);
    expect(await sharingAppointments(sides, s0())).toEqual(sharingBefore!);
  }, 60_000);

  it('a reschedule whose answer is held back: the twin moves at once, the client\'s record only once the sharing server\'s answer arrives', async () => {
    const linked = await shareAndLink(sides, { url: proxy.url });
    const { start } = slots.next();
    const mine = await bookAtClient(sides, linked, start);
    const twin = await theTwinAt(sides, start);
    const { start: target } = slots.next();

    proxy.setMode('hold');
    const pending = rescheduleAt(client!, clientToken(sides), { appointmentId: mine.id, start: target, idempotencyKey: key() });
    try {
      const movedTwin = await untilTwin(sides, twin.id, (t) => ms(t.start) === ms(target), 5000);
      expect(ms(movedTwin.start)).toBe(ms(target));
      await sleep(300);
      expect(ms((await clientRecord(sides, mine.id)).start)).toBe(ms(start));
    } finally {
      proxy.release();
    }
    const response = await pending;
    expect(response.errors).toBeUndefined();
    expect(response.data!.rescheduleAppointment).toMatchObject({ __typename: 'Appointment', id: mine.id, start: sameInstant(target) });
    expect(await clientRecord(sides, mine.id)).toMatchObject({ start: sameInstant(target), end: sameInstant(plusMinutes(target, 30)) });
    expect((await twinById(sides, twin.id)).history.filter((entry) => entry.action === 'RESCHEDULED')).toHaveLength(1);
  });

  it('a sharing server that accepts the connection and never answers it: the watch gives that handshake up, and is back once the server answers', async () => {
    // A proxy of its own: the only connections through it are this link's.
    const hanging = await startProxy(sharing.url);
    const { linked, watch } = await liveLink({ url: hanging.url });
    const mirror = linked.mirrorOf[s0()];
    const from = mark(watch);
    try {
      hanging.setMode('refuse');
      try {
        await untilChanges(watch, from, (changes) => changes.some((change) => change.kind === 'LINK_DOWN'));
        hanging.setMode('stall');
        // The watch's next attempt is accepted and never answered (it stays so).
        expect(await eventually(async () => hanging.stalledCount(), (count) => count > 0, 5000, 20)).toBeGreaterThan(0);
      } finally {
        hanging.setMode('pass');
      }
      // The hanging handshake is given up after PEER_TIMEOUT_MS; the next attempt (the backoff) reaches the server.
      const changes = await untilChanges(watch, from, (received) => received.some((change) => change.kind === 'RESYNC' && change.scheduleId === mirror), CLIENT_PEER_TIMEOUT_MS + RECONNECT_HANG_MS);
      expect(changes.filter((change) => change.kind === 'LINK_RESTORED')).toEqual([expect.objectContaining({ linkId: linked.linkId })]);
    } finally {
      hanging.unstall();
      await gqlOk(client!, REMOVE_LINK, { input: { id: linked.linkId } }, clientToken(sides));
      await hanging.close();
    }
  }, 60_000);

  it('what the sharing centre changes right after the watch reconnected is not missed (its subscription reaches the sharing server a moment after the connection)', async () => {
    const LAG_MS = 1500;
    const lagging = await startLaggingProxy(sharing.url, LAG_MS);
    const { linked, watch } = await liveLink({ url: lagging.url });
    const mirror = linked.mirrorOf[s0()];
    try {
      const { start } = slots.next();
      const mine = await bookAtClient(sides, linked, start);
      const twin = await theTwinAt(sides, start);
      await quiet(watch);
      const from = mark(watch);

      lagging.cut();
      // The watch is connected again: its RESYNC, and the reconciliation that goes with it…
      await untilChanges(watch, from, (changes) => changes.some((change) => change.kind === 'RESYNC' && change.scheduleId === mirror), 10_000);
      await sleep(300);
      // …and right then the sharing centre books and cancels the client's twin.
      const changedAt = mark(watch) - from;
      const own = await bookAtSharing(sides, { scheduleId: s0(), start: slots.next().start });
      await cancelAtSharing(sides, twin.id);

      // Control: once its subscription arrived, the watch hears the sharing centre again.
      await sleep(LAG_MS);
      const control = await bookAtSharing(sides, { scheduleId: s0(), start: slots.next().start });
      await untilChanges(watch, from, (changes) => changes.some((change) => change.kind === 'CREATED' && change.interval !== null && ms(change.interval.start) === ms(control.start)));

      // The client's record followed the twin's cancellation; the subscriber learnt of the booking: by
      // its occupancy event, or by a RESYNC sent after it.
      const record = await untilRecord(sides, mine.id, (r) => r.status === 'CANCELLED', 3000);
      await sleep(SETTLE_MS);
      const later = changesSince(watch, from).slice(changedAt);
      const heardOfTheBooking = later.some((change) => (change.kind === 'CREATED' && change.interval !== null && ms(change.interval.start) === ms(own.start))
        || (change.kind === 'RESYNC' && change.scheduleId === mirror));
      expect({ record: { status: record.status, cancellation: record.cancellation }, heardOfTheBooking, received: summary(later) }).toEqual({
        record: { status: 'CANCELLED', cancellation: { reasonCode: 'CANCELLED_BY_SHARING_CENTRE', reasonText: sides.sharingCentre.name } },
        heardOfTheBooking: true, received: expect.any(Array),
      });
      expect(later.filter((change) => change.kind === 'CREATED' && change.interval !== null && ms(change.interval.start) === ms(control.start))).toHaveLength(1);
    } finally {
      await gqlOk(client!, REMOVE_LINK, { input: { id: linked.linkId } }, clientToken(sides));
      await lagging.close();
    }
  }, 60_000);
});
