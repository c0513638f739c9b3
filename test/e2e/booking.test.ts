import { randomUUID } from 'node:crypto';
import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { DateTime } from 'luxon';
import { createCentreWithSchedules, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { localAt, reschedule, STOCKHOLM } from '../support/scheduling';

const BOOK = `mutation($input: BookAppointmentInput!) {
  bookAppointment(input: $input) {
    __typename
    ... on Appointment { id start end status origin patient { familyName } history { action toStatus } }
    ... on SlotUnavailable { message } ... on OutsideOpeningHours { message } ... on OffSlotGrid { message }
    ... on InThePast { message } ... on ServiceNotOffered { message } ... on PatientNotFound { message }
  }
}`;

/** The next day at 09:00 local time in Stockholm, as an instant (opening hours are 08:00–17:00 every day). */
function tomorrowAt(hour: number, minute = 0): string {
  const date = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const local = new Date(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
  const offsetHours = Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Stockholm', timeZoneName: 'shortOffset' }).formatToParts(local).find((p) => p.type === 'timeZoneName')!.value.replace('GMT', '') || 0);
  return new Date(local.getTime() - offsetHours * 3_600_000).toISOString();
}

describe('booking an appointment', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let scheduler: { token: string };
  let centre: CentreWithSchedules;

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    scheduler = await createStaff(app, tenant, ['SCHEDULER']);
    centre = await createCentreWithSchedules(app, tenant, { openingHours: everyDay('08:00', '17:00'), slotMinutes: 15, services: [{ durationMinutes: 30 }] });
  });
  afterAll(() => app.close());

  const book = (overrides: Record<string, unknown> = {}, token = scheduler.token) =>
    gql(app, BOOK, {
      input: {
        scheduleId: centre.scheduleIds[0], serviceId: centre.serviceIds[0], start: tomorrowAt(9),
        newPatient: { familyName: 'Lund', givenName: 'Ingrid' }, idempotencyKey: randomUUID(), ...overrides,
      },
    }, token);

  it('books a free slot with a new patient, in one transaction with its history', async () => {
    const response = await book({ start: tomorrowAt(10) });
    expect(response.errors).toBeUndefined();
    const appointment = response.data!.bookAppointment;
    expect(appointment).toMatchObject({ __typename: 'Appointment', status: 'BOOKED', origin: 'LOCAL', patient: { familyName: 'Lund' }, history: [{ action: 'BOOKED', toStatus: 'BOOKED' }] });
    expect(Date.parse(appointment.end) - Date.parse(appointment.start)).toBe(30 * 60_000);
  });

  it('answers typed failures for a taken slot, off-grid start, closed hours and the past', async () => {
    expect((await book({ start: tomorrowAt(11) })).data!.bookAppointment.__typename).toBe('Appointment');
    expect((await book({ start: tomorrowAt(11, 15) })).data!.bookAppointment.__typename).toBe('SlotUnavailable');
    expect((await book({ start: tomorrowAt(12, 5) })).data!.bookAppointment.__typename).toBe('OffSlotGrid');
    expect((await book({ start: tomorrowAt(16, 45) })).data!.bookAppointment.__typename).toBe('OutsideOpeningHours');
    expect((await book({ start: tomorrowAt(20) })).data!.bookAppointment.__typename).toBe('OutsideOpeningHours');
    expect((await book({ start: new Date(Date.now() - 86_400_000).toISOString() })).data!.bookAppointment.__typename).toBe('InThePast');
    expect((await book({ newPatient: undefined, patientId: randomUUID(), start: tomorrowAt(13) })).data!.bookAppointment.__typename).toBe('PatientNotFound');
  });

  it('returns the same appointment for the same idempotency key and input, and CONFLICT for other input', async () => {
    const key = randomUUID();
    const first = await book({ start: tomorrowAt(14), idempotencyKey: key });
    const again = await book({ start: tomorrowAt(14), idempotencyKey: key });
    expect(again.data!.bookAppointment.id).toBe(first.data!.bookAppointment.id);
    const other = await book({ start: tomorrowAt(14, 30), idempotencyKey: key });
    expect(errorCode(other)).toBe('CONFLICT');
  });

  it('shows the booking in availability as occupied time, in one SQL statement', async () => {
    const from = tomorrowAt(0);
    const to = new Date(Date.parse(from) + 86_400_000).toISOString();
    const response = await gql(app, `query($c: ID!, $f: Instant!, $t: Instant!) { availability(centreId: $c, from: $f, to: $t) { schedules { scheduleId free { start end } occupied { start end } slots { start state } } } }`,
      { c: centre.centreId, f: from, t: to }, scheduler.token);
    expect(response.errors).toBeUndefined();
    const schedule = response.data!.availability.schedules[0];
    expect(schedule.occupied.length).toBeGreaterThan(0);
    expect(schedule.slots.some((slot: { state: string }) => slot.state === 'OCCUPIED')).toBe(true);
    expect(response.sqlStatements).toBe(1);
  });

  it('refuses a start in a closure or running into one, and books in extra hours and across the joint of two blocks', async () => {
    // In two days: hours 08:00–17:00, closed 14:00–15:00, extra hours 17:00–18:00.
    const day = DateTime.now().setZone(STOCKHOLM).plus({ days: 2 }).toISODate()!;
    const closing = await createCentreWithSchedules(app, tenant, {
      openingHours: everyDay('08:00', '17:00'), slotMinutes: 15, services: [{ durationMinutes: 30 }],
      exceptions: [{ kind: 'CLOSED', startsLocal: `${day}T14:00`, endsLocal: `${day}T15:00` }, { kind: 'EXTRA_HOURS', startsLocal: `${day}T17:00`, endsLocal: `${day}T18:00` }],
    });
    const at = (hour: number, minute = 0) => localAt(2, hour, minute);
    const bookThere = (start: string) => book({ scheduleId: closing.scheduleIds[0], serviceId: closing.serviceIds[0], start });
    const outcome = async (start: string) => (await bookThere(start)).data!.bookAppointment.__typename;
    expect(await outcome(at(14, 15))).toBe('OutsideOpeningHours');
    expect(await outcome(at(13, 45))).toBe('OutsideOpeningHours');
    expect(await outcome(at(16, 45))).toBe('Appointment');
    expect(await outcome(at(17, 30))).toBe('Appointment');
    expect(await outcome(at(17, 45))).toBe('OutsideOpeningHours');
    expect(await outcome(at(17, 20))).toBe('OffSlotGrid');

    const movable = (await bookThere(at(9))).data!.bookAppointment;
    expect(movable.__typename).toBe('Appointment');
    const moved = await reschedule(app, scheduler.token, { appointmentId: movable.id, start: at(14, 30), idempotencyKey: randomUUID() });
    expect(moved.data!.rescheduleAppointment.__typename).toBe('OutsideOpeningHours');
    const movedOut = await reschedule(app, scheduler.token, { appointmentId: movable.id, start: at(15), idempotencyKey: randomUUID() });
    expect(movedOut.data!.rescheduleAppointment).toMatchObject({ __typename: 'Appointment', id: movable.id });
  });

  it('answers NOT_FOUND for another tenant\'s schedule and changes nothing', async () => {
    const other = await createTenant(app);
    const response = await book({}, other.adminToken);
    expect(errorCode(response)).toBe('NOT_FOUND');
    const data = await gqlOk(app, '{ appointments(first: 100) { nodes { id } } }', {}, other.adminToken);
    expect(data.appointments.nodes).toEqual([]);
  });
});
