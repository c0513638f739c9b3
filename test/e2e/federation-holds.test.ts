import { gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createStaff } from '../factories/tenants';
import { withPgClient } from '../../src/db/pg-client';
import { SlotAllocator, key, localAt } from '../support/scheduling';
import {
  LEAN, LEAN_NO_JOBS, TOPOLOGIES, codeOf, eventually, ms, nextMatching, setUpSides, sharingAppointments, shareAndLink, startRestartable, startTopology,
  untilAgendaLive, watchClientAgenda, type Linked, type Restartable, type Sides, type Topology,
} from '../support/federation';

/**
 * Holds through a share (issue "Holds"): the client centre's "Start the reservation" in a mirror
 * schedule holds the slot at the sharing server, under the share's rules; booking on the hold is
 * decided there; a hold given back is released there through the durable job queue, and an
 * expired one frees its slot on both sides. On one server (in-process peer) and across two.
 */
const HOLD = `mutation($input: HoldSlotInput!) {
  holdSlot(input: $input) {
    __typename
    ... on Hold { id scheduleId serviceId start end expiresAt }
    ... on NotBookableThroughShare { message } ... on SlotUnavailable { message } ... on HoldExpired { message }
  }
}`;
const BOOK = `mutation($input: BookAppointmentInput!) {
  bookAppointment(input: $input) {
    __typename
    ... on Appointment { id start end status viaShare patient { familyName } }
    ... on HoldExpired { message } ... on SlotUnavailable { message }
  }
}`;
const RELEASE = `mutation($input: ReleaseHoldInput!) { releaseHold(input: $input) { released } }`;
const SLOTS = `query($centreId: ID!, $from: Instant!, $to: Instant!, $serviceId: ID) {
  availability(centreId: $centreId, from: $from, to: $to, serviceId: $serviceId) { schedules { scheduleId slots { start state heldUntil displayMarker } } unavailable { scheduleId } }
}`;

interface HoldData { __typename: string; id?: string; start?: string; end?: string; expiresAt?: string }
interface SlotData { start: string; state: string; heldUntil: string | null; displayMarker: string | null }

