import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { errorCode, gql, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentreWithSchedules, everyDay, type ExceptionSpec, type WeeklyHoursSpec } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import {
  referenceAgenda, referenceBlocks, referenceServiceFree, referenceSlots, type ReferenceInterval, type ReferenceSchedule, type ReferenceSlot,
} from '../support/reference-availability';

/**
 * Availability across the daylight-saving changes of 2027 (Sunday 28 March and Sunday 31 October in
 * the EU), checked against an independent luxon model (test/support/reference-availability.ts):
 * random weekly hours, validity dates, closures, extra hours, slot lengths, services and bookings.
 * Set FC_SEED (and FC_PATH) to replay a failure that fast-check reported.
 */

const ZONES = ['Europe/Stockholm', 'Europe/Oslo', 'Europe/Madrid'] as const;
const SPRING = '2027-03-28';
const FALL = '2027-10-31';
const NUM_RUNS = Number(process.env.FC_RUNS ?? 40);
const FC_REPLAY = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {};

const AVAILABILITY = `query($c: ID!, $f: Instant!, $t: Instant!, $s: ID) {
  availability(centreId: $c, from: $f, to: $t, serviceId: $s) {
    schedules { scheduleId free { start end } occupied { start end } slots { start end state } }
  }
}`;
const AVAILABILITY_WITHOUT_SLOTS = `query($c: ID!, $f: Instant!, $t: Instant!) {
  availability(centreId: $c, from: $f, to: $t) { schedules { scheduleId free { start end } occupied { start end } } }
}`;
const BOOK = `mutation($input: BookAppointmentInput!) {
  bookAppointment(input: $input) { __typename ... on Appointment { id start end } }
}`;

interface ScheduleAvailability {
  scheduleId: string;
  free: ReferenceInterval[];
  occupied: ReferenceInterval[];
  slots: ReferenceSlot[];
}

// ---------------------------------------------------------------------------------------------
// Local calendar arithmetic (wall-clock text, no zone) and instants.

const addDays = (date: string, days: number): string => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** "YYYY-MM-DDTHH:MM" plus minutes, as wall-clock text. */
const addLocalMinutes = (date: string, minuteOfDay: number, minutes: number): string =>
  DateTime.fromISO(`${date}T00:00`, { zone: 'UTC' }).plus({ minutes: minuteOfDay + minutes }).toFormat("yyyy-MM-dd'T'HH:mm");
/** The instant of a local wall-clock time, as the API writes instants. */
const instant = (zone: string, local: string): string => DateTime.fromISO(local, { zone }).toUTC().toISO({ suppressMilliseconds: true })!;
const ms = Date.parse;
const overlaps = (a: ReferenceInterval, b: ReferenceInterval): boolean => ms(a.start) < ms(b.end) && ms(b.start) < ms(a.end);

/** Merges intervals that overlap or touch, sorted. */
function merge(intervals: ReferenceInterval[]): ReferenceInterval[] {
  const sorted = [...intervals].sort((a, b) => ms(a.start) - ms(b.start));
  const merged: ReferenceInterval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && ms(interval.start) <= ms(last.end)) {
      if (ms(interval.end) > ms(last.end)) last.end = interval.end;
    } else merged.push({ ...interval });
  }
  return merged;
}

/** A short account of how two slot lists differ ('' when equal), instead of a diff of hundreds of rows. */
function slotDiff(actual: ReferenceSlot[], expected: ReferenceSlot[]): string {
  const key = (slot: ReferenceSlot) => `${slot.start}/${slot.end}/${slot.state}`;
  const expectedKeys = new Set(expected.map(key));
  const actualKeys = new Set(actual.map(key));
  const extra = actual.map(key).filter((k) => !expectedKeys.has(k));
  const missing = expected.map(key).filter((k) => !actualKeys.has(k));
  if (extra.length === 0 && missing.length === 0 && actual.length === expected.length) return '';
  return `server ${actual.length} slots, reference ${expected.length}; only from the server: ${extra.slice(0, 6).join(', ') || '-'}; `
    + `only in the reference: ${missing.slice(0, 6).join(', ') || '-'}${actual.length !== actualKeys.size ? '; the server repeats slots' : ''}`;
}

