import fc from 'fast-check';
import { AppError, ErrorCode, type FieldProblem } from '../../src/platform/errors';
import type { WeeklyHours, WeeklyHoursInput } from '../../src/services/catalog/catalog.model';
import { assertNoOverlappingHours, toWeeklyHours } from '../../src/services/catalog/opening-hours.rules';

/**
 * Opening-hours rules (src/services/catalog/opening-hours.rules.ts): the input's normal form, and
 * "two blocks of one weekday whose validity periods share a day must not share a minute".
 * Set FC_SEED (and FC_PATH) to replay a failure that fast-check reported.
 */

const NUM_RUNS = Number(process.env.FC_RUNS ?? 100);
const FC_REPLAY = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {};

const block = (weekday: number, startTime: string, endTime: string, validFrom = '2026-01-01', validUntil: string | null = null): WeeklyHours =>
  ({ weekday, startTime, endTime, validFrom, validUntil });

/** The problems assertNoOverlappingHours reports, or [] when it accepts the list. */
function problemsOf(hours: readonly WeeklyHours[], field = 'input.hours'): FieldProblem[] {
  try {
    assertNoOverlappingHours(hours, field);
    return [];
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    const fields = error.details.fields as FieldProblem[];
    expect(fields.length).toBeGreaterThan(0);
    return fields;
  }
}

const overlapProblem = (index: number, earlier: number, field = 'input.hours'): FieldProblem =>
  ({ field: `${field}[${index}]`, problems: [`overlaps ${field}[${earlier}] on the same weekday and validity period`] });

describe('toWeeklyHours', () => {
  it('keeps the five fields, an absent validUntil becoming null (open-ended)', () => {
    const input: WeeklyHoursInput[] = [
      { weekday: 1, startTime: '08:00', endTime: '12:00', validFrom: '2026-01-01' },
      { weekday: 7, startTime: '20:00', endTime: '24:00', validFrom: '2026-01-01', validUntil: '2026-06-30' },
      { weekday: 3, startTime: '09:00', endTime: '10:00', validFrom: '2026-02-01', validUntil: null },
    ];
    expect(toWeeklyHours(input)).toEqual([
      { weekday: 1, startTime: '08:00', endTime: '12:00', validFrom: '2026-01-01', validUntil: null },
      { weekday: 7, startTime: '20:00', endTime: '24:00', validFrom: '2026-01-01', validUntil: '2026-06-30' },
      { weekday: 3, startTime: '09:00', endTime: '10:00', validFrom: '2026-02-01', validUntil: null },
    ]);
  });

  it('drops whatever else the input object carries', () => {
    const input = [{ weekday: 2, startTime: '08:00', endTime: '09:00', validFrom: '2026-01-01', scheduleId: 'x' }] as unknown as WeeklyHoursInput[];
    expect(Object.keys(toWeeklyHours(input)[0]).sort()).toEqual(['endTime', 'startTime', 'validFrom', 'validUntil', 'weekday']);
  });
});

