import fc from 'fast-check';
import type { ShareRestrictions } from '../../src/federation/peer-protocol';
import {
  dayIntervals, horizonOf, intersect, localDayOf, merge, permittedIntervals, restrictFree, restrictSlots, subtract, timeRefusal, windowIntervals,
  type Interval,
} from '../../src/services/sharing/share-restrictions';

/**
 * The share's rules as time (src/services/sharing/share-restrictions.ts), without a database:
 * examples at the edges (window boundaries, the EU daylight-saving days of 2026 in
 * Europe/Stockholm, the horizon's first and last instant, quota days) and properties checked
 * against a plain reference written here. The reference reads local time with Intl (not luxon,
 * which the implementation uses) and decides instant by instant: "may a client book at t?".
 * Set FC_SEED (and FC_PATH) to replay a failure that fast-check reported.
 */

const ZONE = 'Europe/Stockholm';
const SPRING = '2026-03-29'; // Sunday: 02:00 CET → 03:00 CEST, a 23-hour day
const FALL = '2026-10-25'; // Sunday: 03:00 CEST → 02:00 CET, a 25-hour day
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NUM_RUNS = Number(process.env.FC_RUNS ?? 100);
const FC_REPLAY = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {};
const RUNS = { numRuns: NUM_RUNS, ...FC_REPLAY };

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const rules = (overrides: Partial<ShareRestrictions> = {}): ShareRestrictions => ({
  allowedServiceIds: [], earliestDaysAhead: 0, latestDaysAhead: 365, weeklyWindows: [], dailyQuota: null, ...overrides,
});
const show = (intervals: readonly Interval[]): string[] => intervals.map((i) => `${iso(i.start)} – ${iso(i.end)}`);
/** A far horizon around 2026, so that only the windows decide. */
const EARLY_NOW = new Date('2025-12-01T12:00:00Z');

// ---------------------------------------------------------------------------------------------
// The reference: local time through Intl, decided per instant.

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const offsets = new Map<number, number>();
/** The zone's UTC offset at t (ms). Stockholm changes offset on whole hours, so it is cached per quarter hour. */
function offsetAt(t: number): number {
  const bucket = Math.floor(t / (15 * MINUTE));
  let offset = offsets.get(bucket);
  if (offset === undefined) {
    const start = bucket * 15 * MINUTE;
    const p = Object.fromEntries(parts.formatToParts(new Date(start)).map((part) => [part.type, part.value]));
    offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - start;
    offsets.set(bucket, offset);
  }
  return offset;
}

interface Local {
  day: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  minuteOfDay: number;
}

