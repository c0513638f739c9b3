import { DateTime } from 'luxon';

/**
 * An independent, deliberately plain model of availability (luxon, no SQL, minute by minute): the
 * property tests compare the server's answer with it.
 *
 * - Weekly hours are expanded per LOCAL calendar day, within their validity dates; extra hours add
 *   blocks; closures remove time. A local time that does not exist (spring forward) moves forward
 *   by the gap and an ambiguous one (fall back) is read as standard time: PostgreSQL's rules, and
 *   luxon's. A block whose end so lands before its start (02:30–03:15 on a spring-forward day:
 *   03:30–03:15 in real time) is empty.
 * - Each block anchors its own slot grid. A slot is listed when it lies inside the window and inside
 *   open time. It is FREE when the service (one slot, without a service) fits into open, unbooked
 *   time from its start — the window limits which slots are listed, never their state — OCCUPIED
 *   when it overlaps a booking, and not listed otherwise (the service would run past closing).
 */
export interface ReferenceSchedule {
  timeZone: string;
  slotMinutes: number;
  /** validFrom / validUntil: "YYYY-MM-DD", inclusive; omitted: no limit. */
  hours: Array<{ weekday: number; startTime: string; endTime: string; validFrom?: string; validUntil?: string | null }>;
  exceptions: Array<{ kind: 'CLOSED' | 'EXTRA_HOURS'; startsLocal: string; endsLocal: string }>;
  bookings: Array<{ start: string; end: string }>;
}

export interface ReferenceSlot {
  start: string;
  end: string;
  state: 'FREE' | 'OCCUPIED';
}

export interface ReferenceInterval {
  start: string;
  end: string;
}

type Interval = [number, number];
const MINUTE = 60_000;

const toMs = (local: string, zone: string): number => DateTime.fromISO(local, { zone }).toMillis();
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The opening blocks of the local days around [from, to), in real time; empty ones left out. */
export function referenceBlocks(schedule: ReferenceSchedule, from: string, to: string): Interval[] {
  const zone = schedule.timeZone;
  const blocks: Interval[] = [];
  let day = DateTime.fromISO(from, { zone }).startOf('day').minus({ days: 1 });
  const lastDay = DateTime.fromISO(to, { zone }).startOf('day').plus({ days: 1 });
  for (; day <= lastDay; day = day.plus({ days: 1 })) {
    const date = day.toISODate()!;
    for (const hours of schedule.hours) {
      if (hours.weekday !== day.weekday || date < (hours.validFrom ?? '0000') || date > (hours.validUntil ?? '9999')) continue;
      blocks.push([toMs(`${date}T${hours.startTime}`, zone), toMs(`${date}T${hours.endTime}`, zone)]);
    }
  }
  for (const extra of schedule.exceptions.filter((e) => e.kind === 'EXTRA_HOURS')) blocks.push([toMs(extra.startsLocal, zone), toMs(extra.endsLocal, zone)]);
  return blocks.filter(([start, end]) => start < end);
}

function model(schedule: ReferenceSchedule, from: string, to: string) {
  const zone = schedule.timeZone;
  const window: Interval = [Date.parse(from), Date.parse(to)];
  const blocks = referenceBlocks(schedule, from, to);
  const closed = schedule.exceptions.filter((e) => e.kind === 'CLOSED').map((e): Interval => [toMs(e.startsLocal, zone), toMs(e.endsLocal, zone)]);
  const busy = schedule.bookings.map((b): Interval => [Date.parse(b.start), Date.parse(b.end)]);
  const inAny = (at: number, intervals: Interval[]) => intervals.some(([s, e]) => at >= s && at < e);
  const isOpen = (at: number): boolean => inAny(at, blocks) && !inAny(at, closed);
  const isBusy = (at: number): boolean => inAny(at, busy);
  const inWindow = (at: number): boolean => at >= window[0] && at < window[1];
  return { window, blocks, isOpen, isBusy, inWindow };
}

const allMinutes = (start: number, end: number, test: (at: number) => boolean): boolean => {
  for (let at = start; at < end; at += MINUTE) if (!test(at)) return false;
  return true;
};

/** Maximal runs of minutes in [from, to) that pass the test. */
function runs(window: Interval, test: (at: number) => boolean): ReferenceInterval[] {
  const result: ReferenceInterval[] = [];
  let runStart: number | null = null;
  for (let at = window[0]; at <= window[1]; at += MINUTE) {
    const inside = at < window[1] && test(at);
    if (inside && runStart === null) runStart = at;
    if (!inside && runStart !== null) {
      result.push({ start: iso(runStart), end: iso(at) });
      runStart = null;
    }
  }
  return result;
}

/** Open time (blocks minus closures) inside the window, and its free and booked parts: merged intervals. */
export function referenceAgenda(schedule: ReferenceSchedule, from: string, to: string): { open: ReferenceInterval[]; free: ReferenceInterval[]; occupied: ReferenceInterval[] } {
  const { window, isOpen, isBusy } = model(schedule, from, to);
  return {
    open: runs(window, isOpen),
    free: runs(window, (at) => isOpen(at) && !isBusy(at)),
    occupied: runs(window, (at) => isOpen(at) && isBusy(at)),
  };
}

export function referenceSlots(schedule: ReferenceSchedule, from: string, to: string, serviceMinutes?: number): ReferenceSlot[] {
  const { blocks, isOpen, isBusy, inWindow } = model(schedule, from, to);
  const slot = schedule.slotMinutes * MINUTE;
  const need = (serviceMinutes ?? schedule.slotMinutes) * MINUTE;
  const slots = new Map<number, ReferenceSlot>();
  for (const [blockStart, blockEnd] of blocks) {
    for (let start = blockStart; start + slot <= blockEnd; start += slot) {
      if (slots.has(start) || !allMinutes(start, start + slot, (at) => inWindow(at) && isOpen(at))) continue;
      const free = allMinutes(start, start + need, (at) => isOpen(at) && !isBusy(at));
      const occupied = !allMinutes(start, start + slot, (at) => !isBusy(at));
      if (free || occupied) slots.set(start, { start: iso(start), end: iso(start + slot), state: free ? 'FREE' : 'OCCUPIED' });
    }
  }
  return [...slots.values()].sort((a, b) => a.start.localeCompare(b.start));
}

/** Free time for a service: what it takes from each start where it fits (merged), as availability answers with a serviceId. */
export function referenceServiceFree(schedule: ReferenceSchedule, from: string, to: string, serviceMinutes: number): ReferenceInterval[] {
  const need = serviceMinutes * MINUTE;
  const covered = referenceSlots(schedule, from, to, serviceMinutes).filter((slot) => slot.state === 'FREE')
    .map((slot) => [Date.parse(slot.start), Date.parse(slot.start) + need] as const);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of covered) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([start, end]) => ({ start: iso(start), end: iso(end) }));
}
