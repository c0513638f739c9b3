import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { withPgClient } from '../../src/db/pg-client';
import { SCHEDULE_BOOKING_LOCK_PREFIX } from '../../src/services/scheduling/schedule-booking-lock.sql';
import { gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentreWithSchedules, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';

/**
 * Many clients race for one slot: the database (the exclusion constraint, the unique idempotency
 * key) decides, whatever the number of requests and servers. Real HTTP, real PostgreSQL.
 */

const BOOK = `mutation($input: BookAppointmentInput!) {
  bookAppointment(input: $input) {
    __typename
    ... on Appointment { id start end status patientId }
    ... on SlotUnavailable { message } ... on OutsideOpeningHours { message } ... on OffSlotGrid { message }
    ... on InThePast { message } ... on ServiceNotOffered { message } ... on PatientNotFound { message }
  }
}`;

const RESCHEDULE = `mutation($input: RescheduleAppointmentInput!) {
  rescheduleAppointment(input: $input) { __typename ... on Appointment { id start } }
}`;

type BookResponse = GraphQLResponse<{ bookAppointment: { __typename: string; id?: string; start?: string; end?: string; patientId?: string } }>;

/** A slot in June 2027 (well in the future), 08:00–17:00 opening hours, 15-minute slots, a 30-minute service. */
const slotAt = (day: number, time: string): string =>
  DateTime.fromISO(`2027-06-${String(day).padStart(2, '0')}T${time}`, { zone: 'Europe/Stockholm' }).toUTC().toISO({ suppressMilliseconds: true })!;

describe('concurrent bookings of one slot', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let scheduler: { token: string };

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    scheduler = await createStaff(app, tenant, ['SCHEDULER']);
  });
  afterAll(() => app.close());

  const newCentre = () =>
    createCentreWithSchedules(app, tenant, { openingHours: everyDay('08:00', '17:00'), slotMinutes: 15, services: [{ durationMinutes: 30 }], practitioners: false });

  const bookOn = (target: TestServer, centre: CentreWithSchedules, start: string, overrides: Record<string, unknown> = {}): Promise<BookResponse> =>
    gql(target, BOOK, {
      input: {
        scheduleId: centre.scheduleIds[0], serviceId: centre.serviceIds[0], start, idempotencyKey: randomUUID(),
        newPatient: { familyName: 'Racer', givenName: randomUUID().slice(0, 8) }, ...overrides,
      },
    }, scheduler.token);

  /** As the database owner, past row-level security: what is really stored. */
  const sql = <Row extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> =>
    withPgClient(app.databaseUrl, async (client) => (await client.query<Row>(text, values)).rows);

  const patientCount = async (): Promise<number> =>
    Number((await sql<{ n: string }>('SELECT count(*) AS n FROM patients WHERE tenant_id = $1', [tenant.tenantId]))[0].n);

  /** Outcomes by __typename, with every GraphQL error or non-200 status counted as 'error'. */
  function tally(responses: BookResponse[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const response of responses) {
      const kind = response.status !== 200 || response.errors?.length || !response.data
        ? `error ${response.status} ${JSON.stringify(response.errors?.map((e) => e.extensions?.code ?? e.message))}`
        : response.data.bookAppointment.__typename;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return counts;
  }

  /** Exactly one non-cancelled appointment for the schedule, seen through the API and in the table. */
  async function expectExactlyOneAppointment(centre: CentreWithSchedules, winner: { id?: string; start?: string; end?: string }): Promise<void> {
    const listed = await gqlOk<{ appointments: { nodes: Array<{ id: string; status: string; start: string }> } }>(
      app, 'query($f: AppointmentFilterInput) { appointments(filter: $f, first: 100) { nodes { id status start } } }',
      { f: { scheduleId: centre.scheduleIds[0] } }, scheduler.token,
    );
    expect(listed.appointments.nodes.filter((node) => node.status !== 'CANCELLED')).toEqual([{ id: winner.id, status: 'BOOKED', start: winner.start }]);
    const rows = await sql<{ id: string; starts_at: Date; ends_at: Date }>(
      `SELECT id, starts_at, ends_at FROM appointments WHERE tenant_id = $1 AND schedule_id = $2 AND status <> 'CANCELLED'`,
      [tenant.tenantId, centre.scheduleIds[0]],
    );
    expect(rows.map((row) => ({ id: row.id, start: row.starts_at.toISOString(), end: row.ends_at.toISOString() })))
      .toEqual([{ id: winner.id, start: new Date(winner.start!).toISOString(), end: new Date(winner.end!).toISOString() }]);
    const history = await sql<{ n: string }>(
      'SELECT count(*) AS n FROM appointment_changes WHERE tenant_id = $1 AND appointment_id = $2', [tenant.tenantId, winner.id],
    );
    expect(Number(history[0].n)).toBe(1);
  }

  it('100 requests with different keys and new patients: 1 Appointment, 99 SlotUnavailable, no other error, 1 row, no orphan patient', async () => {
    const centre = await newCentre();
    const start = slotAt(1, '10:00');
    const patientsBefore = await patientCount();

    const responses = await Promise.all(Array.from({ length: 100 }, () => bookOn(app, centre, start)));

    expect(tally(responses)).toEqual({ Appointment: 1, SlotUnavailable: 99 });
    const winner = responses.find((response) => response.data?.bookAppointment.__typename === 'Appointment')!.data!.bookAppointment;
    expect(winner.start).toBe(start);
    await expectExactlyOneAppointment(centre, winner);
    // The losers' new patients were inserted by the same statement that failed: rolled back with it.
    expect(await patientCount()).toBe(patientsBefore + 1);
    expect(await sql('SELECT 1 FROM patients WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, winner.patientId])).toHaveLength(1);
  }, 60_000);

  it('100 requests for overlapping times (the slot and the next, 30-minute service): still exactly 1 appointment', async () => {
    const centre = await newCentre();
    const starts = [slotAt(2, '10:00'), slotAt(2, '10:15')];
    const responses = await Promise.all(Array.from({ length: 100 }, (_, index) => bookOn(app, centre, starts[index % 2])));
    expect(tally(responses)).toEqual({ Appointment: 1, SlotUnavailable: 99 });
    const winner = responses.find((response) => response.data?.bookAppointment.__typename === 'Appointment')!.data!.bookAppointment;
    await expectExactlyOneAppointment(centre, winner);
  }, 60_000);

  describe('across two server instances on one database', () => {
    let second: TestServer;

    beforeAll(async () => {
      second = await startTestServer({ databaseUrl: app.databaseUrl });
    });
    afterAll(() => second.close());

    it('50 requests to each: 1 Appointment, 99 SlotUnavailable, no other error, 1 row, no orphan patient', async () => {
      const centre = await newCentre();
      const start = slotAt(3, '11:30');
      const patientsBefore = await patientCount();

      const responses = await Promise.all(Array.from({ length: 100 }, (_, index) => bookOn(index % 2 === 0 ? app : second, centre, start)));

      expect(tally(responses)).toEqual({ Appointment: 1, SlotUnavailable: 99 });
      const winner = responses.find((response) => response.data?.bookAppointment.__typename === 'Appointment')!.data!.bookAppointment;
      await expectExactlyOneAppointment(centre, winner);
      expect(await patientCount()).toBe(patientsBefore + 1);
    }, 60_000);

    it('the same idempotency key on both servers at once: one appointment, every answer the same', async () => {
      const centre = await newCentre();
      const input = { start: slotAt(3, '14:00'), idempotencyKey: `race-${randomUUID()}`, newPatient: { familyName: 'Twice', givenName: 'Sent' } };
      const responses = await Promise.all(Array.from({ length: 20 }, (_, index) => bookOn(index % 2 === 0 ? app : second, centre, input.start, input)));
      expect(tally(responses)).toEqual({ Appointment: 20 });
      const ids = new Set(responses.map((response) => response.data!.bookAppointment.id));
      expect(ids.size).toBe(1);
      await expectExactlyOneAppointment(centre, responses[0].data!.bookAppointment);
    }, 60_000);
  });

  describe('20 concurrent requests with the same idempotency key and the same input', () => {
    it('all answer the same appointment; one appointment row, one history entry, one new patient', async () => {
      const centre = await newCentre();
      const input = { start: slotAt(4, '09:00'), idempotencyKey: `same-${randomUUID()}`, newPatient: { familyName: 'Same', givenName: 'Key' } };
      const patientsBefore = await patientCount();

      const responses = await Promise.all(Array.from({ length: 20 }, () => bookOn(app, centre, input.start, input)));

      expect(tally(responses)).toEqual({ Appointment: 20 });
      const ids = new Set(responses.map((response) => response.data!.bookAppointment.id));
      expect(ids.size).toBe(1);
      const winner = responses[0].data!.bookAppointment;
      await expectExactlyOneAppointment(centre, winner);
      const keyed = await sql<{ n: string }>('SELECT count(*) AS n FROM appointment_changes WHERE tenant_id = $1 AND idempotency_key = $2', [tenant.tenantId, input.idempotencyKey]);
      expect(Number(keyed[0].n)).toBe(1);
      expect(await patientCount()).toBe(patientsBefore + 1);
    }, 60_000);

    it('also when the new patient has a personal identity number (a repeat, not "a patient with this number exists")', async () => {
      // The race is narrow: run it a few times (fresh slot, key and number each round) so a fault shows reliably.
      const centre = await newCentre();
      for (const time of ['08:00', '10:00', '12:00', '14:00', '16:00']) {
        const personalIdentityNumber = `19${randomUUID().replace(/\D/g, '').slice(0, 10)}`;
        const input = { start: slotAt(4, time), idempotencyKey: `pin-${randomUUID()}`, newPatient: { familyName: 'Same', givenName: 'Number', personalIdentityNumber } };
        const responses = await Promise.all(Array.from({ length: 20 }, () => bookOn(app, centre, input.start, input)));
        expect({ round: time, outcomes: tally(responses) }).toEqual({ round: time, outcomes: { Appointment: 20 } });
        expect(new Set(responses.map((response) => response.data?.bookAppointment.id)).size).toBe(1);
        expect(await sql('SELECT 1 FROM patients WHERE tenant_id = $1 AND personal_identity_number = $2', [tenant.tenantId, personalIdentityNumber])).toHaveLength(1);
      }
    }, 60_000);
  });

  /**
   * Bookings and reschedules into one schedule take its booking lock before they write: concurrent
   * inserts into one slot then never deadlock inside the exclusion constraint's check (each
   * deadlock cost deadlock_timeout, 1 s, and 64 clients on one slot waited up to 42 s).
   */
  describe("the schedule's booking lock", () => {
    /**
     * Holds the lock from another connection while `act` runs, until a request is seen waiting for
     * it or `act` has answered; then releases it and returns what happened.
     */
    async function whileLockHeld<T>(scheduleId: string, act: () => Promise<T>): Promise<{ waited: boolean; answeredWhileHeld: boolean; result: T }> {
      return withPgClient(app.databaseUrl, async (client) => {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [SCHEDULE_BOOKING_LOCK_PREFIX + scheduleId]);
        let answered = false;
        const pending = act().finally(() => (answered = true));
        let waited = false;
        for (let attempt = 0; attempt < 500 && !waited && !answered; attempt++) {
          const { rows } = await client.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND pid <> pg_backend_pid()`,
          );
          waited = rows.length > 0;
          if (!waited) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const answeredWhileHeld = answered;
        await client.query('COMMIT');
        return { waited, answeredWhileHeld, result: await pending };
      });
    }

    it('a booking waits for it, then books', async () => {
      const centre = await newCentre();
      const { waited, answeredWhileHeld, result } = await whileLockHeld(centre.scheduleIds[0], () => bookOn(app, centre, slotAt(5, '09:00')));
      expect({ waited, answeredWhileHeld }).toEqual({ waited: true, answeredWhileHeld: false });
      expect(tally([result])).toEqual({ Appointment: 1 });
    }, 30_000);

    it('a reschedule waits for it, then moves the appointment', async () => {
      const centre = await newCentre();
      const booked = (await bookOn(app, centre, slotAt(5, '11:00'))).data!.bookAppointment;
      const { waited, answeredWhileHeld, result } = await whileLockHeld(centre.scheduleIds[0], () =>
        gql<{ rescheduleAppointment: { __typename: string; start?: string } }>(app, RESCHEDULE, {
          input: { appointmentId: booked.id, start: slotAt(5, '13:00'), idempotencyKey: randomUUID() },
        }, scheduler.token));
      expect({ waited, answeredWhileHeld }).toEqual({ waited: true, answeredWhileHeld: false });
      expect(result.data?.rescheduleAppointment).toEqual({ __typename: 'Appointment', id: booked.id, start: slotAt(5, '13:00') });
    }, 30_000);

    it('a booking in another schedule does not wait for it', async () => {
      const centre = await newCentre();
      const other = await newCentre();
      const { waited, answeredWhileHeld, result } = await whileLockHeld(centre.scheduleIds[0], () => bookOn(app, other, slotAt(5, '09:00')));
      expect({ waited, answeredWhileHeld }).toEqual({ waited: false, answeredWhileHeld: true });
      expect(tally([result])).toEqual({ Appointment: 1 });
    }, 30_000);
  });
});