describe.each(TOPOLOGIES)('holds through a share on %s', (name) => {
  let topology: Topology;
  let sides: Sides;
  let linked: Linked;
  let slots: SlotAllocator;
  let colleague: string;

  beforeAll(async () => {
    topology = await startTopology(name);
    sides = await setUpSides(topology);
    linked = await shareAndLink(sides, { restrictions: { latestDaysAhead: 20 } });
    slots = new SlotAllocator([sides.sharingCentre.scheduleIds[0]], { firstDay: 2, durationMinutes: 30 });
    colleague = (await createStaff(topology.client, sides.clientTenant, ['SCHEDULER'])).token;
  });
  afterAll(async () => {
    await topology?.close();
  });

  const remoteSchedule = () => sides.sharingCentre.scheduleIds[0];
  const holdAtClient = async (start: string, idempotencyKey = key(), token = sides.clientTenant.adminToken) => (await gqlOk<{ holdSlot: HoldData }>(topology.client, HOLD, {
    input: { scheduleId: linked.mirrorOf[remoteSchedule()], serviceId: linked.mirrorServiceOf[sides.sharingCentre.serviceIds[0]], start, idempotencyKey },
  }, token)).holdSlot;
  const bookOnHold = (holdId: string, token = sides.clientTenant.adminToken, familyName = `Held${Date.now()}`) =>
    gql<{ bookAppointment: { __typename: string; id?: string; status?: string; viaShare?: boolean; start?: string } }>(topology.client, BOOK, {
      input: { holdId, idempotencyKey: key(), newPatient: { familyName, givenName: 'Through A Share' }, note: 'held first' },
    }, token);
  const slotAt = async (server: TestServer, token: string, centreId: string, scheduleId: string, start: string): Promise<SlotData | undefined> => {
    const data = await gqlOk<{ availability: { schedules: Array<{ scheduleId: string; slots: SlotData[] }> } }>(server, SLOTS, {
      centreId, from: start, to: new Date(ms(start) + 3600_000).toISOString(),
    }, token);
    return data.availability.schedules.find((row) => row.scheduleId === scheduleId)?.slots.find((slot) => ms(slot.start) === ms(start));
  };
  const atSharing = (start: string) => slotAt(topology.sharing, sides.sharingTenant.adminToken, sides.sharingCentre.centreId, remoteSchedule(), start);
  const atClient = (start: string) => slotAt(topology.client, sides.clientTenant.adminToken, linked.client.centreId, linked.mirrorOf[remoteSchedule()], start);
  const holdRows = (server: TestServer, tenantId: string, start: string) => withPgClient(server.databaseUrl, async (db) => (await db.query(
    `SELECT id, status, origin, client_reference AS "clientReference", remote_appointment_id AS "remoteAppointmentId", hold_expires_at AS "expiresAt"
     FROM appointments WHERE tenant_id = $1 AND starts_at = $2 AND status = 'HELD'`, [tenantId, start],
  )).rows as Array<{ id: string; status: string; origin: string; clientReference: string | null; remoteAppointmentId: string | null; expiresAt: Date }>);
  const expireEverywhere = async (start: string) => {
    for (const [server, tenantId] of [[topology.sharing, sides.sharingTenant.tenantId], [topology.client, sides.clientTenant.tenantId]] as const) {
      await withPgClient(server.databaseUrl, (db) => db.query(
        `UPDATE appointments SET hold_expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND starts_at = $2 AND status = 'HELD'`, [tenantId, start],
      ));
    }
  };

  it('holds at the sharing server, then books on the hold: the twin is booked there, marked *, and the hold is the appointment here', async () => {
    const { start } = slots.next();
    const held = await holdAtClient(start);
    expect(held).toMatchObject({ __typename: 'Hold', start: expect.any(String) });
    expect(ms(held.start!)).toBe(ms(start));
    expect(ms(held.expiresAt!) - Date.now()).toBeGreaterThan(250_000);

    // The twin hold at the sharing server: the client's, with the same expiry.
    const [twin] = await holdRows(topology.sharing, sides.sharingTenant.tenantId, start);
    expect(twin).toMatchObject({ origin: 'SHARED_CLIENT', clientReference: held.id });
    expect(twin.expiresAt.getTime()).toBe(ms(held.expiresAt!));
    // The sharing centre's staff see it held by the client centre (*); the client's staff see their own hold, until its expiry.
    expect(await atSharing(start)).toMatchObject({ state: 'HELD', displayMarker: '*', heldUntil: held.expiresAt });
    expect(await atClient(start)).toMatchObject({ state: 'HELD', heldUntil: held.expiresAt, displayMarker: null });
    // Not an appointment on either side while it is a hold.
    expect((await sharingAppointments(sides, remoteSchedule())).filter((a) => ms(a.start) === ms(start))).toEqual([]);

    const booked = await bookOnHold(held.id!, undefined, 'Holdfast');
    expect(booked.data?.bookAppointment).toMatchObject({ __typename: 'Appointment', id: held.id, status: 'BOOKED', viaShare: true });
    const twins = (await sharingAppointments(sides, remoteSchedule())).filter((a) => ms(a.start) === ms(start));
    expect(twins).toEqual([expect.objectContaining({
      id: twin.id, status: 'BOOKED', origin: 'SHARED_CLIENT', displayMarker: '*', clientCentreName: linked.client.name, note: 'held first',
      patient: expect.objectContaining({ familyName: 'Holdfast' }),
    })]);
    expect(await atSharing(start)).toMatchObject({ state: 'OCCUPIED', displayMarker: null });
    expect(await holdRows(topology.client, sides.clientTenant.tenantId, start)).toEqual([]);
  });

  it('the same key gives the same hold; another principal of the clinic cannot book on it; a foreign tenant\'s id is NOT_FOUND', async () => {
    const { start } = slots.next();
    const idempotencyKey = key();
    const held = await holdAtClient(start, idempotencyKey);
    expect(await holdAtClient(start, idempotencyKey)).toEqual(held);
    expect(await holdRows(topology.sharing, sides.sharingTenant.tenantId, start)).toHaveLength(1);

    expect((await bookOnHold(held.id!, colleague)).data?.bookAppointment.__typename).toBe('HoldExpired');
    const foreign = await gql(topology.sharing, BOOK, { input: { holdId: held.id, idempotencyKey: key(), newPatient: { familyName: 'F', givenName: 'G' } } }, sides.sharingTenant.adminToken);
    expect(codeOf(foreign)).toBe('NOT_FOUND');
    expect((await bookOnHold(held.id!)).data?.bookAppointment.__typename).toBe('Appointment');
  });

  it('a held slot is taken for everyone else: the sharing centre\'s own booking and a second hold are refused', async () => {
    const { start } = slots.next();
    const held = await holdAtClient(start);
    const own = await gql<{ bookAppointment: { __typename: string } }>(topology.sharing, BOOK, {
      input: { scheduleId: remoteSchedule(), serviceId: sides.sharingCentre.serviceIds[0], start, idempotencyKey: key(), newPatient: { familyName: 'Own', givenName: 'Patient' } },
    }, sides.sharingTenant.adminToken);
    expect(own.data?.bookAppointment.__typename).toBe('SlotUnavailable');
    expect((await holdAtClient(start, key(), colleague)).__typename).toBe('SlotUnavailable');
    expect((await bookOnHold(held.id!)).data?.bookAppointment.__typename).toBe('Appointment');
  });

  it('the share\'s rules apply to holds: past its horizon nothing is held', async () => {
    const response = await holdAtClient(localAt(25, 10));
    expect(response.__typename).toBe('NotBookableThroughShare');
    expect(await holdRows(topology.sharing, sides.sharingTenant.tenantId, new Date(localAt(25, 10)).toISOString())).toEqual([]);
  });

  it('a live hold takes the share\'s daily quota: a second hold that day is refused, and booking on the first one keeps it', async () => {
    const quotaLinked = await shareAndLink(sides, { scheduleIds: [sides.sharingCentre.scheduleIds[1]], restrictions: { dailyQuota: 1 } });
    const hold = (hour: number) => gqlOk<{ holdSlot: HoldData }>(topology.client, HOLD, {
      input: {
        scheduleId: quotaLinked.mirrorOf[sides.sharingCentre.scheduleIds[1]], serviceId: quotaLinked.mirrorServiceOf[sides.sharingCentre.serviceIds[0]],
        start: localAt(4, hour), idempotencyKey: key(),
      },
    }, sides.clientTenant.adminToken);
    const first = (await hold(9)).holdSlot;
    expect(first.__typename).toBe('Hold');
    expect((await hold(11)).holdSlot.__typename).toBe('NotBookableThroughShare');
    expect((await bookOnHold(first.id!)).data?.bookAppointment.__typename).toBe('Appointment');
    expect((await hold(13)).holdSlot.__typename).toBe('NotBookableThroughShare');
  });

  it('released: the slot is free at once here, and at the sharing server once the queued release ran', async () => {
    const { start } = slots.next();
    const held = await holdAtClient(start);
    const released = await gqlOk<{ releaseHold: { released: boolean } }>(topology.client, RELEASE, { input: { holdId: held.id } }, sides.clientTenant.adminToken);
    expect(released.releaseHold.released).toBe(true);
    expect(await holdRows(topology.client, sides.clientTenant.tenantId, start)).toEqual([]);
    await eventually(() => holdRows(topology.sharing, sides.sharingTenant.tenantId, start), (rows) => rows.length === 0);
    expect(await atSharing(start)).toMatchObject({ state: 'FREE' });
    expect((await bookOnHold(held.id!)).data?.bookAppointment.__typename).toBe('HoldExpired');
  });

  it('expired: HoldExpired, nothing booked on either side, and the slot is free for anyone', async () => {
    const { start } = slots.next();
    const held = await holdAtClient(start);
    await expireEverywhere(start);
    expect((await bookOnHold(held.id!)).data?.bookAppointment.__typename).toBe('HoldExpired');
    expect((await sharingAppointments(sides, remoteSchedule())).filter((a) => ms(a.start) === ms(start))).toEqual([]);
    expect(await atSharing(start)).toMatchObject({ state: 'FREE' });
    expect((await holdAtClient(start, key(), colleague)).__typename).toBe('Hold');
  });

  it('the hold expired by the clinic\'s own copy of its expiry: HoldExpired, and nothing is booked at the sharing server either', async () => {
    const { start } = slots.next();
    const held = await holdAtClient(start);
    await withPgClient(topology.client.databaseUrl, (db) => db.query(
      `UPDATE appointments SET hold_expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND id = $2`, [sides.clientTenant.tenantId, held.id],
    ));
    // The clinic's own copy of the expiry says the hold is gone: it is not booked on.
    expect((await bookOnHold(held.id!)).data?.bookAppointment.__typename).toBe('HoldExpired');
    expect((await sharingAppointments(sides, remoteSchedule())).filter((a) => ms(a.start) === ms(start))).toEqual([]);
  });

  it('events in order: HELD, then the booking (CREATED), for the client centre\'s subscribers', async () => {
    const watch = watchClientAgenda(sides, linked);
    try {
      await untilAgendaLive(sides, linked, watch);
      const { start } = slots.next();
      const held = await holdAtClient(start);
      const first = await nextMatching(watch.events, (change) => change.appointmentId === held.id, 5000);
      expect(first).toMatchObject({ kind: 'HELD', appointmentId: held.id });
      await bookOnHold(held.id!);
      const second = await nextMatching(watch.events, (change) => change.appointmentId === held.id, 5000);
      expect(second).toMatchObject({ kind: 'CREATED', appointmentId: held.id });
    } finally {
      await watch.close();
    }
  });
});

