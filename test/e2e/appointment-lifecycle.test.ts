import { randomBytes } from 'node:crypto';
import { TRANSITIONS, RESCHEDULABLE } from '../../src/services/scheduling/appointment-state-machine';
import { errorCode, gql, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentreWithSchedules, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import {
  APPOINTMENTS, PATIENTS, SlotAllocator, appointmentQuery, STATUSES, book, bookOk, cancel, changeStatus, confirm, createPatient, errorFields, key,
  localAt, plusMinutes, sameInstant, readAppointment, readPatient, reschedule, snapshot, updatePatient, type AppointmentData, type PatientData, type Status,
} from '../support/scheduling';

/**
 * The life of an appointment through the public API: the state machine (every legal move writes
 * who/what/when, every illegal one is a CONFLICT that changes nothing), rescheduling, idempotency,
 * cancellation, input validation and roles. The transitions are generated from TRANSITIONS.
 */

const LEGAL: Array<[Status, Status]> = STATUSES.flatMap((from) => TRANSITIONS[from].map((to): [Status, Status] => [from, to]));
const ILLEGAL: Array<[Status, Status]> = STATUSES.flatMap((from) => STATUSES.filter((to) => !TRANSITIONS[from].includes(to)).map((to): [Status, Status] => [from, to]));

/** Mutations that can ask for a status: the generic one for all, plus the dedicated ones. */
type Route = 'changeAppointmentStatus' | 'confirmAppointment' | 'cancelAppointment';
const routesTo = (to: Status): Route[] =>
  to === 'CONFIRMED' ? ['changeAppointmentStatus', 'confirmAppointment'] : to === 'CANCELLED' ? ['changeAppointmentStatus', 'cancelAppointment'] : ['changeAppointmentStatus'];
const ILLEGAL_BY_ROUTE: Array<[Status, Status, Route]> = ILLEGAL.flatMap(([from, to]) => routesTo(to).map((route): [Status, Status, Route] => [from, to, route]));

/** Shortest path of statuses from BOOKED to each status, along TRANSITIONS. */
const PATH_TO: Record<Status, Status[]> = (() => {
  const paths = { BOOKED: [] } as unknown as Record<Status, Status[]>;
  const queue: Status[] = ['BOOKED'];
  while (queue.length) {
    const from = queue.shift()!;
    for (const to of TRANSITIONS[from]) {
      if (paths[to]) continue;
      paths[to] = [...paths[from], to];
      queue.push(to);
    }
  }
  return paths;
})();

const withoutTypename = ({ __typename: _typename, ...rest }: AppointmentData): AppointmentData => rest;

/** A marker that never occurs by chance in a response (not hex, not a word). */
const marker = () => `Zq${randomBytes(6).toString('hex')}Qz`;

describe('appointment lifecycle', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let scheduler: { userId: string; token: string };
  let viewer: { userId: string; token: string };
  let centre: CentreWithSchedules;
  /** Schedule 0 is used by rescheduling tests (they need free times on the same schedule); schedule 1 by the rest. */
  let rescheduleSlots: SlotAllocator;
  let slots: SlotAllocator;
  let serviceId: string;

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    scheduler = await createStaff(app, tenant, ['SCHEDULER']);
    viewer = await createStaff(app, tenant, ['VIEWER']);
    centre = await createCentreWithSchedules(app, tenant, { schedules: 2, openingHours: everyDay('08:00', '17:00'), slotMinutes: 15, services: [{ durationMinutes: 30 }] });
    serviceId = centre.serviceIds[0]!;
    rescheduleSlots = new SlotAllocator([centre.scheduleIds[0]!], { firstDay: 2 });
    slots = new SlotAllocator([centre.scheduleIds[1]!], { firstDay: 2 });
  });
  afterAll(() => app?.close());

  const newAppointment = (where = slots.next(), familyName = 'Lifecycle') =>
    bookOk(app, scheduler.token, { ...where, serviceId, newPatient: { familyName, givenName: 'Test' } });

  async function move(id: string, status: Status): Promise<AppointmentData> {
    const response = await changeStatus(app, scheduler.token, { appointmentId: id, status });
    if (response.errors) throw new Error(`could not move ${id} to ${status}: ${JSON.stringify(response.errors)}`);
    return response.data!.changeAppointmentStatus;
  }

  /** A fresh appointment brought to `status` along legal moves. */
  async function appointmentIn(status: Status, where?: { scheduleId: string; start: string }): Promise<AppointmentData> {
    const booked = await newAppointment(where);
    for (const step of PATH_TO[status]) await move(booked.id, step);
    const current = await readAppointment(app, scheduler.token, booked.id);
    expect(current.status).toBe(status);
    return current;
  }

  const run = (route: Route, appointmentId: string, to: Status, idempotencyKey?: string): Promise<GraphQLResponse> => {
    if (route === 'confirmAppointment') return confirm(app, scheduler.token, { appointmentId, idempotencyKey });
    if (route === 'cancelAppointment') return cancel(app, scheduler.token, { appointmentId, reasonCode: 'PATIENT_REQUEST', reasonText: 'Called in', idempotencyKey: idempotencyKey ?? key() });
    return changeStatus(app, scheduler.token, { appointmentId, status: to, idempotencyKey });
  };

  const expectRecentInstant = (instant: string, notBefore: number) => {
    const at = Date.parse(instant);
    expect(at).toBeGreaterThanOrEqual(notBefore - 2000);
    expect(at).toBeLessThanOrEqual(Date.now() + 2000);
  };

  describe('the state machine', () => {
    it('covers every status in TRANSITIONS, and CANCELLED, FULFILLED and NO_SHOW are final', () => {
      expect(Object.keys(TRANSITIONS).sort()).toEqual([...STATUSES].sort());
      for (const final of ['CANCELLED', 'FULFILLED', 'NO_SHOW'] as const) expect(TRANSITIONS[final]).toEqual([]);
      for (const status of STATUSES) expect(PATH_TO[status]).toBeDefined();
      expect(LEGAL.length + ILLEGAL.length).toBe(36);
    });

    it('books as BOOKED with one BOOKED history entry naming the actor', async () => {
      const before = Date.now();
      const appointment = await newAppointment();
      expect(appointment.status).toBe('BOOKED');
      expect(appointment.history).toHaveLength(1);
      expect(appointment.history[0]).toMatchObject({
        action: 'BOOKED', actorKind: 'STAFF_USER', actorId: scheduler.userId, fromStatus: null, toStatus: 'BOOKED', start: appointment.start, end: appointment.end,
      });
      expectRecentInstant(appointment.history[0]!.occurredAt, before);
    });

    it.each(LEGAL)('moves %s → %s with changeAppointmentStatus and writes who, what and when', async (from, to) => {
      const before = await appointmentIn(from);
      const startedAt = Date.now();
      const response = await changeStatus(app, scheduler.token, { appointmentId: before.id, status: to });
      expect(response.errors).toBeUndefined();
      const after = response.data!.changeAppointmentStatus;
      expect(after).toMatchObject({ id: before.id, status: to, start: before.start, end: before.end, createdAt: before.createdAt });
      expect(after.history).toHaveLength(before.history.length + 1);
      expect(after.history.slice(0, -1)).toEqual(before.history);
      const entry = after.history.at(-1)!;
      expect(entry).toMatchObject({ action: 'STATUS_CHANGED', actorKind: 'STAFF_USER', actorId: scheduler.userId, fromStatus: from, toStatus: to, start: before.start, end: before.end });
      expectRecentInstant(entry.occurredAt, startedAt);
      expect(Date.parse(entry.occurredAt)).toBeGreaterThanOrEqual(Date.parse(before.history.at(-1)!.occurredAt));
      expect(await readAppointment(app, scheduler.token, before.id)).toEqual(after);
    });

    it('confirms with confirmAppointment (BOOKED → CONFIRMED), with a history entry', async () => {
      const before = await appointmentIn('BOOKED');
      const response = await confirm(app, scheduler.token, { appointmentId: before.id });
      expect(response.errors).toBeUndefined();
      const after = response.data!.confirmAppointment;
      expect(after.status).toBe('CONFIRMED');
      expect(after.history.at(-1)).toMatchObject({ action: 'STATUS_CHANGED', fromStatus: 'BOOKED', toStatus: 'CONFIRMED', actorId: scheduler.userId });
      expect(after.history).toHaveLength(2);
    });

    it.each(['BOOKED', 'CONFIRMED'] as const)('cancels with cancelAppointment from %s, with a history entry', async (from) => {
      const before = await appointmentIn(from);
      const response = await cancel(app, scheduler.token, { appointmentId: before.id, reasonCode: 'CLINIC_UNAVAILABLE', idempotencyKey: key() });
      expect(response.errors).toBeUndefined();
      const after = response.data!.cancelAppointment;
      expect(after).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'CLINIC_UNAVAILABLE', reasonText: null } });
      expect(after.history).toHaveLength(before.history.length + 1);
      expect(after.history.at(-1)).toMatchObject({ action: 'STATUS_CHANGED', fromStatus: from, toStatus: 'CANCELLED', actorId: scheduler.userId });
    });

    it('records the ADMIN as the actor when the ADMIN acts', async () => {
      const before = await appointmentIn('BOOKED');
      const response = await changeStatus(app, tenant.adminToken, { appointmentId: before.id, status: 'ARRIVED' });
      expect(response.errors).toBeUndefined();
      expect(response.data!.changeAppointmentStatus.history.at(-1)).toMatchObject({ actorKind: 'STAFF_USER', actorId: tenant.adminUserId, toStatus: 'ARRIVED' });
    });

    it.each(ILLEGAL_BY_ROUTE)('refuses %s → %s (%s) with CONFLICT ILLEGAL_TRANSITION and changes nothing', async (from, to, route) => {
      const before = await appointmentIn(from);
      const response = await run(route, before.id, to, key());
      expect(errorCode(response)).toBe('CONFLICT');
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ILLEGAL_TRANSITION', currentStatus: from });
      expect(response.data ?? null).toBeNull();
      expect(await readAppointment(app, scheduler.token, before.id)).toEqual(before);
    });

    it('does not consume the idempotency key of a refused change: the same key then works for a legal one', async () => {
      const fulfilled = await appointmentIn('FULFILLED');
      const booked = await appointmentIn('BOOKED');
      const sharedKey = key();
      expect(errorCode(await changeStatus(app, scheduler.token, { appointmentId: fulfilled.id, status: 'NO_SHOW', idempotencyKey: sharedKey }))).toBe('CONFLICT');
      const response = await changeStatus(app, scheduler.token, { appointmentId: booked.id, status: 'NO_SHOW', idempotencyKey: sharedKey });
      expect(response.errors).toBeUndefined();
      expect(response.data!.changeAppointmentStatus.status).toBe('NO_SHOW');
    });
  });

  describe('rescheduling', () => {
    const freeTime = () => rescheduleSlots.next().start;
    const onSchedule0 = () => rescheduleSlots.next();

    it('keeps the id and history, moves the time, adds a RESCHEDULED entry and frees the old time', async () => {
      const before = await appointmentIn('BOOKED', onSchedule0());
      const target = freeTime();
      const startedAt = Date.now();
      const response = await reschedule(app, scheduler.token, { appointmentId: before.id, start: target, idempotencyKey: key() });
      expect(response.errors).toBeUndefined();
      const after = response.data!.rescheduleAppointment;
      expect(after).toMatchObject({
        __typename: 'Appointment', id: before.id, status: 'BOOKED', start: sameInstant(target), end: sameInstant(plusMinutes(target, 30)),
        createdAt: before.createdAt, patientId: before.patientId, scheduleId: before.scheduleId, serviceId: before.serviceId,
      });
      expect(after.history.slice(0, -1)).toEqual(before.history);
      const entry = after.history.at(-1)!;
      expect(entry).toMatchObject({ action: 'RESCHEDULED', actorKind: 'STAFF_USER', actorId: scheduler.userId, fromStatus: 'BOOKED', toStatus: 'BOOKED', start: sameInstant(target), end: sameInstant(plusMinutes(target, 30)) });
      expectRecentInstant(entry.occurredAt, startedAt);
      expect(await readAppointment(app, scheduler.token, before.id)).toMatchObject({ start: sameInstant(target), history: after.history });
      // The old time is free again, the new one is taken.
      const old = await book(app, scheduler.token, { scheduleId: before.scheduleId, serviceId, start: before.start, newPatient: { familyName: 'Lifecycle', givenName: 'Old' }, idempotencyKey: key() });
      expect(old.data!.bookAppointment.__typename).toBe('Appointment');
      const taken = await book(app, scheduler.token, { scheduleId: before.scheduleId, serviceId, start: target, newPatient: { familyName: 'Lifecycle', givenName: 'New' }, idempotencyKey: key() });
      expect(taken.data!.bookAppointment.__typename).toBe('SlotUnavailable');
    });

    it('returns a CONFIRMED appointment to BOOKED (the patient confirmed another time)', async () => {
      const before = await appointmentIn('CONFIRMED', onSchedule0());
      const target = freeTime();
      const response = await reschedule(app, scheduler.token, { appointmentId: before.id, start: target, idempotencyKey: key() });
      expect(response.errors).toBeUndefined();
      const after = response.data!.rescheduleAppointment;
      expect(after).toMatchObject({ id: before.id, status: 'BOOKED', start: sameInstant(target) });
      expect(after.history.map((h) => h.action)).toEqual(['BOOKED', 'STATUS_CHANGED', 'RESCHEDULED']);
      expect(after.history.at(-1)).toMatchObject({ fromStatus: 'CONFIRMED', toStatus: 'BOOKED' });
    });

    it('may move an appointment onto part of its own old time (it does not collide with itself)', async () => {
      const before = await appointmentIn('BOOKED', onSchedule0());
      rescheduleSlots.next(); // keep the next 30 minutes free
      const target = plusMinutes(before.start, 15);
      const response = await reschedule(app, scheduler.token, { appointmentId: before.id, start: target, idempotencyKey: key() });
      expect(response.errors).toBeUndefined();
      expect(response.data!.rescheduleAppointment).toMatchObject({ __typename: 'Appointment', start: sameInstant(target) });
    });

    const refusals: Array<[string, string, (appointment: AppointmentData, other: AppointmentData) => string]> = [
      ['a taken time', 'SlotUnavailable', (_a, other) => other.start],
      ['a time overlapping another appointment', 'SlotUnavailable', (_a, other) => plusMinutes(other.start, 15)],
      ['an off-grid start (10:05)', 'OffSlotGrid', () => localAt(3, 10, 5)],
      ['a start outside the opening hours (20:00)', 'OutsideOpeningHours', () => localAt(3, 20)],
      ['an end after closing (16:45 + 30 min)', 'OutsideOpeningHours', () => localAt(3, 16, 45)],
      ['a start before opening (07:30)', 'OutsideOpeningHours', () => localAt(3, 7, 30)],
      ['the past', 'InThePast', () => localAt(-1, 9)],
    ];
    it.each(refusals)('refuses %s with %s and changes nothing', async (_name, typename, target) => {
      const appointment = await appointmentIn('CONFIRMED', onSchedule0());
      const other = await newAppointment(onSchedule0());
      rescheduleSlots.next();
      rescheduleSlots.next();
      const idempotencyKey = key();
      const response = await reschedule(app, scheduler.token, { appointmentId: appointment.id, start: target(appointment, other), idempotencyKey });
      expect(response.errors).toBeUndefined();
      expect(response.data!.rescheduleAppointment.__typename).toBe(typename);
      expect(await readAppointment(app, scheduler.token, appointment.id)).toEqual(appointment);
      expect(await readAppointment(app, scheduler.token, other.id)).toEqual(other);
    });

    it.each(STATUSES.filter((status) => !RESCHEDULABLE.includes(status)))('refuses to reschedule a %s appointment with CONFLICT and changes nothing', async (status) => {
      const before = await appointmentIn(status, onSchedule0());
      const response = await reschedule(app, scheduler.token, { appointmentId: before.id, start: freeTime(), idempotencyKey: key() });
      expect(errorCode(response)).toBe('CONFLICT');
      expect(response.errors![0]!.extensions).toMatchObject({ reason: 'ILLEGAL_TRANSITION', currentStatus: status });
      expect(response.data ?? null).toBeNull();
      expect(await readAppointment(app, scheduler.token, before.id)).toEqual(before);
    });

    it('answers NOT_FOUND for an unknown appointment', async () => {
      const response = await reschedule(app, scheduler.token, { appointmentId: '00000000-0000-4000-8000-000000000000', start: freeTime(), idempotencyKey: key() });
      expect(errorCode(response)).toBe('NOT_FOUND');
    });
  });

  describe('idempotency', () => {
    const atTime = (where: { scheduleId: string; start: string }) =>
      gql<{ appointments: { nodes: AppointmentData[] } }>(app, APPOINTMENTS,
        { filter: { scheduleId: where.scheduleId, from: where.start, to: plusMinutes(where.start, 30) }, first: 10 }, scheduler.token);

    it('bookAppointment: the same key and input give the same appointment once; other input is a CONFLICT', async () => {
      const where = slots.next();
      const familyName = `Idem${marker()}`;
      const input = { ...where, serviceId, newPatient: { familyName, givenName: 'Once' }, idempotencyKey: key() };
      const first = await book(app, scheduler.token, input);
      const again = await book(app, scheduler.token, input);
      expect(first.data!.bookAppointment.__typename).toBe('Appointment');
      expect(again.errors).toBeUndefined();
      expect(again.data!.bookAppointment).toEqual(first.data!.bookAppointment);
      expect(again.data!.bookAppointment.history).toHaveLength(1);
      expect((await atTime(where)).data!.appointments.nodes.map((a) => a.id)).toEqual([first.data!.bookAppointment.id]);
      expect(await searchCount(familyName)).toBe(1);

      const elsewhere = slots.next();
      const other = await book(app, scheduler.token, { ...input, start: elsewhere.start });
      expect(errorCode(other)).toBe('CONFLICT');
      expect(other.data ?? null).toBeNull();
      expect((await atTime({ scheduleId: where.scheduleId, start: elsewhere.start })).data!.appointments.nodes).toEqual([]);
      expect(await searchCount(familyName)).toBe(1);
      expect(await readAppointment(app, scheduler.token, first.data!.bookAppointment.id)).toEqual(withoutTypename(first.data!.bookAppointment));
    });

    it('rescheduleAppointment: the same key and input move once; another start with that key is a CONFLICT', async () => {
      const before = await appointmentIn('BOOKED', rescheduleSlots.next());
      const target = rescheduleSlots.next().start;
      const input = { appointmentId: before.id, start: target, idempotencyKey: key() };
      const first = await reschedule(app, scheduler.token, input);
      const again = await reschedule(app, scheduler.token, input);
      expect(first.data!.rescheduleAppointment).toMatchObject({ __typename: 'Appointment', start: sameInstant(target) });
      expect(again.errors).toBeUndefined();
      expect(again.data!.rescheduleAppointment).toEqual(first.data!.rescheduleAppointment);
      expect(again.data!.rescheduleAppointment.history.map((h) => h.action)).toEqual(['BOOKED', 'RESCHEDULED']);
      const other = await reschedule(app, scheduler.token, { ...input, start: rescheduleSlots.next().start });
      expect(errorCode(other)).toBe('CONFLICT');
      expect(await readAppointment(app, scheduler.token, before.id)).toEqual(withoutTypename(first.data!.rescheduleAppointment));
    });

    it('cancelAppointment: the same key and input cancel once (no ILLEGAL_TRANSITION on the repeat); another reason is a CONFLICT', async () => {
      const before = await appointmentIn('BOOKED');
      const input = { appointmentId: before.id, reasonCode: 'PATIENT_REQUEST', reasonText: 'Travelling', idempotencyKey: key() };
      const first = await cancel(app, scheduler.token, input);
      const again = await cancel(app, scheduler.token, input);
      expect(first.data!.cancelAppointment.status).toBe('CANCELLED');
      expect(again.errors).toBeUndefined();
      expect(again.data!.cancelAppointment).toEqual(first.data!.cancelAppointment);
      expect(again.data!.cancelAppointment.history).toHaveLength(2);
      const other = await cancel(app, scheduler.token, { ...input, reasonCode: 'CLINIC_UNAVAILABLE' });
      expect(errorCode(other)).toBe('CONFLICT');
      expect(await readAppointment(app, scheduler.token, before.id)).toEqual(first.data!.cancelAppointment);
    });

    it('confirmAppointment: the same key and input confirm once; the key on another appointment is a CONFLICT', async () => {
      const one = await appointmentIn('BOOKED');
      const two = await appointmentIn('BOOKED');
      const idempotencyKey = key();
      const first = await confirm(app, scheduler.token, { appointmentId: one.id, idempotencyKey });
      const again = await confirm(app, scheduler.token, { appointmentId: one.id, idempotencyKey });
      expect(first.data!.confirmAppointment.status).toBe('CONFIRMED');
      expect(again.errors).toBeUndefined();
      expect(again.data!.confirmAppointment).toEqual(first.data!.confirmAppointment);
      expect(again.data!.confirmAppointment.history).toHaveLength(2);
      const other = await confirm(app, scheduler.token, { appointmentId: two.id, idempotencyKey });
      expect(errorCode(other)).toBe('CONFLICT');
      expect(await readAppointment(app, scheduler.token, two.id)).toEqual(two);
    });

    it('changeAppointmentStatus: the same key and input change once', async () => {
      const before = await appointmentIn('BOOKED');
      const input = { appointmentId: before.id, status: 'ARRIVED', idempotencyKey: key() };
      const first = await changeStatus(app, scheduler.token, input);
      const again = await changeStatus(app, scheduler.token, input);
      expect(again.errors).toBeUndefined();
      expect(again.data!.changeAppointmentStatus).toEqual(first.data!.changeAppointmentStatus);
      expect(again.data!.changeAppointmentStatus.history).toHaveLength(2);
      expect(errorCode(await changeStatus(app, scheduler.token, { ...input, status: 'NO_SHOW' }))).toBe('CONFLICT');
    });

    it('treats a booking key reused for a cancellation as a CONFLICT (one key space)', async () => {
      const idempotencyKey = key();
      const booked = await bookOk(app, scheduler.token, { ...slots.next(), serviceId, newPatient: { familyName: 'Lifecycle', givenName: 'Key' }, idempotencyKey });
      const response = await cancel(app, scheduler.token, { appointmentId: booked.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey });
      expect(errorCode(response)).toBe('CONFLICT');
      expect(await readAppointment(app, scheduler.token, booked.id)).toEqual(booked);
    });

    describe('concurrent repeats (a client retrying while the first request is still running)', () => {
      // The race is real but not certain in one try: several rounds of several requests make it near-certain.
      const PARALLEL = 8;
      const ROUNDS = 3;
      const settle = (responses: GraphQLResponse[], field: string) => responses.map((r) => ({ code: errorCode(r) ?? null, requestId: r.errors?.[0]?.extensions?.requestId, value: r.data?.[field] ?? null }));

      it('bookAppointment: parallel repeats of one key and input book once and all answer that appointment', async () => {
        const input = { ...slots.next(), serviceId, newPatient: { familyName: `Idem${marker()}`, givenName: 'Parallel' }, idempotencyKey: key() };
        const responses = await Promise.all(Array.from({ length: PARALLEL }, () => book(app, scheduler.token, input)));
        const outcomes = settle(responses, 'bookAppointment');
        expect(outcomes.map((o) => o.code)).toEqual(Array(PARALLEL).fill(null));
        expect(new Set(outcomes.map((o) => (o.value as AppointmentData).id)).size).toBe(1);
        expect(await searchCount(input.newPatient.familyName)).toBe(1);
      });

      it.each([
        ['cancelAppointment', 'cancelAppointment', (id: string, k: string) => cancel(app, scheduler.token, { appointmentId: id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: k })],
        ['confirmAppointment', 'confirmAppointment', (id: string, k: string) => confirm(app, scheduler.token, { appointmentId: id, idempotencyKey: k })],
        ['changeAppointmentStatus', 'changeAppointmentStatus', (id: string, k: string) => changeStatus(app, scheduler.token, { appointmentId: id, status: 'ARRIVED', idempotencyKey: k })],
      ] as const)('%s: parallel repeats of one key and input change once and all answer the changed appointment', async (_name, field, call) => {
        for (let round = 0; round < ROUNDS; round++) {
          const before = await appointmentIn('BOOKED');
          const idempotencyKey = key();
          const responses = await Promise.all(Array.from({ length: PARALLEL }, () => call(before.id, idempotencyKey)));
          const outcomes = settle(responses, field);
          expect(outcomes.map((o) => o.code)).toEqual(Array(PARALLEL).fill(null));
          const after = await readAppointment(app, scheduler.token, before.id);
          expect(after.history).toHaveLength(2);
          for (const outcome of outcomes) expect(outcome.value).toEqual(after);
        }
      });

      it('rescheduleAppointment: parallel repeats of one key and input move once and all answer the moved appointment', async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const before = await appointmentIn('BOOKED', rescheduleSlots.next());
          const input = { appointmentId: before.id, start: rescheduleSlots.next().start, idempotencyKey: key() };
          const responses = await Promise.all(Array.from({ length: PARALLEL }, () => reschedule(app, scheduler.token, input)));
          const outcomes = settle(responses, 'rescheduleAppointment');
          expect(outcomes.map((o) => o.code)).toEqual(Array(PARALLEL).fill(null));
          const after = await readAppointment(app, scheduler.token, before.id);
          expect(after.history.map((h) => h.action)).toEqual(['BOOKED', 'RESCHEDULED']);
          for (const outcome of outcomes) expect(withoutTypename(outcome.value as AppointmentData)).toEqual(after);
        }
      });
    });
  });

  async function searchCount(search: string): Promise<number> {
    const response = await gql<{ patients: { nodes: PatientData[] } }>(app, PATIENTS, { search, first: 100 }, scheduler.token);
    return response.data!.patients.nodes.length;
  }

  describe('cancellation', () => {
    it('stores the reason code and text, and frees the time for a new booking', async () => {
      const where = slots.next();
      const before = await newAppointment(where);
      const response = await cancel(app, scheduler.token, { appointmentId: before.id, reasonCode: 'PATIENT_REQUEST', reasonText: 'Feeling better', idempotencyKey: key() });
      expect(response.errors).toBeUndefined();
      expect(response.data!.cancelAppointment).toMatchObject({ id: before.id, status: 'CANCELLED', cancellation: { reasonCode: 'PATIENT_REQUEST', reasonText: 'Feeling better' } });
      expect(await readAppointment(app, scheduler.token, before.id)).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'PATIENT_REQUEST', reasonText: 'Feeling better' } });
      const rebooked = await book(app, scheduler.token, { ...where, serviceId, newPatient: { familyName: 'Lifecycle', givenName: 'Next' }, idempotencyKey: key() });
      expect(rebooked.errors).toBeUndefined();
      expect(rebooked.data!.bookAppointment).toMatchObject({ __typename: 'Appointment', start: sameInstant(where.start), status: 'BOOKED' });
      expect(rebooked.data!.bookAppointment.id).not.toBe(before.id);
    });

    it('does not show a cancellation on an appointment that was never cancelled', async () => {
      expect((await appointmentIn('FULFILLED')).cancellation).toBeNull();
    });
  });

  describe('bad input', () => {
    let appointment: AppointmentData;
    let patient: PatientData;
    let otherPatient: PatientData;
    const PREFIXES = ['probe'];

    beforeAll(async () => {
      appointment = await newAppointment(slots.next(), 'ProbeBooked');
      patient = (await createPatient(app, scheduler.token, { familyName: 'ProbeExisting', givenName: 'Pat', personalIdentityNumber: `19700101${randomBytes(2).toString('hex')}` })).data!.createPatient;
      otherPatient = (await createPatient(app, scheduler.token, { familyName: 'ProbeOther', givenName: 'Pat', personalIdentityNumber: `19800101${randomBytes(2).toString('hex')}` })).data!.createPatient;
    });

    interface BadInputCase {
      name: string;
      field: string | string[];
      /** The submitted value that must not come back (undefined: nothing to look for, e.g. an empty string). */
      secret?: string;
      call: () => Promise<GraphQLResponse>;
    }

    const m = marker;
    const long = (length: number, secret: string) => `Probe${secret}${'x'.repeat(length)}`;
    const bookInput = (overrides: Record<string, unknown>) => ({
      scheduleId: centre.scheduleIds[1], serviceId, start: localAt(9, 10), newPatient: { familyName: 'ProbeNew', givenName: 'Pat' }, idempotencyKey: key(), ...overrides,
    });

    const cases: Array<() => BadInputCase> = [
      // bookAppointment
      () => { const s = `bad key ${m()}`; return { name: 'bookAppointment: idempotencyKey with spaces', field: 'input.idempotencyKey', secret: s, call: () => book(app, scheduler.token, bookInput({ idempotencyKey: s })) }; },
      () => ({ name: 'bookAppointment: idempotencyKey too short', field: 'input.idempotencyKey', call: () => book(app, scheduler.token, bookInput({ idempotencyKey: 'k1' })) }),
      () => { const s = `sched-${m()}`; return { name: 'bookAppointment: scheduleId not a UUID', field: 'input.scheduleId', secret: s, call: () => book(app, scheduler.token, bookInput({ scheduleId: s })) }; },
      () => { const s = `svc-${m()}`; return { name: 'bookAppointment: serviceId not a UUID', field: 'input.serviceId', secret: s, call: () => book(app, scheduler.token, bookInput({ serviceId: s })) }; },
      () => { const s = `pat-${m()}`; return { name: 'bookAppointment: patientId not a UUID', field: 'input.patientId', secret: s, call: () => book(app, scheduler.token, bookInput({ newPatient: undefined, patientId: s })) }; },
      () => ({ name: 'bookAppointment: empty newPatient.familyName', field: 'input.newPatient.familyName', call: () => book(app, scheduler.token, bookInput({ newPatient: { familyName: '', givenName: 'Pat' } })) }),
      () => { const s = m(); return { name: 'bookAppointment: newPatient.familyName too long', field: 'input.newPatient.familyName', secret: s, call: () => book(app, scheduler.token, bookInput({ newPatient: { familyName: long(100, s), givenName: 'Pat' } })) }; },
      () => { const s = m(); return { name: 'bookAppointment: newPatient.givenName too long', field: 'input.newPatient.givenName', secret: s, call: () => book(app, scheduler.token, bookInput({ newPatient: { familyName: 'ProbeNew', givenName: long(100, s) } })) }; },
      () => { const s = `call-${m()}`; return { name: 'bookAppointment: newPatient.phone not a phone number', field: 'input.newPatient.phone', secret: s, call: () => book(app, scheduler.token, bookInput({ newPatient: { familyName: 'ProbeNew', givenName: 'Pat', phone: s } })) }; },
      () => ({ name: 'bookAppointment: newPatient.personalIdentityNumber too short', field: 'input.newPatient.personalIdentityNumber', call: () => book(app, scheduler.token, bookInput({ newPatient: { familyName: 'ProbeNew', givenName: 'Pat', personalIdentityNumber: '12' } })) }),
      () => ({ name: 'bookAppointment: newPatient.personalIdentityNumber of an existing patient', field: 'input.newPatient.personalIdentityNumber', secret: patient.personalIdentityNumber!, call: () => book(app, scheduler.token, bookInput({ newPatient: { familyName: 'ProbeNew', givenName: 'Pat', personalIdentityNumber: patient.personalIdentityNumber } })) }),
      () => { const s = m(); return { name: 'bookAppointment: note too long', field: 'input.note', secret: s, call: () => book(app, scheduler.token, bookInput({ note: long(2000, s) })) }; },
      () => { const s = `next-tuesday-${m()}`; return { name: 'bookAppointment: start not an instant', field: 'input.start', secret: s, call: () => book(app, scheduler.token, bookInput({ start: s })) }; },
      () => ({ name: 'bookAppointment: start without a time zone', field: 'input.start', call: () => book(app, scheduler.token, bookInput({ start: localAt(9, 11).replace('.000Z', '') })) }),
      () => ({ name: 'bookAppointment: both patientId and newPatient', field: ['input.patientId', 'input.newPatient'], call: () => book(app, scheduler.token, bookInput({ patientId: patient.id, start: localAt(9, 12) })) }),
      () => ({ name: 'bookAppointment: neither patientId nor newPatient', field: ['input.patientId', 'input.newPatient'], call: () => book(app, scheduler.token, bookInput({ newPatient: undefined, start: localAt(9, 13) })) }),
      // rescheduleAppointment
      () => { const s = `appt-${m()}`; return { name: 'rescheduleAppointment: appointmentId not a UUID', field: 'input.appointmentId', secret: s, call: () => reschedule(app, scheduler.token, { appointmentId: s, start: localAt(9, 14), idempotencyKey: key() }) }; },
      () => { const s = `bad key ${m()}`; return { name: 'rescheduleAppointment: idempotencyKey with spaces', field: 'input.idempotencyKey', secret: s, call: () => reschedule(app, scheduler.token, { appointmentId: appointment.id, start: localAt(9, 14), idempotencyKey: s }) }; },
      () => { const s = `soon-${m()}`; return { name: 'rescheduleAppointment: start not an instant', field: 'input.start', secret: s, call: () => reschedule(app, scheduler.token, { appointmentId: appointment.id, start: s, idempotencyKey: key() }) }; },
      // cancelAppointment
      () => { const s = `appt-${m()}`; return { name: 'cancelAppointment: appointmentId not a UUID', field: 'input.appointmentId', secret: s, call: () => cancel(app, scheduler.token, { appointmentId: s, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() }) }; },
      () => { const s = `patient-asked-${m()}`; return { name: 'cancelAppointment: reasonCode not upper-case', field: 'input.reasonCode', secret: s, call: () => cancel(app, scheduler.token, { appointmentId: appointment.id, reasonCode: s, idempotencyKey: key() }) }; },
      () => { const s = m(); return { name: 'cancelAppointment: reasonText too long', field: 'input.reasonText', secret: s, call: () => cancel(app, scheduler.token, { appointmentId: appointment.id, reasonCode: 'PATIENT_REQUEST', reasonText: long(1000, s), idempotencyKey: key() }) }; },
      () => { const s = `bad key ${m()}`; return { name: 'cancelAppointment: idempotencyKey with spaces', field: 'input.idempotencyKey', secret: s, call: () => cancel(app, scheduler.token, { appointmentId: appointment.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: s }) }; },
      // confirmAppointment
      () => { const s = `appt-${m()}`; return { name: 'confirmAppointment: appointmentId not a UUID', field: 'input.appointmentId', secret: s, call: () => confirm(app, scheduler.token, { appointmentId: s }) }; },
      () => { const s = `bad key ${m()}`; return { name: 'confirmAppointment: idempotencyKey with spaces', field: 'input.idempotencyKey', secret: s, call: () => confirm(app, scheduler.token, { appointmentId: appointment.id, idempotencyKey: s }) }; },
      // changeAppointmentStatus
      () => { const s = `appt-${m()}`; return { name: 'changeAppointmentStatus: appointmentId not a UUID', field: 'input.appointmentId', secret: s, call: () => changeStatus(app, scheduler.token, { appointmentId: s, status: 'ARRIVED' }) }; },
      () => { const s = `bad key ${m()}`; return { name: 'changeAppointmentStatus: idempotencyKey with spaces', field: 'input.idempotencyKey', secret: s, call: () => changeStatus(app, scheduler.token, { appointmentId: appointment.id, status: 'ARRIVED', idempotencyKey: s }) }; },
      () => { const s = `ARRIVED_${m().toUpperCase()}`; return { name: 'changeAppointmentStatus: status not an AppointmentStatus', field: 'input.status', secret: s, call: () => changeStatus(app, scheduler.token, { appointmentId: appointment.id, status: s }) }; },
      // createPatient
      () => ({ name: 'createPatient: empty familyName', field: 'input.familyName', call: () => createPatient(app, scheduler.token, { familyName: '', givenName: 'Pat' }) }),
      () => { const s = m(); return { name: 'createPatient: familyName too long', field: 'input.familyName', secret: s, call: () => createPatient(app, scheduler.token, { familyName: long(100, s), givenName: 'Pat' }) }; },
      () => { const s = m(); return { name: 'createPatient: givenName too long', field: 'input.givenName', secret: s, call: () => createPatient(app, scheduler.token, { familyName: 'ProbeNew', givenName: long(100, s) }) }; },
      () => { const s = m(); return { name: 'createPatient: patronymic too long', field: 'input.patronymic', secret: s, call: () => createPatient(app, scheduler.token, { familyName: 'ProbeNew', givenName: 'Pat', patronymic: long(100, s) }) }; },
      () => { const s = `phone-${m()}`; return { name: 'createPatient: phone not a phone number', field: 'input.phone', secret: s, call: () => createPatient(app, scheduler.token, { familyName: 'ProbeNew', givenName: 'Pat', phone: s }) }; },
      () => ({ name: 'createPatient: personalIdentityNumber too short', field: 'input.personalIdentityNumber', call: () => createPatient(app, scheduler.token, { familyName: 'ProbeNew', givenName: 'Pat', personalIdentityNumber: '123' }) }),
      () => ({ name: 'createPatient: personalIdentityNumber of an existing patient', field: 'input.personalIdentityNumber', secret: patient.personalIdentityNumber!, call: () => createPatient(app, scheduler.token, { familyName: 'ProbeNew', givenName: 'Pat', personalIdentityNumber: patient.personalIdentityNumber }) }),
      () => { const n = 190001019876 + Math.floor(Math.random() * 1000); return { name: 'createPatient: personalIdentityNumber of the wrong type (a number)', field: 'input.personalIdentityNumber', secret: String(n), call: () => gql(app, 'mutation($input: NewPatientInput!) { createPatient(input: $input) { id } }', { input: { familyName: 'ProbeNew', givenName: 'Pat', personalIdentityNumber: n } }, scheduler.token) }; },
      () => { const s = `yes-${m()}`; return { name: 'createPatient: consents.advertisingRefused of the wrong type', field: 'input.consents.advertisingRefused', secret: s, call: () => createPatient(app, scheduler.token, { familyName: 'ProbeNew', givenName: 'Pat', consents: { advertisingRefused: s } }) }; },
      // updatePatient
      () => { const s = `pat-${m()}`; return { name: 'updatePatient: id not a UUID', field: 'input.id', secret: s, call: () => updatePatient(app, scheduler.token, { id: s, familyName: 'ProbeRenamed' }) }; },
      () => ({ name: 'updatePatient: empty familyName', field: 'input.familyName', call: () => updatePatient(app, scheduler.token, { id: patient.id, familyName: '' }) }),
      () => { const s = m(); return { name: 'updatePatient: givenName too long', field: 'input.givenName', secret: s, call: () => updatePatient(app, scheduler.token, { id: patient.id, givenName: long(100, s) }) }; },
      () => { const s = `phone-${m()}`; return { name: 'updatePatient: phone not a phone number', field: 'input.phone', secret: s, call: () => updatePatient(app, scheduler.token, { id: patient.id, phone: s }) }; },
      () => ({ name: 'updatePatient: personalIdentityNumber of another patient', field: 'input.personalIdentityNumber', secret: otherPatient.personalIdentityNumber!, call: () => updatePatient(app, scheduler.token, { id: patient.id, personalIdentityNumber: otherPatient.personalIdentityNumber }) }),
    ];

    // Names are computed lazily (the cases need beforeAll's ids); the table index keeps test names stable.
    const NAMES = [
      'bookAppointment: idempotencyKey with spaces', 'bookAppointment: idempotencyKey too short', 'bookAppointment: scheduleId not a UUID',
      'bookAppointment: serviceId not a UUID', 'bookAppointment: patientId not a UUID', 'bookAppointment: empty newPatient.familyName',
      'bookAppointment: newPatient.familyName too long', 'bookAppointment: newPatient.givenName too long', 'bookAppointment: newPatient.phone not a phone number',
      'bookAppointment: newPatient.personalIdentityNumber too short', 'bookAppointment: newPatient.personalIdentityNumber of an existing patient',
      'bookAppointment: note too long', 'bookAppointment: start not an instant', 'bookAppointment: start without a time zone',
      'bookAppointment: both patientId and newPatient', 'bookAppointment: neither patientId nor newPatient',
      'rescheduleAppointment: appointmentId not a UUID', 'rescheduleAppointment: idempotencyKey with spaces', 'rescheduleAppointment: start not an instant',
      'cancelAppointment: appointmentId not a UUID', 'cancelAppointment: reasonCode not upper-case', 'cancelAppointment: reasonText too long',
      'cancelAppointment: idempotencyKey with spaces', 'confirmAppointment: appointmentId not a UUID', 'confirmAppointment: idempotencyKey with spaces',
      'changeAppointmentStatus: appointmentId not a UUID', 'changeAppointmentStatus: idempotencyKey with spaces', 'changeAppointmentStatus: status not an AppointmentStatus',
      'createPatient: empty familyName', 'createPatient: familyName too long', 'createPatient: givenName too long', 'createPatient: patronymic too long',
      'createPatient: phone not a phone number', 'createPatient: personalIdentityNumber too short', 'createPatient: personalIdentityNumber of an existing patient',
      'createPatient: personalIdentityNumber of the wrong type (a number)', 'createPatient: consents.advertisingRefused of the wrong type',
      'updatePatient: id not a UUID', 'updatePatient: empty familyName', 'updatePatient: givenName too long', 'updatePatient: phone not a phone number',
      'updatePatient: personalIdentityNumber of another patient',
    ];

    it('has a name for every case', () => {
      expect(cases).toHaveLength(NAMES.length);
    });

    it.each(NAMES.map((name, index) => [name, index] as const))('%s → BAD_USER_INPUT naming the field, no echo, nothing changed', async (name, index) => {
      const testCase = cases[index]!();
      expect(testCase.name).toBe(name);
      const before = await snapshot(app, scheduler.token, PREFIXES);
      const response = await testCase.call();
      const answered = JSON.stringify({ status: response.status, errors: response.errors, data: response.data });
      if (errorCode(response) !== 'BAD_USER_INPUT') {
        const after = await snapshot(app, scheduler.token, PREFIXES);
        const created = after.patients.filter((p) => !before.patients.some((q) => q.id === p.id)).map((p) => `${p.familyName} ${p.givenName}`);
        throw new Error(`expected BAD_USER_INPUT, got ${answered}; appointments ${before.appointmentCount} → ${after.appointmentCount}, new patients: ${JSON.stringify(created)}`);
      }
      expect(response.data?.[Object.keys(response.data ?? {})[0] ?? ''] ?? null).toBeNull();
      if (testCase.secret && answered.includes(testCase.secret)) throw new Error(`the submitted value ${testCase.secret} is echoed: ${answered}`);
      const expected = Array.isArray(testCase.field) ? testCase.field : [testCase.field];
      if (!errorFields(response).some((field) => expected.includes(field))) {
        throw new Error(`expected extensions.fields to name ${expected.join(' or ')}, got ${answered}`);
      }
      const after = await snapshot(app, scheduler.token, PREFIXES);
      expect(after).toEqual(before);
      expect(await readPatient(app, scheduler.token, patient.id)).toEqual(patient);
    });
  });

  describe('roles', () => {
    it('refuses every scheduling mutation to a VIEWER with FORBIDDEN and changes nothing', async () => {
      const appointment = await newAppointment(slots.next(), 'ProbeRoles');
      const patient = (await readPatient(app, scheduler.token, appointment.patientId!));
      const before = await snapshot(app, scheduler.token, ['probe']);
      const attempts: Array<[string, GraphQLResponse]> = [
        ['bookAppointment', await book(app, viewer.token, { ...slots.next(), serviceId, newPatient: { familyName: 'ProbeViewer', givenName: 'V' }, idempotencyKey: key() })],
        ['cancelAppointment', await cancel(app, viewer.token, { appointmentId: appointment.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() })],
        ['confirmAppointment', await confirm(app, viewer.token, { appointmentId: appointment.id })],
        ['rescheduleAppointment', await reschedule(app, viewer.token, { appointmentId: appointment.id, start: slots.next().start, idempotencyKey: key() })],
        ['changeAppointmentStatus', await changeStatus(app, viewer.token, { appointmentId: appointment.id, status: 'ARRIVED' })],
        ['createPatient', await createPatient(app, viewer.token, { familyName: 'ProbeViewer', givenName: 'V' })],
        ['updatePatient', await updatePatient(app, viewer.token, { id: patient.id, familyName: 'ProbeViewerRenamed' })],
      ];
      expect(attempts.map(([name, response]) => [name, errorCode(response), response.data?.[name] ?? null]))
        .toEqual(attempts.map(([name]) => [name, 'FORBIDDEN', null]));
      expect(await snapshot(app, scheduler.token, ['probe'])).toEqual(before);
    });

    it('lets a VIEWER read appointments (with history and patient) and patients', async () => {
      const appointment = await newAppointment(slots.next(), 'ProbeReadable');
      const one = await gql(app, appointmentQuery(appointment.id, 'id status patient { familyName } history { action actorId }'), {}, viewer.token);
      expect(one.errors).toBeUndefined();
      expect(one.data!.appointment).toEqual({ id: appointment.id, status: 'BOOKED', patient: { familyName: 'ProbeReadable' }, history: [{ action: 'BOOKED', actorId: scheduler.userId }] });
      const list = await gql(app, APPOINTMENTS, { filter: { scheduleId: appointment.scheduleId }, first: 100 }, viewer.token);
      expect(list.errors).toBeUndefined();
      expect(list.data!.appointments.nodes.map((a: AppointmentData) => a.id)).toContain(appointment.id);
      const patients = await gql(app, PATIENTS, { search: 'ProbeReadable', first: 10 }, viewer.token);
      expect(patients.errors).toBeUndefined();
      expect(patients.data!.patients.nodes.map((p: PatientData) => p.id)).toEqual([appointment.patientId]);
      expect((await readPatient(app, viewer.token, appointment.patientId!)).familyName).toBe('ProbeReadable');
    });
  });
});
