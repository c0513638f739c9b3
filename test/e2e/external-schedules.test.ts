import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentreWithSchedules, type CentreWithSchedules } from '../factories/catalog';
import { createPartner, createPartnerAppToken, readAsOwner, setCentreOffline, setTrafficChannels } from '../factories/partners';
import { createTenant, type TestTenant } from '../factories/tenants';
import { eventually, memoryLogger } from '../support/federation';
import { CANCEL, key } from '../support/scheduling';
import {
  FHIR_DEPARTMENT, FHIR_KEY, FHIR_SCHEDULE, SMART_DEEP_LINK, SMART_LOCATION, startBookingSystemServers, type BookingSystemServers,
} from '../support/booking-system-servers';

/**
 * Seed 004, using a saved connection: a centre's connected booking system stands in its
 * availability as an external schedule (marked with its source; named when it cannot be reached),
 * and staff and partner bookings reach it through its connector: a FHIR R4 server books an
 * Appointment (recorded here only after it confirmed; idempotent by our reference), a SMART
 * Scheduling Links publisher answers with the slot's deep link, polled no more often than its
 * Cache-Control allows.
 */
const SAVE = `mutation($input: BookingSystemConnectionInput!) {
  testAndSaveBookingSystemConnection(input: $input) { ok problem { code } connection { scheduleId status } }
}`;
const CONNECTION = 'query($centreId: ID!) { bookingSystemConnection(centreId: $centreId) { status lastContactAt lastProblem scheduleId } }';
const AVAILABILITY = `query($centreId: ID!, $from: Instant!, $to: Instant!, $serviceId: ID) {
  availability(centreId: $centreId, from: $from, to: $to, serviceId: $serviceId) {
    schedules { scheduleId source free { start end } occupied { start end } slots { start end state bookingLink } }
    unavailable { scheduleId source linkId status problem }
  }
}`;
const BOOK = `mutation($input: BookAppointmentInput!) {
  bookAppointment(input: $input) {
    __typename
    ... on Appointment { id scheduleId start end status origin viaShare }
    ... on SlotUnavailable { message } ... on OffSlotGrid { message } ... on ServiceNotOffered { message }
    ... on BookAtExternalSystem { message bookingLink }
  }
}`;
const BOOK_FOR_PARTNER = `mutation($input: BookForPartnerInput!) {
  bookForPartner(input: $input) {
    __typename
    ... on PartnerBooking { id partnerId origin start end }
    ... on CentreOffline { message } ... on ServiceNotActivatedForPartner { message } ... on BookAtExternalSystem { bookingLink }
  }
}`;

interface ScheduleData {
  scheduleId: string;
  source: string;
  free: Array<{ start: string; end: string }>;
  occupied: Array<{ start: string; end: string }>;
  slots: Array<{ start: string; end: string; state: string; bookingLink: string | null }>;
}
interface AvailabilityData {
  availability: { schedules: ScheduleData[]; unavailable: Array<{ scheduleId: string; source: string; linkId: string | null; status: string; problem: string }> };
}

