import { randomBytes, randomUUID } from 'node:crypto';
import { errorCode, gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs, type WsConnection } from '../helpers/ws-client';
import { createCentreWithSchedules, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import {
  agendaChanged, appointmentQuery, patientQuery, APPOINTMENTS, SlotAllocator, book, bookOk, cancel, changeStatus, confirm, createPatient, firstOutcome, key, localAt,
  outcomeCodes, readAppointment, subscribeQueued, readPatient, reschedule, searchPatients, snapshot, updatePatient, type AppointmentData, type PatientData,
  type TenantSnapshot,
} from '../support/scheduling';

/**
 * Two tenants with look-alike data (same patient names). Every scheduling operation that takes an
 * id is called by one tenant with the other's ids: it must answer NOT_FOUND (lists: nothing),
 * exactly as for an id that does not exist, and change nothing on either side.
 */

interface World {
  tenant: TestTenant;
  scheduler: { userId: string; token: string };
  centre: CentreWithSchedules;
  slots: SlotAllocator;
  patient: PatientData;
  appointment: AppointmentData;
  bookingKey: string;
}

const SHARED_NAME = { familyName: 'Lindqvist', givenName: 'Anna' };
const PREFIXES = ['lindqvist', 'probe'];

type Probe = (caller: World, target: Ids) => Promise<GraphQLResponse>;
interface Ids {
  appointmentId: string;
  patientId: string;
  centreId: string;
  scheduleId: string;
  serviceId: string;
}

describe('scheduling: tenant isolation', () => {
  let app: TestServer;
  let mine: World;
  let theirs: World;
  let theirsBefore: TenantSnapshot;
  let mineBefore: TenantSnapshot;

  async function buildWorld(pin: string): Promise<World> {
    const tenant = await createTenant(app);
    const scheduler = await createStaff(app, tenant, ['SCHEDULER']);
    const centre = await createCentreWithSchedules(app, tenant, { openingHours: everyDay('08:00', '17:00'), services: [{ durationMinutes: 30 }] });
    const slots = new SlotAllocator(centre.scheduleIds, { firstDay: 3 });
    const patient = (await createPatient(app, scheduler.token, { ...SHARED_NAME, personalIdentityNumber: pin, phone: '+46 70 123 45 67' })).data!.createPatient;
    const bookingKey = key();
    const appointment = await bookOk(app, scheduler.token, { ...slots.next(), serviceId: centre.serviceIds[0], patientId: patient.id, idempotencyKey: bookingKey });
    // A second patient with the same name, booked through bookAppointment(newPatient).
    await bookOk(app, scheduler.token, { ...slots.next(), serviceId: centre.serviceIds[0], newPatient: { ...SHARED_NAME, patronymic: 'B' } });
    return { tenant, scheduler, centre, slots, patient, appointment, bookingKey };
  }

  beforeAll(async () => {
    app = await startTestServer();
    // The same personal identity number in both tenants: it is unique per tenant only.
    const pin = `19850505${randomBytes(2).toString('hex')}`;
    mine = await buildWorld(pin);
    theirs = await buildWorld(pin);
    theirsBefore = await snapshot(app, theirs.tenant.adminToken, PREFIXES);
    mineBefore = await snapshot(app, mine.tenant.adminToken, PREFIXES);
  });
  afterAll(() => app?.close());

  const idsOf = (world: World): Ids => ({
    appointmentId: world.appointment.id, patientId: world.patient.id, centreId: world.centre.centreId,
    scheduleId: world.centre.scheduleIds[0]!, serviceId: world.centre.serviceIds[0]!,
  });
  /** Ids that exist nowhere: the answer for a foreign id must be the same as for these. */
  const unknownIds = (): Ids => ({ appointmentId: randomUUID(), patientId: randomUUID(), centreId: randomUUID(), scheduleId: randomUUID(), serviceId: randomUUID() });

  const token = (world: World) => world.tenant.adminToken;
  const window = () => ({ from: localAt(1, 0), to: localAt(8, 0) });

  /** Operations answering the NOT_FOUND error for a foreign id. */
  const NOT_FOUND_PROBES: Array<[string, Probe]> = [
    ['appointment(id)', (caller, t) => gql(app, appointmentQuery(t.appointmentId, 'id'), {}, token(caller))],
    ['patient(id)', (caller, t) => gql(app, patientQuery(t.patientId, 'id'), {}, token(caller))],
    ['availability(centreId)', (caller, t) => gql(app, 'query($c: ID!, $f: Instant!, $t: Instant!) { availability(centreId: $c, from: $f, to: $t) { centreId schedules { scheduleId } } }', { c: t.centreId, f: window().from, t: window().to }, token(caller))],
    ['bookAppointment(scheduleId)', (caller, t) => book(app, token(caller), { scheduleId: t.scheduleId, serviceId: caller.centre.serviceIds[0], start: localAt(5, 9), newPatient: { familyName: 'ProbeIntruder', givenName: 'X' }, idempotencyKey: key() })],
    ['bookAppointment(scheduleId, serviceId)', (caller, t) => book(app, token(caller), { scheduleId: t.scheduleId, serviceId: t.serviceId, start: localAt(5, 9), patientId: caller.patient.id, idempotencyKey: key() })],
    ['rescheduleAppointment(appointmentId)', (caller, t) => reschedule(app, token(caller), { appointmentId: t.appointmentId, start: localAt(6, 10), idempotencyKey: key() })],
    ['cancelAppointment(appointmentId)', (caller, t) => cancel(app, token(caller), { appointmentId: t.appointmentId, reasonCode: 'PATIENT_REQUEST', reasonText: 'probe', idempotencyKey: key() })],
    ['confirmAppointment(appointmentId)', (caller, t) => confirm(app, token(caller), { appointmentId: t.appointmentId, idempotencyKey: key() })],
    ['changeAppointmentStatus(appointmentId) → ARRIVED', (caller, t) => changeStatus(app, token(caller), { appointmentId: t.appointmentId, status: 'ARRIVED' })],
    ['changeAppointmentStatus(appointmentId) → NO_SHOW', (caller, t) => changeStatus(app, token(caller), { appointmentId: t.appointmentId, status: 'NO_SHOW' })],
    ['changeAppointmentStatus(appointmentId) → CANCELLED', (caller, t) => changeStatus(app, token(caller), { appointmentId: t.appointmentId, status: 'CANCELLED' })],
    ['updatePatient(id)', (caller, t) => updatePatient(app, token(caller), { id: t.patientId, familyName: 'ProbeRenamed', phone: '+46 8 000 00 00', consents: { dataProcessingRefused: true } })],
  ];

  /**
   * bookAppointment with the caller's own schedule but a foreign service or patient: the API
   * answers these with its typed "not found" results (ServiceNotOffered, PatientNotFound: "No such
   * patient in this tenant") rather than an error. Either way it must be what an unknown id gets.
   */
  const TYPED_PROBES: Array<[string, string, Probe]> = [
    ['bookAppointment(serviceId)', 'ServiceNotOffered', (caller, t) => book(app, token(caller), { scheduleId: caller.centre.scheduleIds[0], serviceId: t.serviceId, start: localAt(5, 11), newPatient: { familyName: 'ProbeIntruder', givenName: 'Y' }, idempotencyKey: key() })],
    ['bookAppointment(patientId)', 'PatientNotFound', (caller, t) => book(app, token(caller), { scheduleId: caller.centre.scheduleIds[0], serviceId: caller.centre.serviceIds[0], start: localAt(5, 11), patientId: t.patientId, idempotencyKey: key() })],
  ];

  const LIST_PROBES: Array<[string, (t: Ids) => Record<string, unknown>]> = [
    ['centreId', (t) => ({ centreId: t.centreId })],
    ['scheduleId', (t) => ({ scheduleId: t.scheduleId })],
    ['patientId', (t) => ({ patientId: t.patientId })],
    ['centreId + scheduleId + patientId', (t) => ({ centreId: t.centreId, scheduleId: t.scheduleId, patientId: t.patientId })],
  ];

  /** Neither tenant's data moved (the foreign tenant's through its own eyes, and the caller's). */
  async function expectNothingChanged(): Promise<void> {
    expect(await snapshot(app, theirs.tenant.adminToken, PREFIXES)).toEqual(theirsBefore);
    expect(await snapshot(app, mine.tenant.adminToken, PREFIXES)).toEqual(mineBefore);
  }

  const answerOf = (response: GraphQLResponse) => ({
    status: response.status,
    codes: (response.errors ?? []).map((e) => e.extensions?.code),
    messages: (response.errors ?? []).map((e) => e.message),
    data: response.data ?? null,
  });

  it('starts from two tenants with look-alike data', () => {
    expect(theirsBefore.appointmentCount).toBe(2);
    expect(mineBefore.appointmentCount).toBe(2);
    expect(theirsBefore.patients.map((p) => p.familyName)).toEqual(['Lindqvist', 'Lindqvist']);
    expect(mine.patient.personalIdentityNumber).toBe(theirs.patient.personalIdentityNumber);
  });

  it.each(NOT_FOUND_PROBES)('%s with another tenant\'s id → NOT_FOUND, like an unknown id, and nothing changes', async (_name, probe) => {
    const foreign = await probe(mine, idsOf(theirs));
    expect({ code: errorCode(foreign), data: foreign.data ?? null }).toEqual({ code: 'NOT_FOUND', data: null });
    const unknown = await probe(mine, unknownIds());
    expect(answerOf(foreign)).toEqual(answerOf(unknown));
    await expectNothingChanged();
  });

  it.each(TYPED_PROBES)('%s with another tenant\'s id → %s, like an unknown id, and nothing changes', async (_name, typename, probe) => {
    const foreign = await probe(mine, idsOf(theirs));
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data!.bookAppointment).toEqual({ __typename: typename, message: expect.any(String) });
    expect(answerOf(foreign)).toEqual(answerOf(await probe(mine, unknownIds())));
    await expectNothingChanged();
  });

  it.each(LIST_PROBES)('appointments(filter: { %s }) with another tenant\'s ids → an empty list', async (_name, filter) => {
    const response = await gql(app, APPOINTMENTS, { filter: filter(idsOf(theirs)), first: 100 }, token(mine));
    expect(response.errors).toBeUndefined();
    expect(response.data!.appointments).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
    // …while the owner sees its appointment through the same filter.
    const own = await gqlOk(app, APPOINTMENTS, { filter: filter(idsOf(theirs)), first: 100 }, token(theirs));
    expect(own.appointments.nodes.map((a: AppointmentData) => a.id)).toContain(theirs.appointment.id);
  });

  it('agendaChanged(centreId) with another tenant\'s centre → NOT_FOUND, like an unknown centre', async () => {
    const ws: WsConnection = connectWs(app.url, token(mine));
    try {
      const foreign = await firstOutcome(subscribeQueued(ws.client, agendaChanged(theirs.centre.centreId)));
      expect(outcomeCodes(foreign)).toEqual(['NOT_FOUND']);
      expect(foreign.kind === 'next' ? foreign.payload.data ?? null : null).toBeNull();
      const unknown = await firstOutcome(subscribeQueued(ws.client, agendaChanged(randomUUID())));
      expect(outcomeCodes(unknown)).toEqual(['NOT_FOUND']);
    } finally {
      await ws.dispose();
    }
  });

  it('an idempotency key used by another tenant neither replays its booking nor conflicts', async () => {
    const response = await book(app, mine.scheduler.token, {
      ...mine.slots.next(), serviceId: mine.centre.serviceIds[0], newPatient: { familyName: 'Lindqvist', givenName: 'Keyed' }, idempotencyKey: theirs.bookingKey,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.bookAppointment.__typename).toBe('Appointment');
    expect(response.data!.bookAppointment.id).not.toBe(theirs.appointment.id);
    expect(await snapshot(app, theirs.tenant.adminToken, PREFIXES)).toEqual(theirsBefore);
    mineBefore = await snapshot(app, mine.tenant.adminToken, PREFIXES);
  });

  describe('patients(search)', () => {
    it('never returns another tenant\'s patients, even with the same names', async () => {
      const theirIds = new Set(theirsBefore.patients.map((p) => p.id));
      for (const search of ['Lindqvist', 'lindq', 'Lindqvist Anna', 'Anna', 'L']) {
        const found = await searchPatients(app, token(mine), search);
        expect(found.length).toBeGreaterThan(0);
        expect(found.filter((p) => theirIds.has(p.id))).toEqual([]);
        for (const patient of found) expect(await readPatient(app, token(mine), patient.id)).toEqual(patient);
      }
    });

    it('finds by the personal identity number only the caller\'s own patient, although both tenants use the number', async () => {
      const mineFound = await searchPatients(app, token(mine), mine.patient.personalIdentityNumber!);
      expect(mineFound.map((p) => p.id)).toEqual([mine.patient.id]);
      const theirsFound = await searchPatients(app, token(theirs), theirs.patient.personalIdentityNumber!);
      expect(theirsFound.map((p) => p.id)).toEqual([theirs.patient.id]);
    });

    it('lists only the caller\'s appointments, with only its own patients and history', async () => {
      const data = await gqlOk(app, `query { appointments(first: 100) { nodes { id patient { id } history { actorId } } } }`, {}, token(mine));
      const theirAppointments = new Set(theirsBefore.appointments.map((a) => a.id));
      const theirPatients = new Set(theirsBefore.patients.map((p) => p.id));
      for (const node of data.appointments.nodes) {
        expect(theirAppointments.has(node.id)).toBe(false);
        expect(theirPatients.has(node.patient.id)).toBe(false);
        for (const entry of node.history) expect(entry.actorId).not.toBe(theirs.scheduler.userId);
      }
    });
  });

  it('leaves the foreign appointment and patient exactly as they were, seen by their owner', async () => {
    expect(await readAppointment(app, theirs.scheduler.token, theirs.appointment.id)).toEqual(theirs.appointment);
    expect(await readPatient(app, theirs.scheduler.token, theirs.patient.id)).toEqual(theirs.patient);
  });

  describe('malformed ids', () => {
    const MALFORMED: Array<[string, () => Promise<GraphQLResponse>]> = [
      ['appointment(id: "not-a-uuid")', () => gql(app, appointmentQuery('not-a-uuid', 'id'), {}, token(mine))],
      ['patient(id: "not-a-uuid")', () => gql(app, patientQuery('not-a-uuid', 'id'), {}, token(mine))],
    ];
    it.each(MALFORMED)('%s → NOT_FOUND or BAD_USER_INPUT, never INTERNAL_SERVER_ERROR', async (_name, call) => {
      const response = await call();
      expect(errorCode(response)).toMatch(/^(NOT_FOUND|BAD_USER_INPUT)$/);
    });

    it('agendaChanged(centreId: "not-a-uuid") → NOT_FOUND or BAD_USER_INPUT, never INTERNAL_SERVER_ERROR', async () => {
      const ws = connectWs(app.url, token(mine));
      try {
        const outcome = await firstOutcome(subscribeQueued(ws.client, agendaChanged('not-a-uuid')));
        expect(outcomeCodes(outcome)).toEqual([expect.stringMatching(/^(NOT_FOUND|BAD_USER_INPUT)$/)]);
      } finally {
        await ws.dispose();
      }
    });
  });
});