describe('holds through a share: the sharing server down', () => {
  let sharing: TestServer;
  let sharingToClose: Restartable;
  let client: TestServer;
  let sides: Sides;

  beforeAll(async () => {
    sharing = await startTestServer({ config: LEAN_NO_JOBS });
    sharingToClose = await startRestartable(sharing.databaseUrl);
    client = await startTestServer({ config: LEAN });
    sides = await setUpSides({ name: 'two servers', sharing, client, close: async () => undefined });
  });
  afterAll(async () => {
    await client?.close();
    await sharingToClose?.stop();
    await sharing?.close();
  });

  it('REMOTE_UNAVAILABLE, and nothing is held on either side', async () => {
    const linked = await shareAndLink(sides, { url: sharingToClose.url });
    await sharingToClose.stop();
    const start = new Date(localAt(3, 10)).toISOString();
    try {
      const response = await gql(client, HOLD, {
        input: {
          scheduleId: linked.mirrorOf[sides.sharingCentre.scheduleIds[0]], serviceId: linked.mirrorServiceOf[sides.sharingCentre.serviceIds[0]], start, idempotencyKey: key(),
        },
      }, sides.clientTenant.adminToken);
      expect(codeOf(response)).toBe('REMOTE_UNAVAILABLE');
    } finally {
      await sharingToClose.start();
    }
    for (const [server, tenantId] of [[sharing, sides.sharingTenant.tenantId], [client, sides.clientTenant.tenantId]] as const) {
      const rows = await withPgClient(server.databaseUrl, async (db) => (await db.query(
        `SELECT id FROM appointments WHERE tenant_id = $1 AND starts_at = $2`, [tenantId, start],
      )).rows);
      expect(rows).toEqual([]);
    }
  });
});