const utc = (instant: string) => new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('external schedules: a connected booking system in availability and bookings (seed 004)', () => {
  const log = memoryLogger();
  let app: TestServer;
  let systems: BookingSystemServers;
  let tenant: TestTenant;
  let fhirCentre: CentreWithSchedules;
  let smartCentre: CentreWithSchedules;
  let fhirSchedule: string;
  let smartSchedule: string;
  let patientId: string;

  const window = () => ({ from: systems.fhirSlots[0].start, to: new Date(Date.parse(systems.fhirSlots[0].start) + 86_400_000).toISOString() });
  const availability = async (centre: CentreWithSchedules) =>
    (await gqlOk<AvailabilityData>(app, AVAILABILITY, { centreId: centre.centreId, ...window() }, tenant.adminToken)).availability;
  const health = async () => (await gqlOk<{ bookingSystemConnection: { status: string; lastProblem: string | null } }>(
    app, CONNECTION, { centreId: fhirCentre.centreId }, tenant.adminToken)).bookingSystemConnection;
  const book = async (input: Record<string, unknown>, token = tenant.adminToken) =>
    (await gqlOk<{ bookAppointment: Record<string, unknown> }>(app, BOOK, { input }, token)).bookAppointment;

  beforeAll(async () => {
    systems = await startBookingSystemServers();
    app = await startTestServer({ logger: log.logger, config: { JOB_RETRY_BASE_MS: 50, JOB_RETRY_MAX_MS: 200 } });
    tenant = await createTenant(app);
    fhirCentre = await createCentreWithSchedules(app, tenant, { name: 'Fysio Sentrum' });
    smartCentre = await createCentreWithSchedules(app, tenant, { name: 'Oslo Klinikk' });
    const fhir = await gqlOk<{ testAndSaveBookingSystemConnection: { ok: boolean; connection: { scheduleId: string } } }>(app, SAVE, { input: {
      centreId: fhirCentre.centreId, system: 'FHIR_R4', bookingUrl: `${systems.url}/fhir`, externalId: FHIR_SCHEDULE, externalDepartmentId: FHIR_DEPARTMENT, apiKey: FHIR_KEY,
    } }, tenant.adminToken);
    fhirSchedule = fhir.testAndSaveBookingSystemConnection.connection.scheduleId;
    const smart = await gqlOk<{ testAndSaveBookingSystemConnection: { ok: boolean; connection: { scheduleId: string } } }>(app, SAVE, { input: {
      centreId: smartCentre.centreId, system: 'SMART_SCHEDULING_LINKS', bookingUrl: `${systems.url}/smart/$bulk-publish`, externalId: SMART_LOCATION,
    } }, tenant.adminToken);
    smartSchedule = smart.testAndSaveBookingSystemConnection.connection.scheduleId;
    const patient = await gqlOk<{ createPatient: { id: string } }>(app, 'mutation($input: NewPatientInput!) { createPatient(input: $input) { id } }', {
      input: { familyName: 'Nordmann', givenName: 'Kari', personalIdentityNumber: '199001011234' },
    }, tenant.adminToken);
    patientId = patient.createPatient.id;
  });
  afterAll(async () => {
    await app?.close();
    await systems?.close();
  });

  it('saving a FHIR R4 or SMART connection gives the centre an external schedule offering its services', async () => {
    expect(fhirSchedule).toEqual(expect.any(String));
    expect(smartSchedule).toEqual(expect.any(String));
    const offered = await readAsOwner<{ serviceId: string }>(app, tenant.tenantId,
      'SELECT service_id AS "serviceId" FROM schedule_services WHERE tenant_id = $1 AND schedule_id = $2', [tenant.tenantId, fhirSchedule]);
    expect(offered.map((row) => row.serviceId)).toEqual(fhirCentre.serviceIds);
  });

  it('availability includes the FHIR Schedule\'s free and busy Slots, marked with their source, beside the local schedules', async () => {
    const answer = await availability(fhirCentre);
    expect(answer.unavailable).toEqual([]);
    expect(answer.schedules.find((schedule) => schedule.scheduleId === fhirCentre.scheduleIds[0])?.source).toBe('LOCAL');
    const external = answer.schedules.find((schedule) => schedule.scheduleId === fhirSchedule)!;
    const slots = systems.fhirSlots;
    expect(external).toMatchObject({
      source: 'FHIR_R4',
      free: [{ start: utc(slots[0].start), end: utc(slots[1].end) }, { start: utc(slots[3].start), end: utc(slots[7].end) }],
      occupied: [{ start: utc(slots[2].start), end: utc(slots[2].end) }],
    });
    expect(external.slots.map((slot) => slot.state)).toEqual(slots.map((slot) => (slot.status === 'free' ? 'FREE' : 'OCCUPIED')));
    expect(external.slots.every((slot) => slot.bookingLink === null)).toBe(true);
  });

  it('a staff booking creates the Appointment at the FHIR server first, then records it here; the same key books once', async () => {
    const slot = systems.fhirSlots[3];
    const input = { scheduleId: fhirSchedule, serviceId: fhirCentre.serviceIds[0], start: slot.start, patientId, idempotencyKey: key() };
    const booked = await book(input);
    expect(booked).toMatchObject({ __typename: 'Appointment', scheduleId: fhirSchedule, status: 'BOOKED', origin: 'LOCAL', viaShare: false, start: utc(slot.start), end: utc(slot.end) });
    expect(slot.status).toBe('busy');
    const there = [...systems.fhirAppointments.values()].filter((appointment) => JSON.stringify(appointment).includes(String(booked.id)));
    expect(there).toHaveLength(1);
    expect(there[0]).toMatchObject({ status: 'booked', slot: [{ reference: `Slot/${slot.id}` }] });
    const [row] = await readAsOwner<{ ref: string }>(app, tenant.tenantId,
      'SELECT external_appointment_ref AS ref FROM appointments WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, booked.id]);
    expect(row.ref).toBe(there[0].id);

    const before = systems.fhirAppointments.size;
    expect(await book(input)).toMatchObject({ __typename: 'Appointment', id: booked.id });
    expect(systems.fhirAppointments.size).toBe(before);
    const after = (await availability(fhirCentre)).schedules.find((schedule) => schedule.scheduleId === fhirSchedule)!;
    expect(after.slots[3].state).toBe('OCCUPIED');
  });

  it('a busy slot is SlotUnavailable and a start between slots OffSlotGrid; nothing is recorded', async () => {
    const count = async () => (await readAsOwner<{ n: string }>(app, tenant.tenantId,
      'SELECT count(*) AS n FROM appointments WHERE tenant_id = $1 AND schedule_id = $2', [tenant.tenantId, fhirSchedule]))[0].n;
    const before = await count();
    const base = { scheduleId: fhirSchedule, serviceId: fhirCentre.serviceIds[0], patientId };
    expect((await book({ ...base, start: systems.fhirSlots[2].start, idempotencyKey: key() })).__typename).toBe('SlotUnavailable');
    const between = new Date(Date.parse(systems.fhirSlots[4].start) + 10 * 60_000).toISOString();
    expect((await book({ ...base, start: between, idempotencyKey: key() })).__typename).toBe('OffSlotGrid');
    expect(await count()).toBe(before);
  });

  it('a cancellation here cancels the Appointment there, through the job queue; the slot is free again', async () => {
    const slot = systems.fhirSlots[5];
    const booked = await book({ scheduleId: fhirSchedule, serviceId: fhirCentre.serviceIds[0], start: slot.start, patientId, idempotencyKey: key() });
    expect(slot.status).toBe('busy');
    await gqlOk(app, CANCEL, { input: { appointmentId: booked.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() } }, tenant.adminToken);
    await eventually(async () => slot.status, (status) => status === 'free');
    expect(slot.status).toBe('free');
    const there = [...systems.fhirAppointments.values()].find((appointment) => JSON.stringify(appointment).includes(String(booked.id)));
    expect(there).toMatchObject({ status: 'cancelled' });
  });

  it('a partner app books the external schedule through its channel; an offline location refuses it', async () => {
    const partnerId = await createPartner(app, tenant);
    const appToken = await createPartnerAppToken(app, tenant, partnerId);
    await setTrafficChannels(app, tenant, fhirCentre.centreId, { [fhirCentre.serviceIds[0]]: [partnerId] });
    const slot = systems.fhirSlots[6];
    const input = { scheduleId: fhirSchedule, serviceId: fhirCentre.serviceIds[0], start: slot.start, patientId, idempotencyKey: key() };

    await setCentreOffline(app, tenant, fhirCentre.centreId, true);
    const refused = await gqlOk<{ bookForPartner: { __typename: string } }>(app, BOOK_FOR_PARTNER, { input }, appToken);
    expect(refused.bookForPartner.__typename).toBe('CentreOffline');
    expect(slot.status).toBe('free');

    await setCentreOffline(app, tenant, fhirCentre.centreId, false);
    const booked = await gqlOk<{ bookForPartner: Record<string, unknown> }>(app, BOOK_FOR_PARTNER, { input: { ...input, idempotencyKey: key() } }, appToken);
    expect(booked.bookForPartner).toMatchObject({ __typename: 'PartnerBooking', partnerId, origin: 'PARTNER_APP', start: utc(slot.start) });
    expect(slot.status).toBe('busy');
  });

  it('SMART Scheduling Links: free slots carry their deep link; a booking answers the link and books nothing here', async () => {
    const answer = await availability(smartCentre);
    const external = answer.schedules.find((schedule) => schedule.scheduleId === smartSchedule)!;
    expect(external.source).toBe('SMART_SCHEDULING_LINKS');
    expect(external.slots).toHaveLength(systems.smartSlots.length);
    const free = external.slots.filter((slot) => slot.state === 'FREE');
    expect(free.every((slot) => slot.bookingLink?.startsWith(SMART_DEEP_LINK))).toBe(true);
    expect(external.slots.find((slot) => slot.state === 'OCCUPIED')?.bookingLink).toBeNull();

    const slot = systems.smartSlots[1];
    const result = await book({ scheduleId: smartSchedule, serviceId: smartCentre.serviceIds[0], start: slot.start, patientId, idempotencyKey: key() });
    expect(result).toEqual({ __typename: 'BookAtExternalSystem', message: expect.any(String), bookingLink: `${SMART_DEEP_LINK}?slot=${slot.id}` });
    const rows = await readAsOwner(app, tenant.tenantId, 'SELECT 1 FROM appointments WHERE tenant_id = $1 AND schedule_id = $2', [tenant.tenantId, smartSchedule]);
    expect(rows).toHaveLength(0);
    const busy = await book({ scheduleId: smartSchedule, serviceId: smartCentre.serviceIds[0], start: systems.smartSlots[2].start, patientId, idempotencyKey: key() });
    expect(busy.__typename).toBe('SlotUnavailable');
  });

  it('SMART Scheduling Links: the publisher is polled no more often than its Cache-Control allows', async () => {
    const fetched = () => systems.hits.get('/smart/slots.ndjson') ?? 0;
    await availability(smartCentre);
    const first = fetched();
    await Promise.all(Array.from({ length: 10 }, () => availability(smartCentre)));
    expect(fetched()).toBe(first);
  });

  it('a system that cannot be reached is named as the unavailable source; the local agenda still answers; the connection\'s health says so', async () => {
    systems.down = true;
    try {
      const answer = await availability(fhirCentre);
      expect(answer.schedules.map((schedule) => schedule.scheduleId)).toEqual(fhirCentre.scheduleIds);
      expect(answer.unavailable).toEqual([{ scheduleId: fhirSchedule, source: 'FHIR_R4', linkId: null, status: 'UNREACHABLE', problem: expect.any(String) }]);
      const refused = await gql(app, BOOK, { input: { scheduleId: fhirSchedule, serviceId: fhirCentre.serviceIds[0], start: systems.fhirSlots[7].start, patientId, idempotencyKey: key() } }, tenant.adminToken);
      expect(errorCode(refused)).toBe('REMOTE_UNAVAILABLE');
      const down = await eventually(health, (connection) => connection.status === 'UNREACHABLE');
      expect(down).toMatchObject({ status: 'UNREACHABLE', lastProblem: expect.any(String) });
    } finally {
      systems.down = false;
    }
    await availability(fhirCentre);
    expect(await eventually(health, (connection) => connection.status === 'OK')).toMatchObject({ status: 'OK', lastProblem: null });
    expect(log.text()).not.toContain(FHIR_KEY);
  });
});
