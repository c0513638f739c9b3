import { startTestServer, type TestServer } from '../helpers/test-server';
import { revokeShare } from '../factories/sharing';
import {
  SlotAllocator, book, bookOk, key, localAt, plusMinutes, searchPatients, type AppointmentData,
} from '../support/scheduling';
import {
  LEAN, LEAN_NO_JOBS, TOPOLOGIES, auditOf, availabilityOk, bookAtClientInput, bookAtSharing, codeOf, eventually, mirrorAvailability, ms, normalised, setUpSides,
  removeLinkWhenLive, shareAndLink, sharingAppointments, startProxy, startRestartable, startTopology, untilAgendaLive, watchClientAgenda, weekdayIn,
  appointmentsOf, type Linked, type Proxy, type Restartable, type Sides, type Topology,
} from '../support/federation';

/**
 * Schedule sharing, behaviours 1–3 (README: Sharing schedules): the client centre's agenda includes the
 * shared schedules with the share's restrictions applied; the sharing server decides every
 * booking in them, synchronously, and the client stores its record only once it confirmed; the
 * sharing centre sees those bookings as the client centre's. Each behaviour runs on one server
 * (in-process peer) and across two servers (HTTP); a sharing server that is down or slow only
 * exists across two.
 */

const clientAppointments = (sides: Sides, linked: Linked): Promise<AppointmentData[]> =>
  appointmentsOf(sides.topology.client, sides.clientTenant.adminToken, { centreId: linked.client.centreId });

const twinsAt = async (sides: Sides, start: string, scheduleId = sides.sharingCentre.scheduleIds[0]) =>
  (await sharingAppointments(sides, scheduleId)).filter((appointment) => ms(appointment.start) === ms(start));