describe('assertNoOverlappingHours: examples', () => {
  it('accepts no blocks, one block, and blocks on different weekdays at the same hours', () => {
    expect(problemsOf([])).toEqual([]);
    expect(problemsOf([block(1, '08:00', '16:00')])).toEqual([]);
    expect(problemsOf([block(1, '08:00', '16:00'), block(2, '08:00', '16:00'), block(7, '08:00', '16:00')])).toEqual([]);
  });

  it('accepts touching blocks (08:00–12:00 and 12:00–16:00), and refuses them once they share a minute', () => {
    expect(problemsOf([block(1, '08:00', '12:00'), block(1, '12:00', '16:00')])).toEqual([]);
    expect(problemsOf([block(1, '12:00', '16:00'), block(1, '08:00', '12:00')])).toEqual([]);
    expect(problemsOf([block(1, '08:00', '12:01'), block(1, '12:00', '16:00')])).toEqual([overlapProblem(1, 0)]);
    expect(problemsOf([block(1, '08:00', '12:00'), block(1, '11:59', '16:00')])).toEqual([overlapProblem(1, 0)]);
  });

  it('refuses a block inside another, and the same block twice', () => {
    expect(problemsOf([block(4, '08:00', '18:00'), block(4, '10:00', '11:00')])).toEqual([overlapProblem(1, 0)]);
    expect(problemsOf([block(4, '10:00', '11:00'), block(4, '08:00', '18:00')])).toEqual([overlapProblem(1, 0)]);
    expect(problemsOf([block(4, '10:00', '11:00'), block(4, '10:00', '11:00')])).toEqual([overlapProblem(1, 0)]);
  });

  it('handles the end of the day, "24:00"', () => {
    expect(problemsOf([block(5, '20:00', '24:00'), block(5, '23:59', '24:00')])).toEqual([overlapProblem(1, 0)]);
    expect(problemsOf([block(5, '00:00', '08:00'), block(5, '20:00', '24:00')])).toEqual([]);
    expect(problemsOf([block(5, '00:00', '24:00'), block(5, '09:00', '10:00')])).toEqual([overlapProblem(1, 0)]);
  });

  it('accepts the same hours in validity periods that share no day (validUntil is inclusive)', () => {
    expect(problemsOf([block(1, '08:00', '12:00', '2026-01-01', '2026-03-31'), block(1, '08:00', '12:00', '2026-04-01')])).toEqual([]);
    expect(problemsOf([block(1, '08:00', '12:00', '2026-04-01'), block(1, '08:00', '12:00', '2026-01-01', '2026-03-31')])).toEqual([]);
    expect(problemsOf([block(1, '08:00', '12:00', '2026-01-01', '2026-03-31'), block(1, '08:00', '12:00', '2026-03-31')])).toEqual([overlapProblem(1, 0)]);
    expect(problemsOf([block(1, '08:00', '12:00', '2026-03-31', '2026-03-31'), block(1, '08:00', '12:00', '2026-03-31', '2026-03-31')])).toEqual([overlapProblem(1, 0)]);
  });

  it('treats a missing validUntil as open-ended', () => {
    expect(problemsOf([block(1, '08:00', '12:00', '2026-01-01'), block(1, '09:00', '10:00', '2099-01-01')])).toEqual([overlapProblem(1, 0)]);
    expect(problemsOf([block(1, '08:00', '12:00', '2099-01-01'), block(1, '09:00', '10:00', '2026-01-01')])).toEqual([overlapProblem(1, 0)]);
    expect(problemsOf([block(1, '08:00', '12:00', '2026-01-01', '2098-12-31'), block(1, '09:00', '10:00', '2099-01-01')])).toEqual([]);
  });

  it('reports every overlapping block, naming the first earlier block it overlaps, under the given field', () => {
    const hours = [block(2, '08:00', '10:00'), block(2, '12:00', '14:00'), block(2, '13:00', '15:00'), block(2, '09:00', '13:30'), block(3, '09:00', '13:30')];
    expect(problemsOf(hours, 'input.openingHours')).toEqual([overlapProblem(2, 1, 'input.openingHours'), overlapProblem(3, 0, 'input.openingHours')]);
  });

  it('throws BAD_USER_INPUT', () => {
    expect(() => assertNoOverlappingHours([block(1, '08:00', '12:00'), block(1, '09:00', '10:00')], 'hours'))
      .toThrow(expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, details: { fields: [overlapProblem(1, 0, 'hours')] } }));
  });
});

describe('assertNoOverlappingHours: property', () => {
  // Few weekdays, hours on the half hour and validity days within a few weeks, so that overlaps are frequent.
  const minute = fc.integer({ min: 0, max: 48 }).map((half) => half * 30);
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const day = fc.integer({ min: 0, max: 40 }).map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10));
  const weeklyHours: fc.Arbitrary<WeeklyHours> = fc.record({
    weekday: fc.integer({ min: 1, max: 2 }), a: minute, b: minute, from: day, until: fc.option(day, { nil: null }),
  }).filter(({ a, b }) => a !== b).map(({ weekday, a, b, from, until }) => ({
    weekday, startTime: hhmm(Math.min(a, b)), endTime: hhmm(Math.max(a, b)),
    // A block's own order (validFrom ≤ validUntil) is checked where the input is parsed.
    validFrom: until !== null && until < from ? until : from, validUntil: until !== null && until < from ? from : until,
  }));

  /** Plain reference: minutes of the day and day numbers, an open end being infinite. */
  function referenceOverlap(a: WeeklyHours, b: WeeklyHours): boolean {
    const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
    const dayNumber = (date: string | null) => (date === null ? Number.POSITIVE_INFINITY : Date.parse(`${date}T00:00:00Z`) / 86_400_000);
    const shareMinute = Math.max(minutes(a.startTime), minutes(b.startTime)) < Math.min(minutes(a.endTime), minutes(b.endTime));
    const shareDay = Math.max(dayNumber(a.validFrom), dayNumber(b.validFrom)) <= Math.min(dayNumber(a.validUntil), dayNumber(b.validUntil));
    return a.weekday === b.weekday && shareMinute && shareDay;
  }

  it('reports exactly the blocks that share a minute and a day with an earlier block of their weekday', () => {
    fc.assert(fc.property(fc.array(weeklyHours, { maxLength: 6 }), (hours) => {
      const expected: FieldProblem[] = [];
      hours.forEach((current, index) => {
        const earlier = hours.findIndex((other, j) => j < index && referenceOverlap(current, other));
        if (earlier >= 0) expected.push(overlapProblem(index, earlier));
      });
      expect({ hours, problems: problemsOf(hours) }).toEqual({ hours, problems: expected });
    }), { numRuns: NUM_RUNS, ...FC_REPLAY });
  });
});
