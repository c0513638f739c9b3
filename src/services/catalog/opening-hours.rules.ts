import { badInput, type FieldProblem } from '../../platform/errors';
import type { WeeklyHours, WeeklyHoursInput } from './catalog.model';

export function toWeeklyHours(hours: readonly WeeklyHoursInput[]): WeeklyHours[] {
  return hours.map((block) => ({
    weekday: block.weekday, startTime: block.startTime, endTime: block.endTime, validFrom: block.validFrom, validUntil: block.validUntil ?? null,
  }));
}

/**
 * A weekly list must be unambiguous: two blocks of one weekday whose validity periods share a day
 * must not share a minute (touching blocks, 08:00–12:00 and 12:00–16:00, are fine).
 * Each block's own field formats and order are checked where the input is parsed.
 */
export function assertNoOverlappingHours(hours: readonly WeeklyHours[], field: string): void {
  const problems: FieldProblem[] = [];
  hours.forEach((block, index) => {
    const earlier = hours.slice(0, index).findIndex((other) => overlap(block, other));
    if (earlier >= 0) {
      problems.push({ field: `${field}[${index}]`, problems: [`overlaps ${field}[${earlier}] on the same weekday and validity period`] });
    }
  });
  if (problems.length > 0) throw badInput(problems);
}

// "HH:MM" and "YYYY-MM-DD" order as text the way they order in time.
function overlap(a: WeeklyHours, b: WeeklyHours): boolean {
  return a.weekday === b.weekday
    && a.startTime < b.endTime && b.startTime < a.endTime
    && a.validFrom <= (b.validUntil ?? '9999-12-31') && b.validFrom <= (a.validUntil ?? '9999-12-31');
}