describe.each(TOPOLOGIES)('schedule sharing on %s: availability and bookings', (name) => {
  let topology: Topology;
  let sides: Sides;
  /** Distinct 30-minute starts on the sharing centre's schedule 0, from two days ahead. */
  let slots: SlotAllocator;

  beforeAll(async () => {
    topology = await startTopology(name);
    sides = await setUpSides(topology);
    slots = new SlotAllocator([sides.sharingCentre.scheduleIds[0]], { firstDay: 2, durationMinutes: 30 });
  });
  afterAll(async () => {
    await topology?.close();
  });

  describe('1. the client sees the shared schedules\' free slots, restrictions applied', () => {
    const WINDOW_SCHEDULE = 1;

    it('free time and FREE slots only from now + earliestDaysAhead to now + latestDaysAhead, inside the weekly windows', async () => {
      const scheduleId = sides.sharingCentre.scheduleIds[WINDOW_SCHEDULE];
      // Day 1's weekday recurs on day 8, day 3's on day 10, day 5's on day 12; the horizon is days 2–9.
      const windows = [
        { weekday: weekdayIn(1), startTime: '10:00', endTime: '11:00' },
        { weekday: weekdayIn(3), startTime: '09:00', endTime: '12:00' },
        { weekday: weekdayIn(5), startTime: '13:00', endTime: '15:00' },
      ];
      const linked = await shareAndLink(sides, { scheduleIds: [scheduleId], restrictions: { earliestDaysAhead: 2, latestDaysAhead: 9, weeklyWindows: windows } });
      const rows = await availabilityOk(topology.client, sides.clientTenant.adminToken, {
        centreId: linked.client.centreId, from: localAt(0, 0), to: localAt(14, 0), serviceId: linked.mirrorServiceOf[sides.sharingCentre.serviceIds[0]],
      });

      // Only the shared schedule, as the client's mirror of it: not the sharing centre's other schedules.
      expect(rows.map((row) => row.scheduleId)).toEqual([linked.mirrorOf[scheduleId]]);
      const expected = [
        { start: localAt(3, 9), end: localAt(3, 12) }, // day 3: inside the horizon
        { start: localAt(5, 13), end: localAt(5, 15) }, // day 5: inside
        { start: localAt(8, 10), end: localAt(8, 11) }, // day 8: inside (day 1, same weekday, is before the horizon)
      ];
      expect(normalised(rows[0].free)).toEqual(expected);
      const freeStarts = rows[0].slots.filter((slot) => slot.state === 'FREE').map((slot) => new Date(slot.start).toISOString());
      const expectedStarts = expected.flatMap(({ start, end }) => {
        const starts: string[] = [];
        for (let at = start; ms(at) + 30 * 60_000 <= ms(end); at = plusMinutes(at, 15)) starts.push(at);
        return starts;
      });
      expect(freeStarts).toEqual(expectedStarts);

      // The schedule itself is open 08:00–17:00 every day: the limits are the share's.
      const own = await availabilityOk(topology.sharing, sides.sharingTenant.adminToken, { centreId: sides.sharingCentre.centreId, from: localAt(1, 0), to: localAt(2, 0) });
      expect(normalised(own.find((row) => row.scheduleId === scheduleId)!.free)).toEqual([{ start: localAt(1, 8), end: localAt(1, 17) }]);
    });

    it('refuses a booking outside the horizon or the weekly windows (NotBookableThroughShare) and stores nothing; books inside', async () => {
      const scheduleId = sides.sharingCentre.scheduleIds[WINDOW_SCHEDULE];
      const windows = [{ weekday: weekdayIn(1), startTime: '14:00', endTime: '16:00' }, { weekday: weekdayIn(3), startTime: '14:00', endTime: '16:00' }];
      const linked = await shareAndLink(sides, { scheduleIds: [scheduleId], restrictions: { earliestDaysAhead: 2, latestDaysAhead: 9, weeklyWindows: windows } });
      const attempt = (start: string) => book(topology.client, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, start, { remoteScheduleId: scheduleId }), idempotencyKey: key() });

      for (const start of [localAt(1, 14), localAt(4, 14), localAt(3, 13), localAt(3, 15, 45)]) {
        const refused = await attempt(start);
        expect(refused.errors).toBeUndefined();
        expect(refused.data!.bookAppointment.__typename).toBe('NotBookableThroughShare');
      }
      expect(await clientAppointments(sides, linked)).toEqual([]);
      expect((await sharingAppointments(sides, scheduleId)).filter((a) => a.origin === 'SHARED_CLIENT' && a.status !== 'CANCELLED')).toEqual([]);

      const booked = await attempt(localAt(3, 15));
      expect(booked.data!.bookAppointment.__typename).toBe('Appointment');
    });
  });

  describe('2. the sharing server decides every booking in a shared schedule', () => {
    it('books synchronously with an idempotency key: the twin exists when bookAppointment answers; a replay books nothing more', async () => {
      const linked = await shareAndLink(sides);
      const { start } = slots.next();
      const input = bookAtClientInput(sides, linked, start, { idempotencyKey: key(), patient: { familyName: 'Lind', givenName: 'Eva' } });

      const first = await bookOk(topology.client, sides.clientTenant.adminToken, input);
      expect(first).toMatchObject({ scheduleId: linked.mirrorOf[sides.sharingCentre.scheduleIds[0]], status: 'BOOKED', centreId: linked.client.centreId });
      expect(ms(first.start)).toBe(ms(start));
      expect(ms(first.end)).toBe(ms(start) + 30 * 60_000);
      // No waiting: the sharing server confirmed before the client answered.
      const twins = await twinsAt(sides, start);
      expect(twins).toEqual([expect.objectContaining({ status: 'BOOKED', origin: 'SHARED_CLIENT' })]);

      const replay = await bookOk(topology.client, sides.clientTenant.adminToken, input);
      expect(replay.id).toBe(first.id);
      expect(await twinsAt(sides, start)).toHaveLength(1);
      expect(await clientAppointments(sides, linked)).toHaveLength(1);

      const reused = await book(topology.client, sides.clientTenant.adminToken, { ...input, start: slots.next().start });
      expect(codeOf(reused)).toBe('CONFLICT');
      expect(await clientAppointments(sides, linked)).toHaveLength(1);
    });

    it('a slot taken at the sharing centre is SlotUnavailable at the client, and nothing is stored on either side', async () => {
      const linked = await shareAndLink(sides);
      const { start } = slots.next();
      const own = await bookAtSharing(sides, { scheduleId: sides.sharingCentre.scheduleIds[0], start });
      const patient = { familyName: `Taken${Date.now()}`, givenName: 'Slot' };

      const response = await book(topology.client, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, plusMinutes(start, 15), { patient }), idempotencyKey: key() });
      expect(response.errors).toBeUndefined();
      expect(response.data!.bookAppointment.__typename).toBe('SlotUnavailable');

      expect(await clientAppointments(sides, linked)).toEqual([]);
      expect(await searchPatients(topology.client, sides.clientTenant.adminToken, patient.familyName)).toEqual([]);
      expect((await sharingAppointments(sides, sides.sharingCentre.scheduleIds[0])).filter((a) => ms(a.start) >= ms(start) && ms(a.start) < ms(start) + 3_600_000))
        .toEqual([expect.objectContaining({ id: own.id, origin: 'LOCAL' })]);
    });

    it('two client bookings racing for one slot: exactly one wins, the other is SlotUnavailable', async () => {
      const linked = await shareAndLink(sides);
      const { start } = slots.next();
      const attempts = await Promise.all([0, 1, 2].map(() =>
        book(topology.client, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, start), idempotencyKey: key() })));
      expect(attempts.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
      expect(attempts.map((r) => r.data!.bookAppointment.__typename).sort()).toEqual(['Appointment', 'SlotUnavailable', 'SlotUnavailable']);
      expect(await clientAppointments(sides, linked)).toHaveLength(1);
      expect(await twinsAt(sides, start)).toHaveLength(1);
    });

    it('a revoked share: SHARE_LINK_REJECTED, and nothing is stored on either side', async () => {
      const linked = await shareAndLink(sides);
      expect((await revokeShare(topology.sharing, sides.sharingTenant.adminToken, linked.shareId)).errors).toBeUndefined();
      const { start } = slots.next();
      const patient = { familyName: `Revoked${Date.now()}`, givenName: 'Link' };

      const response = await book(topology.client, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, start, { patient }), idempotencyKey: key() });
      expect(codeOf(response)).toBe('SHARE_LINK_REJECTED');
      expect(response.errors![0].message).toMatch(/revoked|rotated/i);
      expect(await clientAppointments(sides, linked)).toEqual([]);
      expect(await searchPatients(topology.client, sides.clientTenant.adminToken, patient.familyName)).toEqual([]);
      expect(await twinsAt(sides, start)).toEqual([]);
    });
  });

  describe('3. the sharing centre sees the client centre\'s bookings as such', () => {
    it('origin SHARED_CLIENT, the client centre\'s name and "*"; audited on both sides', async () => {
      const linked = await shareAndLink(sides);
      const { start } = slots.next();
      const appointment = await bookOk(topology.client, sides.clientTenant.adminToken, bookAtClientInput(sides, linked, start, { patient: { familyName: 'Holm', givenName: 'Ida' } }));

      const [twin] = await twinsAt(sides, start);
      expect(twin).toMatchObject({
        origin: 'SHARED_CLIENT', clientCentreName: linked.client.name, displayMarker: '*', status: 'BOOKED',
        patient: { familyName: 'Holm', givenName: 'Ida' },
      });
      expect(ms(twin.end)).toBe(ms(appointment.end));

      expect(await auditOf(topology.client, sides.clientTenant, appointment.id)).toContainEqual(expect.objectContaining({
        action: 'shared-booking.confirmed', details: expect.objectContaining({ linkId: linked.linkId, remoteAppointmentId: twin.id }),
      }));
      expect(await auditOf(topology.sharing, sides.sharingTenant, twin.id)).toContainEqual(expect.objectContaining({
        action: 'peer.booked', actorKind: 'PEER_SERVER', details: expect.objectContaining({ shareId: linked.shareId }),
      }));

      // The sharing centre's own bookings carry neither.
      const own = await bookAtSharing(sides, { scheduleId: sides.sharingCentre.scheduleIds[0], start: slots.next().start });
      expect((await sharingAppointments(sides, sides.sharingCentre.scheduleIds[0])).find((a) => a.id === own.id))
        .toMatchObject({ origin: 'LOCAL', clientCentreName: null, displayMarker: null });
    });
  });
});

