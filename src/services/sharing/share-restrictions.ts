import { DateTime } from 'luxon';
import type { Instant, SlotState } from '../scheduling/availability.model';
import type { ShareRefusal, ShareRestrictions } from '../../federation/peer-protocol';

/**
 * The share's rules as time: which instants a client may book through it. Pure functions over
 * epoch milliseconds; local rules (weekly windows, quota days) are expanded per local day of the
 * sharing centre's zone, so daylight-saving days get their real length.
 */
export interface Interval {
  start: number;
  end: number;
}

const SECOND = 1000;

/** [now + earliestDaysAhead days, now + latestDaysAhead days], in whole seconds (calendar days of the centre's zone). */
export function horizonOf(restrictions: ShareRestrictions, timeZone: string, now: Date): Interval {
  const base = DateTime.fromJSDate(now, { zone: timeZone });
  const start = base.plus({ days: restrictions.earliestDaysAhead }).toMillis();
  const end = base.plus({ days: restrictions.latestDaysAhead }).toMillis();
  return { start: Math.ceil(start / SECOND) * SECOND, end: Math.floor(end / SECOND) * SECOND };
}

/** The weekly windows expanded over the local days touching [from, to); no windows means the whole span. */
export function windowIntervals(restrictions: ShareRestrictions, timeZone: string, from: number, to: number): Interval[] {
  if (restrictions.weeklyWindows.length === 0) return [{ start: from, end: to }];
  const intervals: Interval[] = [];
  let day = DateTime.fromMillis(from, { zone: timeZone }).startOf('day').minus({ days: 1 });
  const last = DateTime.fromMillis(to, { zone: timeZone }).startOf('day').plus({ days: 1 });
  while (day <= last) {
    for (const window of restrictions.weeklyWindows) {
      if (window.weekday !== day.weekday) continue;
      const start = atLocalTime(day, window.startTime).toMillis();
      const end = atLocalTime(day, window.endTime).toMillis();
      if (end > start) intervals.push({ start, end });
    }
    day = day.plus({ days: 1 });
  }
  return intersect(merge(intervals), [{ start: from, end: to }]);
}

/** Whole local days, e.g. the days on which the share's daily quota is used up. */
export function dayIntervals(days: readonly string[], timeZone: string): Interval[] {
  return merge(days.map((day) => {
    const start = DateTime.fromISO(day, { zone: timeZone }).startOf('day');
    return { start: start.toMillis(), end: start.plus({ days: 1 }).toMillis() };
  }));
}

/** The local calendar day ("YYYY-MM-DD") of an instant in the centre's zone. */
export function localDayOf(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toISODate()!;
}

/** When a client may book through the share within [from, to): horizon ∩ weekly windows − days whose quota is used up. */
export function permittedIntervals(
  restrictions: ShareRestrictions, timeZone: string, window: { from: Date; to: Date }, now: Date, fullDays: readonly string[],
): Interval[] {
  const horizon = intersect([horizonOf(restrictions, timeZone, now)], [{ start: window.from.getTime(), end: window.to.getTime() }]);
  if (horizon.length === 0) return [];
  const windows = windowIntervals(restrictions, timeZone, horizon[0].start, horizon[0].end);
  return subtract(windows, dayIntervals(fullDays, timeZone));
}

/** Why the share's rules refuse [start, end) (service and quota aside), or null when they allow it. */
export function timeRefusal(restrictions: ShareRestrictions, timeZone: string, start: Date, end: Date, now: Date): ShareRefusal | null {
  const horizon = horizonOf(restrictions, timeZone, now);
  if (start.getTime() < horizon.start || end.getTime() > horizon.end) return 'OUTSIDE_HORIZON';
  const windows = windowIntervals(restrictions, timeZone, start.getTime(), end.getTime());
  if (!covers(windows, { start: start.getTime(), end: end.getTime() })) return 'OUTSIDE_SHARED_HOURS';
  return null;
}

/** Free intervals (as the availability query answers them) cut to what is permitted. */
export function restrictFree(free: ReadonlyArray<[Instant, Instant]>, permitted: Interval[]): Array<[Instant, Instant]> {
  const intervals = free.map(([start, end]) => ({ start: Date.parse(start), end: Date.parse(end) }));
  return intersect(intervals, permitted).map((interval) => [formatInstant(interval.start), formatInstant(interval.end)]);
}

/**
 * Slots with FREE ones kept only when the whole appointment (`needMinutes` from the slot's start,
 * or the slot itself) lies in permitted time; OCCUPIED slots stay as they are.
 */
export function restrictSlots<State extends SlotState>(
  slots: ReadonlyArray<[Instant, Instant, State]>, permitted: Interval[], needMinutes: number | null,
): Array<[Instant, Instant, State]> {
  return slots.filter(([start, end, state]) => {
    if (state !== 'FREE') return true;
    const from = Date.parse(start);
    const until = needMinutes === null ? Date.parse(end) : from + needMinutes * 60_000;
    return covers(permitted, { start: from, end: until });
  });
}

/**
 * "HH:MM" (or "24:00") on a local day, read as PostgreSQL reads it (the opening hours are expanded
 * there): a time skipped by a DST change moves forward, and a time that happens twice is the later
 * one, in standard time (luxon would take the earlier).
 */
function atLocalTime(day: DateTime, time: string): DateTime {
  if (time === '24:00') return day.plus({ days: 1 }).startOf('day');
  const [hour, minute] = time.split(':').map(Number);
  const local = day.set({ hour, minute, second: 0, millisecond: 0 });
  const readings = local.getPossibleOffsets();
  return readings.length > 1 ? readings.reduce((later, reading) => (reading.toMillis() > later.toMillis() ? reading : later)) : local;
}

function covers(intervals: readonly Interval[], target: Interval): boolean {
  return intervals.some((interval) => interval.start <= target.start && target.end <= interval.end);
}

/** Sorted, overlapping and touching intervals joined. */
export function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const left = merge(a);
  const right = merge(b);
  const result: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const start = Math.max(left[i].start, right[j].start);
    const end = Math.min(left[i].end, right[j].end);
    if (end > start) result.push({ start, end });
    if (left[i].end < right[j].end) i++;
    else j++;
  }
  return result;
}

export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const cuts = merge(b);
  const result: Interval[] = [];
  for (const interval of merge(a)) {
    let start = interval.start;
    for (const cut of cuts) {
      if (cut.end <= start || cut.start >= interval.end) continue;
      if (cut.start > start) result.push({ start, end: cut.start });
      start = Math.max(start, cut.end);
    }
    if (start < interval.end) result.push({ start, end: interval.end });
  }
  return result;
}

/** The availability query's format: ISO-8601 UTC, seconds, no milliseconds unless there are some. */
function formatInstant(ms: number): Instant {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