// ---------------------------------------------------------------------------------------------

describe('availability across daylight-saving changes', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let scheduler: { token: string };

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    scheduler = await createStaff(app, tenant, ['SCHEDULER']);
  });
  afterAll(() => app.close());

  const availability = (centreId: string, from: string, to: string, serviceId?: string, token = scheduler.token) =>
    gql<{ availability: { schedules: ScheduleAvailability[] } }>(app, AVAILABILITY, { c: centreId, f: from, t: to, s: serviceId ?? null }, token);

  /** The schedules of a successful availability answer, or a failure that shows the errors. */
  function schedulesOf(response: GraphQLResponse<{ availability: { schedules: ScheduleAvailability[] } }>): ScheduleAvailability[] {
    if (response.errors?.length || !response.data) throw new Error(`availability failed (${response.status}): ${JSON.stringify(response.errors)}`);
    return response.data.availability.schedules;
  }

  const book = (scheduleId: string, serviceId: string, start: string) =>
    gql(app, BOOK, {
      input: { scheduleId, serviceId, start, idempotencyKey: randomUUID(), newPatient: { familyName: 'Dst', givenName: 'Patient' } },
    }, scheduler.token);

  /** Slots and intervals of one schedule, checked against the reference and the invariants. */
  function checkSchedule(actual: ScheduleAvailability, reference: ReferenceSchedule, from: string, to: string, serviceMinutes?: number): void {
    const label = serviceMinutes ? `with a service of ${serviceMinutes} min` : 'without a service';
    const expected = referenceSlots(reference, from, to, serviceMinutes);
    expect({ label, diff: slotDiff(actual.slots, expected) }).toEqual({ label, diff: '' });
    expect(actual.slots).toEqual(expected);

    const agenda = referenceAgenda(reference, from, to);
    // free and occupied: merged and disjoint; without a service their union is the open time inside
    // the window, with one free is what the service takes from each start where it fits.
    expect({ label, occupied: actual.occupied }).toEqual({ label, occupied: agenda.occupied });
    for (const free of actual.free) expect(actual.occupied.filter((busy) => overlaps(free, busy))).toEqual([]);
    if (serviceMinutes) {
      expect({ label, free: actual.free }).toEqual({ label, free: referenceServiceFree(reference, from, to, serviceMinutes) });
    } else {
      expect({ label, free: actual.free }).toEqual({ label, free: agenda.free });
      expect(merge([...actual.free, ...actual.occupied])).toEqual(agenda.open);
    }

    // Every slot inside the window, inside opening hours and outside closures; none twice.
    const closed = reference.exceptions.filter((e) => e.kind === 'CLOSED')
      .map((e) => ({ start: instant(reference.timeZone, e.startsLocal), end: instant(reference.timeZone, e.endsLocal) }));
    const blocks = referenceBlocks(reference, from, to).map(([start, end]) => ({ start: new Date(start).toISOString(), end: new Date(end).toISOString() }));
    for (const slot of actual.slots) {
      expect(ms(slot.end) - ms(slot.start)).toBe(reference.slotMinutes * 60_000);
      expect(ms(slot.start) >= ms(from) && ms(slot.end) <= ms(to)).toBe(true);
      expect(blocks.some((block) => ms(block.start) <= ms(slot.start) && ms(slot.end) <= ms(block.end))).toBe(true);
      expect(closed.filter((closure) => overlaps(closure, slot))).toEqual([]);
    }
    expect(new Set(actual.slots.map((slot) => slot.start)).size).toBe(actual.slots.length);

    // No FREE slot overlaps a booking: not the slot, nor the service booked from it.
    for (const slot of actual.slots.filter((s) => s.state === 'FREE')) {
      const needed = { start: slot.start, end: new Date(ms(slot.start) + (serviceMinutes ?? reference.slotMinutes) * 60_000).toISOString() };
      expect(reference.bookings.filter((booking) => overlaps(booking, needed))).toEqual([]);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Generators.

  /** Minutes since local midnight, often on and around the 02:00–03:00 hour. */
  const minuteOfDay = fc.oneof(
    { arbitrary: fc.constantFrom(0, 60, 90, 120, 125, 150, 180, 195, 210, 240, 1440), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 288 }).map((n) => n * 5), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 1440 }), weight: 1 },
  );
  /** Up to 3 blocks of one weekday, in order, never overlapping (touching is allowed). */
  const dayBlocks = fc.array(minuteOfDay, { maxLength: 6 }).map((bounds) => {
    const sorted = [...bounds].sort((a, b) => a - b);
    const blocks: Array<[number, number]> = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) if (sorted[i] < sorted[i + 1]) blocks.push([sorted[i], sorted[i + 1]]);
    return blocks;
  });
  /** Validity around the change: from a day (-3..+3), until a later day or open-ended; or none (since long ago). */
  const validity = fc.option(fc.record({ from: fc.integer({ min: -3, max: 3 }), days: fc.option(fc.integer({ min: 0, max: 4 })) }), { freq: 2 });
  const weeklyHours = fc.tuple(fc.array(dayBlocks, { minLength: 7, maxLength: 7 }), fc.array(validity, { minLength: 21, maxLength: 21 }));
  const exceptionGen = fc.record({
    kind: fc.constantFrom('CLOSED' as const, 'EXTRA_HOURS' as const),
    day: fc.integer({ min: -2, max: 2 }),
    start: minuteOfDay.filter((minute) => minute < 1440),
    length: fc.oneof(fc.constant('whole days' as const), fc.integer({ min: 5, max: 600 }), fc.integer({ min: 1, max: 30 }).map((hours) => hours * 60)),
  });
  const windowGen = fc.record({
    day: fc.integer({ min: -2, max: -1 }),
    start: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1439 })),
    /** null: from local midnight to local midnight three days later. */
    length: fc.option(fc.integer({ min: 2 * 1440, max: 4 * 1440 })),
  });
  const scenario = fc.record({
    zone: fc.constantFrom(...ZONES),
    change: fc.constantFrom(SPRING, FALL),
    slotMinutes: fc.oneof(fc.constantFrom(5, 10, 15, 20, 30, 60), fc.integer({ min: 5, max: 60 })),
    serviceExtra: fc.integer({ min: 1, max: 90 }),
    hours: weeklyHours,
    exceptions: fc.array(exceptionGen, { maxLength: 3 }),
    window: windowGen,
    bookings: fc.array(fc.nat(), { maxLength: 4 }),
  });
  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  function specOf(s: Scenario) {
    const hours: WeeklyHoursSpec[] = [];
    s.hours[0].forEach((blocks, index) => blocks.forEach(([start, end], nth) => {
      const valid = s.hours[1][index * 3 + nth];
      hours.push({
        weekday: index + 1, startTime: hhmm(start), endTime: hhmm(end),
        ...(valid ? { validFrom: addDays(s.change, valid.from), validUntil: valid.days === null ? null : addDays(s.change, valid.from + valid.days) } : {}),
      });
    }));
    const exceptions: ExceptionSpec[] = s.exceptions.map((e) => {
      const date = addDays(s.change, e.day);
      return e.length === 'whole days'
        ? { kind: e.kind, startsLocal: `${date}T00:00`, endsLocal: `${addDays(date, 1)}T00:00` }
        : { kind: e.kind, startsLocal: addLocalMinutes(date, e.start, 0), endsLocal: addLocalMinutes(date, e.start, e.length) };
    });
    const startDate = addDays(s.change, s.window.day);
    const from = instant(s.zone, addLocalMinutes(startDate, s.window.start, 0));
    const to = s.window.length === null
      ? instant(s.zone, `${addDays(startDate, 3)}T00:00`)
      : new Date(ms(from) + s.window.length * 60_000).toISOString().replace('.000Z', 'Z');
    return { hours, exceptions, from, to, serviceMinutes: s.slotMinutes + s.serviceExtra };
  }

  // -------------------------------------------------------------------------------------------

  describe('properties over random schedules, closures, extra hours and bookings (Stockholm, Oslo, Madrid; spring and fall 2027)', () => {
    it('answers exactly the reference slots and intervals, without and with a service, before and after bookings made on FREE slots', async () => {
      await fc.assert(fc.asyncProperty(scenario, async (s) => {
        const spec = specOf(s);
        const centre = await createCentreWithSchedules(app, tenant, {
          timeZone: s.zone, slotMinutes: s.slotMinutes, openingHours: spec.hours, exceptions: spec.exceptions,
          services: [{ durationMinutes: spec.serviceMinutes }], practitioners: false,
        });
        const [scheduleId] = centre.scheduleIds;
        const [serviceId] = centre.serviceIds;
        const reference: ReferenceSchedule = { timeZone: s.zone, slotMinutes: s.slotMinutes, hours: spec.hours, exceptions: spec.exceptions, bookings: [] };

        const before = schedulesOf(await availability(centre.centreId, spec.from, spec.to, serviceId));
        expect(before.map((schedule) => schedule.scheduleId)).toEqual([scheduleId]);
        checkSchedule(before[0], reference, spec.from, spec.to, spec.serviceMinutes);

        // Book some of the FREE slots, in order: each is an Appointment unless an earlier booking took part of its time.
        const free = before[0].slots.filter((slot) => slot.state === 'FREE');
        for (const pick of s.bookings) {
          if (free.length === 0) break;
          const slot = free[pick % free.length];
          const wanted = { start: slot.start, end: new Date(ms(slot.start) + spec.serviceMinutes * 60_000).toISOString() };
          const taken = reference.bookings.some((booking) => overlaps(booking, wanted));
          const response = await book(scheduleId, serviceId, slot.start);
          expect(response.errors).toBeUndefined();
          const result = response.data!.bookAppointment;
          expect({ slot: slot.start, result: result.__typename }).toEqual({ slot: slot.start, result: taken ? 'SlotUnavailable' : 'Appointment' });
          if (result.__typename === 'Appointment') {
            expect([result.start, result.end]).toEqual([slot.start, wanted.end.replace('.000Z', 'Z')]);
            reference.bookings.push({ start: result.start, end: result.end });
          }
        }

        const withService = schedulesOf(await availability(centre.centreId, spec.from, spec.to, serviceId));
        checkSchedule(withService[0], reference, spec.from, spec.to, spec.serviceMinutes);
        const withoutService = schedulesOf(await availability(centre.centreId, spec.from, spec.to));
        checkSchedule(withoutService[0], reference, spec.from, spec.to);
      }), { numRuns: NUM_RUNS, ...FC_REPLAY });
    }, 120_000);
  });

  // -------------------------------------------------------------------------------------------

  describe('a block 01:00–04:00 local on the days around each change', () => {
    /** Slot starts per local date, for the 3 local days [day before, change day, day after]. */
    async function slotsPerLocalDay(zone: string, slotMinutes: number, change: string) {
      const centre = await createCentreWithSchedules(app, tenant, { timeZone: zone, slotMinutes, openingHours: everyDay('01:00', '04:00'), practitioners: false });
      const from = instant(zone, `${addDays(change, -1)}T00:00`);
      const to = instant(zone, `${addDays(change, 2)}T00:00`);
      const [schedule] = schedulesOf(await availability(centre.centreId, from, to));
      const perDay = new Map<string, ReferenceSlot[]>();
      for (const slot of schedule.slots) {
        const day = DateTime.fromISO(slot.start, { zone }).toISODate()!;
        perDay.set(day, [...(perDay.get(day) ?? []), slot]);
      }
      const reference: ReferenceSchedule = { timeZone: zone, slotMinutes, hours: everyDay('01:00', '04:00'), exceptions: [], bookings: [] };
      return { schedule, perDay, reference, from, to, days: [addDays(change, -1), change, addDays(change, 1)] };
    }

    it.each(ZONES.flatMap((zone) => [15, 25, 60].map((slot) => [zone, slot] as const)))(
      '%s, %i-minute slots: the 23-hour day has 2 hours of slots, the 25-hour day 4, the others 3; none lost, none twice',
      async (zone, slotMinutes) => {
        for (const [change, hoursOnChangeDay] of [[SPRING, 2], [FALL, 4]] as const) {
          const { schedule, perDay, reference, from, to, days } = await slotsPerLocalDay(zone, slotMinutes, change);
          const count = (hours: number) => Math.floor((hours * 60) / slotMinutes);
          expect(days.map((day) => perDay.get(day)?.length ?? 0)).toEqual([count(3), count(hoursOnChangeDay), count(3)]);
          expect(schedule.slots.every((slot) => slot.state === 'FREE')).toBe(true);
          // Back to back from 01:00 local (real time: across the change), each exactly one slot long.
          for (const day of days) {
            const slots = perDay.get(day)!;
            expect(slots[0].start).toBe(instant(zone, `${day}T01:00`));
            slots.forEach((slot, index) => expect(ms(slot.start)).toBe(ms(slots[0].start) + index * slotMinutes * 60_000));
          }
          expect(schedule.slots).toEqual(referenceSlots(reference, from, to));
          expect(schedule.free).toEqual(days.map((day) => ({ start: instant(zone, `${day}T01:00`), end: instant(zone, `${day}T04:00`) })));
        }
      },
    );

    it('property: any block across the changed hour (opening before 02:00, closing at 03:00 or later) loses exactly one hour of slots in spring and gains one in fall', async () => {
      await fc.assert(fc.asyncProperty(
        fc.constantFrom(...ZONES), fc.integer({ min: 5, max: 60 }), fc.integer({ min: 0, max: 119 }), fc.integer({ min: 180, max: 360 }),
        async (zone, slotMinutes, start, end) => {
          const hours = everyDay(hhmm(start), hhmm(end));
          const centre = await createCentreWithSchedules(app, tenant, { timeZone: zone, slotMinutes, openingHours: hours, practitioners: false });
          for (const [change, extraMinutes] of [[SPRING, -60], [FALL, 60]] as const) {
            const days = [addDays(change, -1), change, addDays(change, 1)];
            const [schedule] = schedulesOf(await availability(centre.centreId, instant(zone, `${days[0]}T00:00`), instant(zone, `${addDays(change, 2)}T00:00`)));
            const perDay = days.map((day) => schedule.slots.filter((slot) => DateTime.fromISO(slot.start, { zone }).toISODate() === day).length);
            const count = (minutes: number) => Math.floor(minutes / slotMinutes);
            expect({ change, perDay }).toEqual({ change, perDay: [count(end - start), count(end - start + extraMinutes), count(end - start)] });
          }
        },
      ), { numRuns: Math.ceil(NUM_RUNS / 3), ...FC_REPLAY });
    }, 60_000);

    it('Stockholm spring forward: 01:00, 01:15, …, 01:45 CET then 03:00 … 03:45 CEST; fall back: 01:00 CEST … 02:45 CEST, 02:00 CET … 03:45 CET', async () => {
      const spring = await slotsPerLocalDay('Europe/Stockholm', 15, SPRING);
      expect(spring.perDay.get(SPRING)!.map((slot) => slot.start)).toEqual([
        '2027-03-28T00:00:00Z', '2027-03-28T00:15:00Z', '2027-03-28T00:30:00Z', '2027-03-28T00:45:00Z',
        '2027-03-28T01:00:00Z', '2027-03-28T01:15:00Z', '2027-03-28T01:30:00Z', '2027-03-28T01:45:00Z',
      ]);
      const fall = await slotsPerLocalDay('Europe/Stockholm', 60, FALL);
      expect(fall.perDay.get(FALL)!.map((slot) => slot.start)).toEqual(['2027-10-30T23:00:00Z', '2027-10-31T00:00:00Z', '2027-10-31T01:00:00Z', '2027-10-31T02:00:00Z']);
    });
  });

  describe('local times that do not exist or exist twice', () => {
    it('a weekly block starting inside the skipped hour and ending just after it (02:30–03:15) is empty on the spring-forward day, not an error', async () => {
      // 02:30 does not exist on 28 March: read as 03:30 CEST, later than 03:15 CEST, so the block holds no time.
      const hours = [{ weekday: 7, startTime: '02:30', endTime: '03:15' }, { weekday: 7, startTime: '10:00', endTime: '11:00' }];
      const centre = await createCentreWithSchedules(app, tenant, { timeZone: 'Europe/Stockholm', slotMinutes: 15, openingHours: hours, practitioners: false });
      const from = instant('Europe/Stockholm', `${SPRING}T00:00`);
      const to = instant('Europe/Stockholm', `${addDays(SPRING, 1)}T00:00`);
      const response = await availability(centre.centreId, from, to);
      expect(response.errors).toBeUndefined();
      const [schedule] = schedulesOf(response);
      expect(schedule.free).toEqual([{ start: '2027-03-28T08:00:00Z', end: '2027-03-28T09:00:00Z' }]);
      expect(schedule.slots).toHaveLength(4);
    });

    it('a closure or extra hours from inside the skipped hour to just after it are empty, not an error', async () => {
      for (const kind of ['CLOSED', 'EXTRA_HOURS'] as const) {
        const centre = await createCentreWithSchedules(app, tenant, {
          timeZone: 'Europe/Madrid', slotMinutes: 15, openingHours: everyDay('08:00', '12:00'), practitioners: false,
          exceptions: [{ kind, startsLocal: `${SPRING}T02:45`, endsLocal: `${SPRING}T03:10` }],
        });
        const response = await availability(centre.centreId, instant('Europe/Madrid', `${SPRING}T00:00`), instant('Europe/Madrid', `${SPRING}T23:00`));
        expect({ kind, errors: response.errors }).toEqual({ kind, errors: undefined });
        expect(schedulesOf(response)[0].slots).toHaveLength(16);
      }
    });

    it('booking on the day before a spring-forward day with such a block still works', async () => {
      const hours = [...everyDay('08:00', '12:00'), { weekday: 7, startTime: '02:30', endTime: '03:15' }];
      const centre = await createCentreWithSchedules(app, tenant, { timeZone: 'Europe/Oslo', slotMinutes: 15, openingHours: hours, services: [{ durationMinutes: 30 }], practitioners: false });
      const response = await book(centre.scheduleIds[0], centre.serviceIds[0], instant('Europe/Oslo', `${addDays(SPRING, -1)}T09:00`));
      expect(response.errors).toBeUndefined();
      expect(response.data!.bookAppointment.__typename).toBe('Appointment');
    });
  });

  describe('the window', () => {
    it('lists a slot whose service runs past the end of the window with the state it has in a wider window (FREE: it is bookable)', async () => {
      const centre = await createCentreWithSchedules(app, tenant, {
        timeZone: 'Europe/Stockholm', slotMinutes: 15, openingHours: everyDay('08:00', '17:00'), services: [{ durationMinutes: 60 }], practitioners: false,
      });
      const at = (time: string) => instant('Europe/Stockholm', `2027-06-01T${time}`);
      const [narrow] = schedulesOf(await availability(centre.centreId, at('10:00'), at('10:30'), centre.serviceIds[0]));
      const [wide] = schedulesOf(await availability(centre.centreId, at('08:00'), at('17:00'), centre.serviceIds[0]));
      const inNarrow = wide.slots.filter((slot) => ms(slot.start) >= ms(at('10:00')) && ms(slot.end) <= ms(at('10:30')));
      expect(inNarrow).toEqual([
        { start: at('10:00'), end: at('10:15'), state: 'FREE' },
        { start: at('10:15'), end: at('10:30'), state: 'FREE' },
      ]);
      expect(narrow.slots).toEqual(inNarrow);
      const booked = await book(centre.scheduleIds[0], centre.serviceIds[0], at('10:15'));
      expect(booked.data!.bookAppointment.__typename).toBe('Appointment');
    });

    it('accepts a 31-day window (across the spring change) and answers the reference slots', async () => {
      const zone = 'Europe/Stockholm';
      const hours = [...everyDay('01:00', '04:00'), ...everyDay('08:00', '12:00', { validFrom: '2027-03-20', validUntil: '2027-04-05' })];
      const exceptions: ExceptionSpec[] = [{ kind: 'CLOSED', startsLocal: '2027-03-25T00:00', endsLocal: '2027-03-26T00:00' }, { kind: 'EXTRA_HOURS', startsLocal: '2027-04-03T13:00', endsLocal: '2027-04-03T15:30' }];
      const centre = await createCentreWithSchedules(app, tenant, { timeZone: zone, slotMinutes: 20, openingHours: hours, exceptions, practitioners: false });
      const from = instant(zone, '2027-03-15T00:00');
      const to = new Date(ms(from) + 31 * 86_400_000).toISOString();
      const [schedule] = schedulesOf(await availability(centre.centreId, from, to));
      const reference: ReferenceSchedule = { timeZone: zone, slotMinutes: 20, hours, exceptions, bookings: [] };
      expect(slotDiff(schedule.slots, referenceSlots(reference, from, to))).toBe('');
      expect(schedule.free).toEqual(referenceAgenda(reference, from, to).free);
    });

    it('refuses 31 days and a minute with BAD_USER_INPUT on `to`', async () => {
      const centre = await createCentreWithSchedules(app, tenant, { practitioners: false });
      const from = '2027-03-01T00:00:00Z';
      for (const to of [new Date(ms(from) + 31 * 86_400_000 + 60_000).toISOString(), new Date(ms(from) + 32 * 86_400_000).toISOString()]) {
        const response = await availability(centre.centreId, from, to);
        expect(errorCode(response)).toBe('BAD_USER_INPUT');
        expect(response.errors![0].extensions!.fields.map((field: { field: string }) => field.field)).toEqual(['to']);
        expect(response.data?.availability ?? null).toBeNull();
      }
    });

    it('refuses to <= from with BAD_USER_INPUT on `to`', async () => {
      const centre = await createCentreWithSchedules(app, tenant, { practitioners: false });
      for (const to of ['2027-03-01T00:00:00Z', '2027-02-28T00:00:00Z']) {
        const response = await availability(centre.centreId, '2027-03-01T00:00:00Z', to);
        expect(errorCode(response)).toBe('BAD_USER_INPUT');
        expect(response.errors![0].extensions!.fields.map((field: { field: string }) => field.field)).toEqual(['to']);
      }
    });

    it('answers NOT_FOUND for another tenant\'s centre, and for a centre that does not exist', async () => {
      const other = await createTenant(app);
      const foreign = await createCentreWithSchedules(app, other, { practitioners: false });
      for (const centreId of [foreign.centreId, randomUUID()]) {
        const response = await availability(centreId, '2027-03-01T00:00:00Z', '2027-03-02T00:00:00Z');
        expect(errorCode(response)).toBe('NOT_FOUND');
        expect(response.data?.availability ?? null).toBeNull();
      }
    });
  });

  describe('one SQL statement per request', () => {
    it.each([1, 10])('with %i schedule(s), with and without slots, with and without a service', async (schedules) => {
      const centre = await createCentreWithSchedules(app, tenant, { timeZone: 'Europe/Oslo', schedules, openingHours: everyDay('01:00', '04:00'), practitioners: false });
      const from = instant('Europe/Oslo', `${addDays(FALL, -1)}T00:00`);
      const to = instant('Europe/Oslo', `${addDays(FALL, 2)}T00:00`);
      const withSlots = await availability(centre.centreId, from, to);
      expect(schedulesOf(withSlots)).toHaveLength(schedules);
      expect(schedulesOf(withSlots)[0].slots.length).toBeGreaterThan(0);
      expect(withSlots.sqlStatements).toBe(1);
      const withService = await availability(centre.centreId, from, to, centre.serviceIds[0]);
      expect(schedulesOf(withService)).toHaveLength(schedules);
      expect(withService.sqlStatements).toBe(1);
      const withoutSlots = await gql(app, AVAILABILITY_WITHOUT_SLOTS, { c: centre.centreId, f: from, t: to }, scheduler.token);
      expect(withoutSlots.errors).toBeUndefined();
      expect(withoutSlots.data!.availability.schedules).toHaveLength(schedules);
      expect(withoutSlots.sqlStatements).toBe(1);
    });
  });
});