function localOf(t: number): Local {
  const wall = new Date(t + offsetAt(t));
  return {
    day: wall.toISOString().slice(0, 10),
    weekday: wall.getUTCDay() === 0 ? 7 : wall.getUTCDay(),
    minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const timeOf = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const addDays = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The instant whose local wall clock reads `days` calendar days after that of `now` (now's local hour must not be 02). */
function localDaysAfter(now: number, days: number): number {
  const target = now + offsetAt(now) + days * DAY;
  for (const shift of [0, -HOUR, HOUR]) {
    const t = now + days * DAY + shift;
    if (t + offsetAt(t) === target) return t;
  }
  throw new Error(`no instant reads ${iso(target)} on the wall clock`);
}

/** [now + earliest days, now + latest days] in whole seconds. */
function referenceHorizon(r: ShareRestrictions, now: number): Interval {
  return { start: Math.ceil(localDaysAfter(now, r.earliestDaysAhead) / 1000) * 1000, end: Math.floor(localDaysAfter(now, r.latestDaysAhead) / 1000) * 1000 };
}

/** Whether the weekly windows allow the instant t: its local weekday and minute lie in one of them. */
function inWindows(r: ShareRestrictions, t: number): boolean {
  if (r.weeklyWindows.length === 0) return true;
  const local = localOf(t);
  return r.weeklyWindows.some((w) => w.weekday === local.weekday && minutesOf(w.startTime) <= local.minuteOfDay && local.minuteOfDay < minutesOf(w.endTime));
}

/** May a client book the instant t? Horizon, the asked-for span, weekly windows, and no full day. */
function permittedAt(r: ShareRestrictions, from: number, to: number, now: number, fullDays: readonly string[], t: number): boolean {
  const horizon = referenceHorizon(r, now);
  return horizon.start <= t && t < horizon.end && from <= t && t < to && inWindows(r, t) && !fullDays.includes(localOf(t).day);
}

const inUnion = (intervals: readonly Interval[], t: number): boolean => intervals.some((i) => i.start <= t && t < i.end);

/** Whether the union of the intervals (in any order, touching or not) covers [start, end). */
function unionCovers(intervals: readonly Interval[], start: number, end: number): boolean {
  let reached = start;
  for (const interval of [...intervals].sort((a, b) => a.start - b.start)) {
    if (interval.start <= reached && interval.end > reached) reached = interval.end;
  }
  return reached >= end;
}

/** Non-empty, sorted, and neither overlapping nor touching: what merged intervals look like. */
function expectMerged(intervals: readonly Interval[]): void {
  intervals.forEach((interval, index) => {
    if (!(interval.end > interval.start)) throw new Error(`interval ${index} is empty or reversed: ${show([interval])}`);
    if (index > 0 && !(intervals[index - 1].end < interval.start)) {
      throw new Error(`intervals ${index - 1} and ${index} overlap, touch or are out of order: ${show(intervals.slice(index - 1, index + 1)).join(' / ')}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Generators.

/** Window edges on the quarter hour, "24:00" included, none strictly inside 02:00–03:00 (a DST hour: see the examples). */
const windowMinute = fc.integer({ min: 0, max: 96 }).map((q) => q * 15).filter((m) => m <= 120 || m >= 180);
const weeklyWindow = fc.record({ weekday: fc.integer({ min: 1, max: 7 }), startTime: windowMinute.map(timeOf), endTime: windowMinute.map(timeOf) });
/** Around the DST days of 2026 most of the time, else any day of 2026. */
const baseDay = fc.oneof(
  fc.constantFrom('2026-03-27', '2026-03-28', SPRING, '2026-10-24', FALL, '2026-10-26'),
  fc.integer({ min: 0, max: 364 }).map((d) => addDays('2026-01-01', d)),
);

interface Scenario {
  restrictions: ShareRestrictions;
  from: number;
  to: number;
  now: number;
  fullDays: string[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  day: baseDay,
  fromQuarter: fc.integer({ min: 0, max: 120 }),
  spanQuarters: fc.integer({ min: 1, max: 3 * 96 }),
  // `now` a few days before the span, or such that the horizon's first or last instant falls inside it.
  nowMode: fc.constantFrom('before' as const, 'horizonStart' as const, 'horizonEnd' as const),
  nowBefore: fc.integer({ min: 0, max: 4 * DAY }),
  edgeQuarter: fc.integer({ min: 0, max: 3 * 96 }),
  jitter: fc.integer({ min: 0, max: 59_999 }),
  earliest: fc.integer({ min: 0, max: 3 }),
  extra: fc.integer({ min: 0, max: 4 }),
  windows: fc.array(weeklyWindow, { maxLength: 4 }),
  fullDayOffsets: fc.uniqueArray(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }),
}).map((s) => {
  const from = Date.parse(`${s.day}T00:00:00Z`) - 2 * HOUR + s.fromQuarter * 15 * MINUTE;
  const daysAhead = s.nowMode === 'horizonStart' ? s.earliest : s.earliest + s.extra;
  let now = s.nowMode === 'before' ? from - s.nowBefore : from + s.edgeQuarter * 15 * MINUTE + s.jitter - daysAhead * DAY;
  // The reference adds calendar days by reading the wall clock: keep `now` out of the hour that DST skips or repeats.
  if (new Date(now + offsetAt(now)).getUTCHours() === 2) now += 2 * HOUR;
  return {
    restrictions: rules({ earliestDaysAhead: s.earliest, latestDaysAhead: s.earliest + s.extra, weeklyWindows: s.windows }),
    from, to: from + s.spanQuarters * 15 * MINUTE, now,
    fullDays: s.fullDayOffsets.map((d) => addDays(localOf(from).day, d)),
  };
});

const describeScenario = (s: Scenario): string => JSON.stringify({
  windows: s.restrictions.weeklyWindows, earliest: s.restrictions.earliestDaysAhead, latest: s.restrictions.latestDaysAhead,
  from: iso(s.from), to: iso(s.to), now: iso(s.now), fullDays: s.fullDays,
});

/** Every instant at which either side may change its answer: the quarter-hour grid, the horizon, the span, and the answer's own edges. */
function probes(s: Scenario, answer: readonly Interval[]): number[] {
  const horizon = referenceHorizon(s.restrictions, s.now);
  const edges = [s.from, s.to, horizon.start, horizon.end, ...answer.flatMap((i) => [i.start, i.end])];
  for (let t = s.from - (s.from % (15 * MINUTE)); t <= s.to; t += 15 * MINUTE) edges.push(t);
  return [...new Set(edges.flatMap((t) => [t - 1, t]))];
}

// ---------------------------------------------------------------------------------------------

describe('share restrictions: examples', () => {
  describe('weekly windows', () => {
    const mondayMorning = rules({ weeklyWindows: [{ weekday: 1, startTime: '08:00', endTime: '12:00' }] });
    const refusalOf = (start: string, end: string, r = mondayMorning) => timeRefusal(r, ZONE, new Date(start), new Date(end), EARLY_NOW);

    it('allows an appointment from the first minute of a window to its last (2026-01-05 is a Monday, CET)', () => {
      expect(refusalOf('2026-01-05T07:00:00Z', '2026-01-05T07:30:00Z')).toBeNull();
      expect(refusalOf('2026-01-05T10:30:00Z', '2026-01-05T11:00:00Z')).toBeNull();
      expect(refusalOf('2026-01-05T07:00:00Z', '2026-01-05T11:00:00Z')).toBeNull();
    });

    it('refuses one that starts a second early or ends a second late', () => {
      expect(refusalOf('2026-01-05T06:59:59Z', '2026-01-05T07:30:00Z')).toBe('OUTSIDE_SHARED_HOURS');
      expect(refusalOf('2026-01-05T10:30:00Z', '2026-01-05T11:00:01Z')).toBe('OUTSIDE_SHARED_HOURS');
      expect(refusalOf('2026-01-06T07:00:00Z', '2026-01-06T07:30:00Z')).toBe('OUTSIDE_SHARED_HOURS'); // a Tuesday
    });

    it('joins touching windows, also across midnight ("24:00" to "00:00" of the next day)', () => {
      const split = rules({ weeklyWindows: [{ weekday: 1, startTime: '08:00', endTime: '12:00' }, { weekday: 1, startTime: '12:00', endTime: '16:00' }] });
      expect(refusalOf('2026-01-05T10:30:00Z', '2026-01-05T11:30:00Z', split)).toBeNull();
      const night = rules({ weeklyWindows: [{ weekday: 1, startTime: '22:00', endTime: '24:00' }, { weekday: 2, startTime: '00:00', endTime: '02:00' }] });
      expect(refusalOf('2026-01-05T22:30:00Z', '2026-01-05T23:30:00Z', night)).toBeNull();
      expect(windowIntervals(night, ZONE, at('2026-01-05T00:00:00Z'), at('2026-01-07T00:00:00Z'))).toEqual([
        { start: at('2026-01-05T21:00:00Z'), end: at('2026-01-06T01:00:00Z') },
      ]);
    });

    it('without windows, the whole asked-for span', () => {
      expect(windowIntervals(rules(), ZONE, 5, 99)).toEqual([{ start: 5, end: 99 }]);
    });

    it('drops a window that ends before it starts', () => {
      const reversed = rules({ weeklyWindows: [{ weekday: 1, startTime: '12:00', endTime: '08:00' }] });
      expect(windowIntervals(reversed, ZONE, at('2026-01-05T00:00:00Z'), at('2026-01-12T00:00:00Z'))).toEqual([]);
    });
  });

  describe('daylight-saving days in Europe/Stockholm', () => {
    const sunday = (startTime: string, endTime: string) => rules({ weeklyWindows: [{ weekday: 7, startTime, endTime }] });
    const on = (r: ShareRestrictions, day: string) => show(windowIntervals(r, ZONE, at(`${day}T00:00:00Z`) - 3 * HOUR, at(`${day}T00:00:00Z`) + 27 * HOUR));
    const span = (start: string, end: string) => `${iso(at(start))} – ${iso(at(end))}`;

    it('a whole-day window lasts 23 hours on 29 March and 25 hours on 25 October', () => {
      expect(on(sunday('00:00', '24:00'), SPRING)).toEqual([span('2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z')]);
      expect(on(sunday('00:00', '24:00'), FALL)).toEqual([span('2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z')]);
    });

    it('a window after the change keeps its wall-clock hours (08:00–17:00 is CEST in spring, CET in autumn)', () => {
      expect(on(sunday('08:00', '17:00'), SPRING)).toEqual([span('2026-03-29T06:00:00Z', '2026-03-29T15:00:00Z')]);
      expect(on(sunday('08:00', '17:00'), FALL)).toEqual([span('2026-10-25T07:00:00Z', '2026-10-25T16:00:00Z')]);
    });

    it('a window across the change is as long as the wall clock says (01:00–04:00: 2 h in spring, 4 h in autumn)', () => {
      expect(on(sunday('01:00', '04:00'), SPRING)).toEqual([span('2026-03-29T00:00:00Z', '2026-03-29T02:00:00Z')]);
      expect(on(sunday('01:00', '04:00'), FALL)).toEqual([span('2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z')]);
    });

    it('a time that the change skips moves forward, as PostgreSQL does (02:30 on 29 March is 03:30 CEST)', () => {
      expect(on(sunday('02:30', '04:00'), SPRING)).toEqual([span('2026-03-29T01:30:00Z', '2026-03-29T02:00:00Z')]);
      expect(timeRefusal(sunday('02:30', '04:00'), ZONE, new Date('2026-03-29T01:00:00Z'), new Date('2026-03-29T01:30:00Z'), EARLY_NOW))
        .toBe('OUTSIDE_SHARED_HOURS');
    });

    // PostgreSQL (which expands the schedules' opening hours, migrations/support/scheduling-functions.ts)
    // reads a wall-clock time that happens twice as the second one, standard time:
    //   SELECT '2026-10-25 02:30'::timestamp AT TIME ZONE 'Europe/Stockholm'  →  2026-10-25 01:30:00+00
    // A window that ends at 02:30 on 25 October therefore ends at 01:30Z for the schedule's hours, and
    // the local times 02:00–02:30 CET (01:00Z–01:30Z) are inside "00:00–02:30" by the wall clock.
    it('a time that happens twice (02:30 on 25 October) is read as PostgreSQL reads it, in standard time', () => {
      expect(on(sunday('00:00', '02:30'), FALL)).toEqual([span('2026-10-24T22:00:00Z', '2026-10-25T01:30:00Z')]);
    });

    it('so a booking at 02:00–02:30 CET on 25 October is inside a Sunday window 00:00–02:30', () => {
      expect(timeRefusal(sunday('00:00', '02:30'), ZONE, new Date('2026-10-25T01:00:00Z'), new Date('2026-10-25T01:30:00Z'), EARLY_NOW)).toBeNull();
    });
  });

  describe('the horizon', () => {
    // 12:00:00.250 CET on Saturday 28 March; one and two calendar days later are CEST.
    const now = new Date('2026-03-28T11:00:00.250Z');
    const oneToTwo = rules({ earliestDaysAhead: 1, latestDaysAhead: 2 });

    it('counts calendar days of the centre (23 hours across the spring change), rounded inwards to whole seconds', () => {
      expect(horizonOf(oneToTwo, ZONE, now)).toEqual({ start: at('2026-03-29T10:00:01Z'), end: at('2026-03-30T10:00:00Z') });
      expect(horizonOf(oneToTwo, ZONE, new Date('2026-10-24T10:00:00Z'))).toEqual({ start: at('2026-10-25T11:00:00Z'), end: at('2026-10-26T11:00:00Z') });
    });

    it('allows an appointment on its first and last instant, and refuses one a second outside', () => {
      const refusal = (start: string, end: string) => timeRefusal(oneToTwo, ZONE, new Date(start), new Date(end), now);
      expect(refusal('2026-03-29T10:00:01Z', '2026-03-29T10:30:00Z')).toBeNull();
      expect(refusal('2026-03-29T10:00:00Z', '2026-03-29T10:30:00Z')).toBe('OUTSIDE_HORIZON');
      expect(refusal('2026-03-30T09:30:00Z', '2026-03-30T10:00:00Z')).toBeNull();
      expect(refusal('2026-03-30T09:30:00Z', '2026-03-30T10:00:01Z')).toBe('OUTSIDE_HORIZON');
    });

    it('is checked before the windows', () => {
      const r = rules({ earliestDaysAhead: 1, latestDaysAhead: 2, weeklyWindows: [{ weekday: 3, startTime: '08:00', endTime: '09:00' }] });
      expect(timeRefusal(r, ZONE, new Date('2026-03-28T20:00:00Z'), new Date('2026-03-28T20:30:00Z'), now)).toBe('OUTSIDE_HORIZON');
      expect(timeRefusal(r, ZONE, new Date('2026-03-29T20:00:00Z'), new Date('2026-03-29T20:30:00Z'), now)).toBe('OUTSIDE_SHARED_HOURS');
    });

    it('cuts the permitted time to the horizon', () => {
      const window = { from: new Date('2026-03-28T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
      expect(permittedIntervals(oneToTwo, ZONE, window, now, [])).toEqual([{ start: at('2026-03-29T10:00:01Z'), end: at('2026-03-30T10:00:00Z') }]);
      const past = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-29T10:00:01Z') };
      expect(permittedIntervals(oneToTwo, ZONE, past, now, [])).toEqual([]);
    });
  });

  describe('quota days', () => {
    const window = { from: new Date('2026-10-24T00:00:00Z'), to: new Date('2026-10-27T00:00:00Z') };

    it('a full day removes that whole local day, 25 hours on 25 October and 23 on 29 March', () => {
      expect(dayIntervals([FALL], ZONE)).toEqual([{ start: at('2026-10-24T22:00:00Z'), end: at('2026-10-25T23:00:00Z') }]);
      expect(dayIntervals([SPRING], ZONE)).toEqual([{ start: at('2026-03-28T23:00:00Z'), end: at('2026-03-29T22:00:00Z') }]);
      expect(permittedIntervals(rules(), ZONE, window, EARLY_NOW, [FALL])).toEqual([
        { start: at('2026-10-24T00:00:00Z'), end: at('2026-10-24T22:00:00Z') },
        { start: at('2026-10-25T23:00:00Z'), end: at('2026-10-27T00:00:00Z') },
      ]);
    });

    it('consecutive full days join', () => {
      expect(dayIntervals(['2026-10-26', FALL], ZONE)).toEqual([{ start: at('2026-10-24T22:00:00Z'), end: at('2026-10-26T23:00:00Z') }]);
    });

    it('are not timeRefusal\'s business (the quota is checked where bookings are counted)', () => {
      expect(timeRefusal(rules(), ZONE, new Date('2026-10-25T10:00:00Z'), new Date('2026-10-25T10:30:00Z'), EARLY_NOW)).toBeNull();
    });
  });

  describe('localDayOf', () => {
    it('reads the day of the centre, on either side of local midnight and of the changes', () => {
      expect(localDayOf(new Date('2026-03-28T22:59:59Z'), ZONE)).toBe('2026-03-28');
      expect(localDayOf(new Date('2026-03-28T23:00:00Z'), ZONE)).toBe(SPRING);
      expect(localDayOf(new Date('2026-03-29T21:59:59Z'), ZONE)).toBe(SPRING);
      expect(localDayOf(new Date('2026-03-29T22:00:00Z'), ZONE)).toBe('2026-03-30');
      expect(localDayOf(new Date('2026-10-24T22:00:00Z'), ZONE)).toBe(FALL);
      expect(localDayOf(new Date('2026-10-25T22:59:59Z'), ZONE)).toBe(FALL);
      expect(localDayOf(new Date('2026-10-25T23:00:00Z'), ZONE)).toBe('2026-10-26');
    });
  });

  describe('restricting free time and slots', () => {
    const permitted = [{ start: at('2026-01-05T08:00:00Z'), end: at('2026-01-05T12:00:00Z') }, { start: at('2026-01-05T13:00:00Z'), end: at('2026-01-05T14:00:00Z') }];

    it('cuts free intervals and writes instants as the availability query does (no ".000")', () => {
      expect(restrictFree([['2026-01-05T07:00:00Z', '2026-01-05T13:30:00Z']], permitted)).toEqual([
        ['2026-01-05T08:00:00Z', '2026-01-05T12:00:00Z'], ['2026-01-05T13:00:00Z', '2026-01-05T13:30:00Z'],
      ]);
      expect(restrictFree([['2026-01-05T07:00:00.500Z', '2026-01-05T08:30:00.250Z']], [{ start: at('2026-01-05T07:00:00Z'), end: at('2026-01-05T09:00:00Z') }]))
        .toEqual([['2026-01-05T07:00:00.500Z', '2026-01-05T08:30:00.250Z']]);
      expect(restrictFree([['2026-01-05T12:00:00Z', '2026-01-05T13:00:00Z']], permitted)).toEqual([]);
    });

    it('keeps a FREE slot only when the whole appointment is permitted; OCCUPIED slots always', () => {
      const slots: Array<[string, string, 'FREE' | 'OCCUPIED']> = [
        ['2026-01-05T11:30:00Z', '2026-01-05T12:00:00Z', 'FREE'],
        ['2026-01-05T11:45:00Z', '2026-01-05T12:15:00Z', 'FREE'],
        ['2026-01-05T12:00:00Z', '2026-01-05T12:30:00Z', 'OCCUPIED'],
        ['2026-01-05T13:00:00Z', '2026-01-05T13:30:00Z', 'FREE'],
      ];
      expect(restrictSlots(slots, permitted, null)).toEqual([slots[0], slots[2], slots[3]]);
      // A 45-minute service from 11:30 would end at 12:15, and from 13:00 at 13:45.
      expect(restrictSlots(slots, permitted, 45)).toEqual([slots[2], slots[3]]);
      expect(restrictSlots(slots, permitted, 60)).toEqual([slots[2], slots[3]]);
      expect(restrictSlots(slots, permitted, 61)).toEqual([slots[2]]);
    });
  });
});

describe('share restrictions: properties', () => {
  it('permittedIntervals is exactly the instants the reference permits, merged and sorted', () => {
    fc.assert(fc.property(scenario, (s) => {
      const answer = permittedIntervals(s.restrictions, ZONE, { from: new Date(s.from), to: new Date(s.to) }, new Date(s.now), s.fullDays);
      expectMerged(answer);
      for (const t of probes(s, answer)) {
        const expected = permittedAt(s.restrictions, s.from, s.to, s.now, s.fullDays, t);
        if (inUnion(answer, t) !== expected) {
          throw new Error(`at ${iso(t)} (local ${JSON.stringify(localOf(t))}) the reference says ${expected ? 'permitted' : 'not permitted'}; `
            + `permittedIntervals answered ${JSON.stringify(show(answer))} for ${describeScenario(s)}`);
        }
      }
    }), RUNS);
  });

  it('timeRefusal agrees with the reference and with permittedIntervals for random appointments', () => {
    // Starting anywhere in the span, or just before or after either end of the horizon.
    const appointment = fc.record({
      anchor: fc.constantFrom('span' as const, 'horizonStart' as const, 'horizonEnd' as const),
      startQuarter: fc.integer({ min: 0, max: 3 * 96 }), edgeQuarter: fc.integer({ min: -16, max: 4 }),
      minutes: fc.integer({ min: 1, max: 240 }), secondOffset: fc.integer({ min: -2, max: 2 }),
    });
    fc.assert(fc.property(scenario, appointment, (s, a) => {
      const horizon = referenceHorizon(s.restrictions, s.now);
      const anchor = a.anchor === 'span' ? s.from + a.startQuarter * 15 * MINUTE : (a.anchor === 'horizonStart' ? horizon.start : horizon.end) + a.edgeQuarter * 15 * MINUTE;
      const start = anchor + a.secondOffset * 1000;
      const end = start + a.minutes * MINUTE;
      let expected: string | null = null;
      if (start < horizon.start || end > horizon.end) expected = 'OUTSIDE_HORIZON';
      else {
        // Every instant of [start, end) inside a window: windows change only on the quarter hour, so probe those and the ends.
        const samples = [start, end - 1];
        for (let t = start - (start % (15 * MINUTE)) + 15 * MINUTE; t < end; t += 15 * MINUTE) samples.push(t - 1, t);
        if (!samples.every((t) => t < start || inWindows(s.restrictions, t))) expected = 'OUTSIDE_SHARED_HOURS';
      }
      const refusal = timeRefusal(s.restrictions, ZONE, new Date(start), new Date(end), new Date(s.now));
      const context = `appointment ${iso(start)} – ${iso(end)}, ${describeScenario(s)}`;
      if (refusal !== expected) throw new Error(`timeRefusal said ${refusal}, the reference ${expected}: ${context}`);
      // The same question put to permittedIntervals (without full days): is [start, end) inside one permitted interval?
      const around = { from: new Date(start - DAY), to: new Date(end + DAY) };
      const permitted = permittedIntervals(s.restrictions, ZONE, around, new Date(s.now), []);
      const covered = permitted.some((i) => i.start <= start && end <= i.end);
      if (covered !== (refusal === null)) {
        throw new Error(`timeRefusal said ${refusal} but permittedIntervals ${covered ? 'covers' : 'does not cover'} it (${JSON.stringify(show(permitted))}): ${context}`);
      }
    }), RUNS);
  });

  it('restricted free time is the free time that is permitted: inside both, and all of their common part', () => {
    fc.assert(fc.property(scenario, fc.array(fc.record({ at: fc.integer({ min: -96, max: 4 * 96 }), quarters: fc.integer({ min: 1, max: 48 }) }), { maxLength: 6 }), (s, pieces) => {
      const free = pieces.map((p) => ({ start: s.from + p.at * 15 * MINUTE + 7000, end: s.from + (p.at + p.quarters) * 15 * MINUTE }));
      const permitted = permittedIntervals(s.restrictions, ZONE, { from: new Date(s.from), to: new Date(s.to) }, new Date(s.now), s.fullDays);
      const answer = restrictFree(free.map((i) => [iso(i.start).replace('.000Z', 'Z'), iso(i.end).replace('.000Z', 'Z')]), permitted);
      for (const [start, end] of answer) {
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/.test(start) || start.endsWith('.000Z') || end.endsWith('.000Z')) throw new Error(`badly written instant ${start} / ${end}`);
      }
      const restricted = answer.map(([start, end]) => ({ start: Date.parse(start), end: Date.parse(end) }));
      expectMerged(restricted);
      const edges = [...free, ...permitted, ...restricted].flatMap((i) => [i.start - 1, i.start, i.end - 1, i.end]);
      for (const t of edges) {
        const expected = inUnion(free, t) && inUnion(permitted, t);
        if (inUnion(restricted, t) !== expected) {
          throw new Error(`at ${iso(t)}: free ${inUnion(free, t)}, permitted ${inUnion(permitted, t)}, restricted ${inUnion(restricted, t)}; `
            + `free ${JSON.stringify(show(free))}, permitted ${JSON.stringify(show(permitted))}, answer ${JSON.stringify(answer)}`);
        }
      }
    }), RUNS);
  });

  it('a FREE slot is kept iff [start, start + need) (or the slot itself) lies in permitted time; OCCUPIED slots always, in order', () => {
    const permittedArb = fc.array(fc.record({ gap: fc.integer({ min: 1, max: 40 }), length: fc.integer({ min: 1, max: 40 }) }), { maxLength: 5 })
      .map((pieces) => {
        let cursor = at('2026-06-01T06:00:00Z');
        return pieces.map(({ gap, length }) => {
          const interval = { start: cursor + gap * 5 * MINUTE, end: cursor + (gap + length) * 5 * MINUTE };
          cursor = interval.end;
          return interval;
        });
      });
    const slotArb = fc.record({ at: fc.integer({ min: 0, max: 200 }), minutes: fc.integer({ min: 5, max: 90 }), free: fc.boolean() });
    fc.assert(fc.property(permittedArb, fc.array(slotArb, { maxLength: 8 }), fc.option(fc.integer({ min: 1, max: 120 })), (permitted, slotSpecs, need) => {
      const slots = slotSpecs.map((spec): [string, string, 'FREE' | 'OCCUPIED'] => {
        const start = at('2026-06-01T06:00:00Z') + spec.at * 5 * MINUTE;
        return [iso(start), iso(start + spec.minutes * MINUTE), spec.free ? 'FREE' : 'OCCUPIED'];
      });
      const expected = slots.filter(([start, end, state]) => state === 'OCCUPIED'
        || unionCovers(permitted, Date.parse(start), need === null ? Date.parse(end) : Date.parse(start) + need * MINUTE));
      expect({ permitted: show(permitted), need, kept: restrictSlots(slots, permitted, need) }).toEqual({ permitted: show(permitted), need, kept: expected });
    }), RUNS);
  });

  it('localDayOf is the local calendar day by Intl', () => {
    fc.assert(fc.property(fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2028-01-01T00:00:00Z') }), (t) => {
      expect({ instant: iso(t), day: localDayOf(new Date(t), ZONE) }).toEqual({ instant: iso(t), day: localOf(t).day });
    }), RUNS);
  });

  it('merge, intersect and subtract are union, intersection and difference, merged and sorted', () => {
    const intervals = fc.array(fc.record({ start: fc.integer({ min: 0, max: 60 }), length: fc.integer({ min: -2, max: 15 }) })
      .map(({ start, length }) => ({ start, end: start + length })), { maxLength: 6 });
    const inHalfOpen = (list: readonly Interval[], t: number) => list.some((i) => i.start <= t && t < i.end);
    fc.assert(fc.property(intervals, intervals, (a, b) => {
      const results = { merge: merge(a), intersect: intersect(a, b), subtract: subtract(a, b) };
      for (const [name, result] of Object.entries(results)) {
        try {
          expectMerged(result);
        } catch (error) {
          throw new Error(`${name}(${JSON.stringify(a)}, ${JSON.stringify(b)}) = ${JSON.stringify(result)}: ${(error as Error).message}`, { cause: error });
        }
      }
      for (let t = -1; t <= 80; t++) {
        const expected = { merge: inHalfOpen(a, t), intersect: inHalfOpen(a, t) && inHalfOpen(b, t), subtract: inHalfOpen(a, t) && !inHalfOpen(b, t) };
        const received = { merge: inHalfOpen(results.merge, t), intersect: inHalfOpen(results.intersect, t), subtract: inHalfOpen(results.subtract, t) };
        if (JSON.stringify(expected) !== JSON.stringify(received)) {
          throw new Error(`at ${t}: expected ${JSON.stringify(expected)}, received ${JSON.stringify(received)}; a ${JSON.stringify(a)}, b ${JSON.stringify(b)}, results ${JSON.stringify(results)}`);
        }
      }
    }), RUNS);
  });
});
