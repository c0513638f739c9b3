import { gql, gqlOk } from '../helpers/graphql-client';
import { APPOINTMENT_FIELDS, PATIENT_FIELDS, book, bookOk, cancel, key, literal, localAt, reschedule, searchPatients } from '../support/scheduling';
import {
  AVAILABILITY, TOPOLOGIES, bookAtClientInput, bookAtSharing, canariesIn, canary, listLinks, memoryLogger, ms, nextMatching, setUpSides, shareAndLink,
  sharingAppointments, testLink, startTopology, untilAgendaLive, watchClientAgenda, type AgendaWatch, type Canary, type Linked, type Sides, type Topology,
} from '../support/federation';

/**
 * Schedule sharing, behaviour 4 (README: Sharing schedules): appointments the sharing centre makes itself —
 * also those it makes for the client centre — never reach the client centre. They are anonymous
 * OCCUPIED time in its availability and nothing else: canary patient names, phone numbers,
 * identity numbers and notes must not appear in any client-side answer, live agenda message,
 * error or log line of the client server (on one server: of that server).
 */

describe.each(TOPOLOGIES)('schedule sharing on %s: 4. the sharing centre\'s own appointments stay there', (name) => {
  const log = memoryLogger();
  let topology: Topology;
  let sides: Sides;
  let linked: Linked;
  let watch: AgendaWatch;

  beforeAll(async () => {
    topology = await startTopology(name, { clientLogger: log.logger });
    sides = await setUpSides(topology);
    linked = await shareAndLink(sides, { scheduleIds: sides.sharingCentre.scheduleIds.slice(0, 2) });
    watch = watchClientAgenda(sides, linked);
    await untilAgendaLive(sides, linked, watch);
  });
  afterAll(async () => {
    await watch?.close();
    await topology?.close();
  });

  const asPatient = (c: Canary) => ({ familyName: c.familyName, givenName: c.givenName, phone: c.phone, personalIdentityNumber: c.personalIdentityNumber });

  it('are anonymous OCCUPIED time at the client, and no detail of them reaches any client response, agenda event, error or log line', async () => {
    const [shared0, shared1] = sides.sharingCentre.scheduleIds;
    const [service30, service60] = sides.sharingCentre.serviceIds;
    const own = canary();
    const forClient = canary();
    const gone = canary();
    const client = topology.client;
    const token = sides.clientTenant.adminToken;

    // The client's own booking through the share: its lists are not empty, and contain only this.
    const mine = await bookOk(client, token, bookAtClientInput(sides, linked, localAt(2, 9)));

    // The sharing centre's staff book for a patient of their own, and for one of the client centre.
    const ownBooking = await bookAtSharing(sides, { scheduleId: shared0, start: localAt(2, 10), patient: asPatient(own), note: own.note });
    const forClientBooking = await bookAtSharing(sides, {
      scheduleId: shared1, start: localAt(2, 11), serviceId: service60, patient: asPatient(forClient), note: `${forClient.note} (${linked.client.name})`,
    });
    const sharingIds = [ownBooking.id, forClientBooking.id];
    // (Events about the client's own booking carry its id; those about the sharing centre's carry none.)
    const anonymous = (kind: string, scheduleId: string) => (change: { kind: string; scheduleId: string | null; appointmentId: string | null }) =>
      change.kind === kind && change.scheduleId === linked.mirrorOf[scheduleId] && change.appointmentId === null;
    for (const scheduleId of [shared0, shared1]) {
      expect(await nextMatching(watch.events, anonymous('CREATED', scheduleId), 3000)).toMatchObject({ appointment: null });
    }
    // …and change them: moved, cancelled.
    const moved = (await reschedule(topology.sharing, sides.sharingTenant.adminToken, { appointmentId: ownBooking.id, start: localAt(2, 13), idempotencyKey: key() })).data!.rescheduleAppointment;
    expect(moved.__typename).toBe('Appointment');
    await nextMatching(watch.events, anonymous('CHANGED', shared0), 3000);
    const dropped = await bookAtSharing(sides, { scheduleId: shared1, start: localAt(2, 15), patient: asPatient(gone), note: gone.note });
    expect((await cancel(topology.sharing, sides.sharingTenant.adminToken, { appointmentId: dropped.id, reasonCode: 'PATIENT_REQUEST', reasonText: gone.note, idempotencyKey: key() })).errors).toBeUndefined();
    await nextMatching(watch.events, anonymous('CANCELLED', shared1), 3000);

    // What the client sees, everywhere it can look.
    const seen: unknown[] = [];
    const look = async <T>(response: Promise<T>): Promise<T> => {
      const value = await response;
      seen.push(value);
      return value;
    };
    const window = { centreId: linked.client.centreId, from: localAt(2, 0), to: localAt(3, 0) };
    const withSlots = await look(gqlOk<{ availability: { schedules: Array<{ scheduleId: string; occupied: Array<{ start: string; end: string }>; slots: Array<{ start: string; state: string }> }> } }>(
      client, AVAILABILITY, window, token));
    await look(gqlOk(client, AVAILABILITY, { ...window, serviceId: linked.mirrorServiceOf[service30] }, token));
    const mirror0 = withSlots.availability.schedules.find((row) => row.scheduleId === linked.mirrorOf[shared0])!;
    const mirror1 = withSlots.availability.schedules.find((row) => row.scheduleId === linked.mirrorOf[shared1])!;
    const occupies = (row: typeof mirror0, start: string, end: string) => row.occupied.some((i) => ms(i.start) <= ms(start) && ms(i.end) >= ms(end));
    expect(occupies(mirror0, localAt(2, 13), localAt(2, 13, 30))).toBe(true); // the moved own booking
    expect(occupies(mirror0, localAt(2, 10), localAt(2, 10, 30))).toBe(false); // …no longer at its first time
    expect(occupies(mirror1, localAt(2, 11), localAt(2, 12))).toBe(true); // the booking made for the client centre
    expect(occupies(mirror1, localAt(2, 15), localAt(2, 15, 30))).toBe(false); // the cancelled one
    expect(mirror0.slots.find((slot) => ms(slot.start) === ms(localAt(2, 13)))?.state).toBe('OCCUPIED');

    const lists = await look(gqlOk<{ appointments: { nodes: Array<{ id: string }> } }>(
      client, `query { appointments(first: 100) { nodes { ${APPOINTMENT_FIELDS} clientCentreName displayMarker patient { ${PATIENT_FIELDS} } schedule { id name } service { id code name } } } }`, {}, token));
    expect(lists.appointments.nodes.map((a) => a.id)).toEqual([mine.id]);
    for (const scheduleId of [shared0, shared1]) {
      const inMirror = await look(gqlOk<{ appointments: { nodes: Array<{ id: string }> } }>(
        client, 'query($f: AppointmentFilterInput) { appointments(first: 100, filter: $f) { nodes { id note } } }', { f: { scheduleId: linked.mirrorOf[scheduleId] } }, token));
      expect(inMirror.appointments.nodes.every((a) => a.id === mine.id)).toBe(true);
    }
    await look(gqlOk(client, `query($c: ID!) { schedules(centreId: $c, first: 100) { nodes { id name slotMinutes active services { id code name durationMinutes }
      openingHours { weekday startTime endTime } exceptions { kind startsLocal endsLocal reason } practitioner { id name } } } }`, { c: linked.client.centreId }, token));
    await look(gqlOk(client, `query { centre(id: ${literal(linked.client.centreId)}) { id name schedules { id name } } }`, {}, token));
    await look(listLinks(client, token));
    await look(testLink(client, token, { url: linked.share.serverUrl, remoteCentreId: linked.share.centreId, token: linked.token }));
    for (const needle of [own.familyName, own.personalIdentityNumber, forClient.familyName, forClient.givenName]) {
      expect(await look(searchPatients(client, token, needle))).toEqual([]);
    }
    // Errors about the sharing centre's appointments: not found, and nothing more.
    for (const id of sharingIds) {
      const read = await look(gql(client, `query { appointment(id: ${literal(id)}) { ${APPOINTMENT_FIELDS} } }`, {}, token));
      expect(read.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const cancelled = await look(cancel(client, token, { appointmentId: id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() }));
      expect(cancelled.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const taken = await look(book(client, token, { ...bookAtClientInput(sides, linked, localAt(2, 13)), idempotencyKey: key() }));
    expect(taken.data?.bookAppointment.__typename).toBe('SlotUnavailable');

    // (The canaries are there to be found: the sharing centre's own staff see them.)
    expect(canariesIn(await sharingAppointments(sides, shared0), [own])).toEqual(expect.arrayContaining([own.familyName, own.phone, own.personalIdentityNumber]));
    expect(canariesIn(seen, [own, forClient, gone])).toEqual([]);
    expect(JSON.stringify(seen)).not.toContain(ownBooking.id);
    expect(JSON.stringify(seen)).not.toContain(forClientBooking.id);

    // The live agenda told of every change, with ids of the client's own appointments only.
    const messages = watch.events.log;
    expect(messages.length).toBeGreaterThan(0);
    expect(canariesIn(messages, [own, forClient, gone])).toEqual([]);
    for (const id of [...sharingIds, dropped.id]) expect(JSON.stringify(messages)).not.toContain(id);

    // Nor any log line of the client server.
    expect(log.text().length).toBeGreaterThan(0);
    expect(canariesIn(log.text(), [own, forClient, gone])).toEqual([]);
  });
});