describe('schedule sharing across two servers: the sharing server down or slow', () => {
  let sharing: TestServer;
  /** A second instance of the sharing server, on its database, on a fixed port: the one the "down" link points at. */
  let sharingToClose: Restartable;
  let client: TestServer;
  /** A second instance of the client server, on its database, with PEER_TIMEOUT_MS=500. */
  let impatientClient: TestServer;
  let proxy: Proxy;
  let sides: Sides;
  let slots: SlotAllocator;

  beforeAll(async () => {
    sharing = await startTestServer({ config: LEAN_NO_JOBS });
    sharingToClose = await startRestartable(sharing.databaseUrl);
    client = await startTestServer({ config: LEAN });
    impatientClient = await startTestServer({ databaseUrl: client.databaseUrl, config: { ...LEAN_NO_JOBS, PEER_TIMEOUT_MS: 500, UNCONFIRMED_BOOKING_GRACE_SECONDS: 2 } });
    proxy = await startProxy(sharing.url);
    sides = await setUpSides({ name: 'two servers', sharing, client, close: async () => undefined });
    slots = new SlotAllocator([sides.sharingCentre.scheduleIds[0]], { firstDay: 2, durationMinutes: 30 });
  });
  afterAll(async () => {
    await impatientClient?.close();
    await client?.close();
    await proxy?.close();
    await sharingToClose?.stop();
    await sharing?.close();
  });

  it('down (the sharing server closed): REMOTE_UNAVAILABLE, nothing stored on either side; the client\'s agenda still answers', async () => {
    const linked = await shareAndLink(sides, { url: sharingToClose.url });
    await sharingToClose.stop();
    try {
      const { start } = slots.next();
      const patient = { familyName: `Down${Date.now()}`, givenName: 'Server' };

      const response = await book(client, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, start, { patient }), idempotencyKey: key() });
      expect(codeOf(response)).toBe('REMOTE_UNAVAILABLE');
      expect(response.errors![0].message).toMatch(/could not confirm/i);
      expect(response.errors![0].extensions?.failure).toBe('UNREACHABLE');
      expect(await clientAppointments(sides, linked)).toEqual([]);
      expect(await searchPatients(client, sides.clientTenant.adminToken, patient.familyName)).toEqual([]);
      expect(await twinsAt(sides, start)).toEqual([]);

      const mirror = await mirrorAvailability(sides, linked, sides.sharingCentre.scheduleIds[0], localAt(1, 0), localAt(8, 0));
      expect(mirror?.free ?? []).toEqual([]);
    } finally {
      await sharingToClose.start();
    }
    // Back at the same URL: the client books, and its live agenda hears the sharing centre again.
    const watch = watchClientAgenda(sides, linked);
    try {
      await untilAgendaLive(sides, linked, watch);
    } finally {
      await watch.close();
    }
    await bookOk(client, sides.clientTenant.adminToken, bookAtClientInput(sides, linked, slots.next().start));
  });

  it('the client stores its record only after the sharing server confirmed (its answer held back)', async () => {
    const linked = await shareAndLink(sides, { url: proxy.url });
    const { start } = slots.next();
    proxy.setMode('hold');
    const pending = book(client, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, start), idempotencyKey: key() });
    try {
      const twins = await eventually(() => twinsAt(sides, start), (found) => found.length > 0, 3000, 25);
      expect(twins).toEqual([expect.objectContaining({ status: 'BOOKED', origin: 'SHARED_CLIENT' })]);
      expect(await clientAppointments(sides, linked)).toEqual([]);
    } finally {
      proxy.release();
    }
    const response = await pending;
    expect(response.data?.bookAppointment.__typename).toBe('Appointment');
    expect((await clientAppointments(sides, linked)).map((a) => a.id)).toEqual([response.data!.bookAppointment.id]);
    await removeLinkWhenLive(sides, linked);
  });

  it('slow (a server that never answers): REMOTE_UNAVAILABLE after PEER_TIMEOUT_MS, nothing stored on either side', async () => {
    const linked = await shareAndLink(sides, { url: proxy.url });
    const { start } = slots.next();
    proxy.setMode('blackhole');
    try {
      const response = await book(impatientClient, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, start), idempotencyKey: key() });
      expect(codeOf(response)).toBe('REMOTE_UNAVAILABLE');
      expect(response.errors![0].extensions?.failure).toBe('TIMEOUT');
    } finally {
      proxy.setMode('pass');
    }
    expect(await clientAppointments(sides, linked)).toEqual([]);
    expect(await twinsAt(sides, start)).toEqual([]);
    await removeLinkWhenLive(sides, linked);
  });

  it('slow (the sharing server booked, but answered after PEER_TIMEOUT_MS): REMOTE_UNAVAILABLE, nothing stored at the client', async () => {
    const linked = await shareAndLink(sides, { url: proxy.url });
    const { start } = slots.next();
    proxy.setMode('hold');
    try {
      const response = await book(impatientClient, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, start), idempotencyKey: key() });
      expect(codeOf(response)).toBe('REMOTE_UNAVAILABLE');
      expect(response.errors![0].extensions?.failure).toBe('TIMEOUT');
    } finally {
      proxy.release();
    }
    expect(await clientAppointments(sides, linked)).toEqual([]);
    await removeLinkWhenLive(sides, linked);
  });

  it('slow (booked there, answered too late): a retry with the same idempotency key stores the booking the sharing server made, once', async () => {
    const linked = await shareAndLink(sides, { url: proxy.url });
    const { start } = slots.next();
    const input = { ...bookAtClientInput(sides, linked, start), idempotencyKey: key() };
    proxy.setMode('hold');
    try {
      expect(codeOf(await book(impatientClient, sides.clientTenant.adminToken, input))).toBe('REMOTE_UNAVAILABLE');
    } finally {
      proxy.release();
    }
    try {
      const retried = await bookOk(impatientClient, sides.clientTenant.adminToken, input);
      expect((await clientAppointments(sides, linked)).map((a) => a.id)).toEqual([retried.id]);
      expect(await twinsAt(sides, start)).toEqual([expect.objectContaining({ status: 'BOOKED', origin: 'SHARED_CLIENT' })]);
    } finally {
      await removeLinkWhenLive(sides, linked);
    }
  });

  // The sharing promise: "if the sharing server cannot confirm it, the client gets a clear error and nothing is stored half-way".
  it('slow (booked there, answered too late, never retried): the twin is withdrawn at the sharing centre — nothing is left half-way', async () => {
    const linked = await shareAndLink(sides, { url: proxy.url });
    const { start } = slots.next();
    proxy.setMode('hold');
    try {
      const response = await book(impatientClient, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, start), idempotencyKey: key() });
      expect(codeOf(response)).toBe('REMOTE_UNAVAILABLE');
    } finally {
      proxy.release();
    }
    try {
      expect(await clientAppointments(sides, linked)).toEqual([]);
      const live = await eventually(
        async () => (await twinsAt(sides, start)).filter((twin) => twin.status !== 'CANCELLED'),
        (twins) => twins.length === 0, 8000, 250,
      );
      expect(live).toEqual([]);
    } finally {
      await removeLinkWhenLive(sides, linked);
    }
  });
});
