import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import { startHttpFloor } from '../floors';
import { graphql } from '../lib/careslot';
import { freeSlots, TIME_ZONE, type FreeSlot } from '../lib/data';
import { atLeast, atMost, check, floorJob, graphqlJob, measureInTurns, summary, target, TURNS_NOTE, type BenchContext, type Scenario, type Side } from '../lib/scenario';
import { COMPACT_QUERY } from './s1-availability';
import { HOLD_MUTATION, RELEASE_MUTATION } from './s13-hold-booking';

/** Staff's per-slot list with the holds: a held slot is HELD until heldUntil. */
const SLOTS_QUERY = `query Slots($centreId: ID!, $from: Instant!, $to: Instant!) {
  availability(centreId: $centreId, from: $from, to: $to) { schedules { scheduleId slots { start end state heldUntil } } }
}`;

/** Share of the bench centre's free slots in the bench week that are held. */
const HELD_SHARE = 0.2;
/** Holds placed (and released) this many at a time. */
const PLACING = 8;

interface PlacedHold {
  slot: FreeSlot;
  id: string;
  expiresAt: string;
}

type Interval = { start: string; end: string };
type Schedules = Array<{ scheduleId: string; free: Interval[]; occupied: Interval[] }>;
type SlotSchedules = Array<{ scheduleId: string; slots: Array<{ start: string; end: string; state: string; heldUntil: string | null }> }>;

/** `work` over `items`, `width` at a time. */
async function inParallel<T, R>(items: T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  }));
  return results;
}

/** Places the holds through the API (holdSlot, the bench admin); throws on any answer but Hold. */
async function placeHolds(ctx: BenchContext, slots: FreeSlot[], run: string): Promise<PlacedHold[]> {
  const url = ctx.careslot().url;
  return inParallel(slots, PLACING, async (slot, i) => {
    const input = { scheduleId: slot.scheduleId, serviceId: ctx.data.visit15ServiceId, start: slot.start, idempotencyKey: `bench-s14-${run}-${i}` };
    const { body } = await graphql(url, ctx.data.token, HOLD_MUTATION, { input });
    const hold = body.data?.holdSlot;
    if (hold?.__typename !== 'Hold') throw new Error(`holdSlot ${JSON.stringify(input)} answered ${JSON.stringify(body).slice(0, 300)}`);
    return { slot, id: hold.id as string, expiresAt: hold.expiresAt as string };
  });
}

const plus15 = (iso: string) => new Date(Date.parse(iso) + 15 * 60_000).getTime();
const covers = (intervals: Interval[], from: number, to: number) => intervals.some((i) => Date.parse(i.start) <= from && Date.parse(i.end) >= to);
const overlaps = (intervals: Interval[], from: number, to: number) => intervals.some((i) => Date.parse(i.start) < to && Date.parse(i.end) > from);

/**
 * 14. Availability with holds: 20% of the bench centre's free slots in the bench week held
 * (holdSlot through the API), then scenario 1's compact availability at 1 client against scenario
 * 1's floor on the same data; beside it, as information, staff's per-slot list with HELD and
 * heldUntil at 32 connections against the floor with the same list. The holds are released at the
 * end (releaseHold), so nothing after this scenario sees them.
 */
export const availabilityHoldsScenario: Scenario = async (ctx) => {
  const { data } = ctx;
  const run = randomBytes(3).toString('hex');
  const variables = { centreId: data.centreId, from: data.weekFrom, to: data.weekTo };
  const window = `from=${encodeURIComponent(data.weekFrom)}&to=${encodeURIComponent(data.weekTo)}`;
  const localDay = (iso: string) => DateTime.fromISO(iso).setZone(TIME_ZONE).toISODate()!;

  const free = await freeSlots(ctx.db.ownerUrl, data, { centreIds: [data.centreId], fromDay: localDay(data.weekFrom), toDay: localDay(data.weekTo), limit: 10 * 32 * 5, shuffle: true });
  const toHold = free.slice(0, Math.round(free.length * HELD_SHARE));
  const placing = performance.now();
  let holds: PlacedHold[] = [];
  let released: boolean[];
  let floorOne, one, floorSlots, floorSlotsPlain, slots;
  let compactSamples: Array<{ body: { data?: any; errors?: any[] }; statements: number }>;
  let slotSample: { body: { data?: any; errors?: any[] }; statements: number } | undefined;
  let sameCompact: boolean | undefined;
  let sameSlots: boolean | undefined;
  let placeMs: number;
  let leftOver: number;
  try {
    holds = await placeHolds(ctx, toHold, run);
    placeMs = Math.round(performance.now() - placing);
    ctx.log(`  held ${holds.length} of the bench centre's ${free.length} free slots in the bench week through holdSlot (${placeMs} ms, ${PLACING} at a time)`);

    compactSamples = await Promise.all(Array.from({ length: 5 }, () => graphql(ctx.careslot().url, data.token, COMPACT_QUERY, variables)));
    slotSample = await graphql(ctx.careslot().url, data.token, SLOTS_QUERY, variables);
    const floor = await startHttpFloor(ctx.floorConfig);
    const server = ctx.careslot();
    try {
      // The floor answers what careslot answers: the compact intervals, and the slots as staff see them ($11).
      const floorCompact = await (await fetch(`${floor.url}/availability?${window}`)).json() as { data: { availability: { schedules: Array<{ scheduleId: string; free: string[][]; occupied: string[][] }> } } };
      const floorList = await (await fetch(`${floor.url}/availability?${window}&slots=1&holds=1`)).json() as { data: { availability: { schedules: Array<{ scheduleId: string; slots: Array<Array<string | null>> }> } } };
      const asPairs = (intervals: Interval[]) => intervals.map((i) => [i.start, i.end]);
      sameCompact = JSON.stringify((compactSamples[0].body.data?.availability?.schedules as Schedules ?? []).map((s) => [s.scheduleId, asPairs(s.free), asPairs(s.occupied)]))
        === JSON.stringify(floorCompact.data.availability.schedules.map((s) => [s.scheduleId, s.free, s.occupied]));
      sameSlots = JSON.stringify((slotSample.body.data?.availability?.schedules as SlotSchedules ?? []).map((s) => [s.scheduleId, s.slots.map((x) => [x.start, x.end, x.state, x.heldUntil])]))
        // The SQL's fifth element (held through a share) is the API's displayMarker: none here, where no hold comes through a share.
        === JSON.stringify(floorList.data.availability.schedules.map((s) => [s.scheduleId, s.slots.map((slot) => slot.slice(0, 4))]));

      [floorOne, one] = await measureInTurns([
        { server: floor, job: floorJob(ctx, floor, `/availability?${window}`, 1) },
        { server, job: graphqlJob(ctx, COMPACT_QUERY, variables, 1) },
      ]);
      // Longer than scenario 1's (at least 2 s): with the holds an answer takes up to a second at 32
      // connections, and a turn's unanswered requests still load the server in the next turn.
      const slotSeconds = Math.max(4, ctx.settings.duration);
      // Beside them the floor without showHolds ($11 null): what the HELD lookup costs in the SQL itself.
      const perSlot: Side[] = [
        { server: floor, job: { ...floorJob(ctx, floor, `/availability?${window}&slots=1&holds=1`, 32), duration: slotSeconds } },
        { server, job: graphqlJob(ctx, SLOTS_QUERY, variables, 32, { duration: slotSeconds }) },
        { server: floor, job: { ...floorJob(ctx, floor, `/availability?${window}&slots=1`, 32), duration: slotSeconds } },
      ];
      [floorSlots, slots, floorSlotsPlain] = await measureInTurns(perSlot);
    } finally {
      await floor.stop();
    }
  } finally {
    // Given back through the API: released only while it still holds (so true for all = no hold expired during the measurement).
    released = await inParallel(holds, PLACING, async (hold) => {
      const { body } = await graphql(ctx.careslot().url, data.token, RELEASE_MUTATION, { input: { holdId: hold.id } });
      return body.data?.releaseHold?.released === true;
    }).catch(() => []);
    // Whatever is left (a failure on the way, a hold placed but not answered) goes by SQL, so that later scenarios see none.
    const client = new Client({ connectionString: ctx.db.ownerUrl });
    await client.connect();
    try {
      leftOver = (await client.query(`DELETE FROM appointments WHERE tenant_id = $1 AND status = 'HELD' AND starts_at >= $2 AND starts_at < $3`, [data.tenantId, data.weekFrom, data.weekTo])).rowCount ?? 0;
    } finally {
      await client.end();
    }
  }

  // Every held slot: inside the occupied time of its schedule, outside its free time, HELD in the list until the hold's expiry.
  const compact: Schedules = compactSamples[0].body.data?.availability?.schedules ?? [];
  const list: SlotSchedules = slotSample!.body.data?.availability?.schedules ?? [];
  const byId = <T extends { scheduleId: string }>(rows: T[]) => new Map(rows.map((row) => [row.scheduleId, row]));
  const compactOf = byId(compact);
  const listOf = byId(list);
  const notOccupied = holds.filter((h) => {
    const schedule = compactOf.get(h.slot.scheduleId);
    const from = Date.parse(h.slot.start);
    return !schedule || !covers(schedule.occupied, from, plus15(h.slot.start)) || overlaps(schedule.free, from, plus15(h.slot.start));
  });
  const notHeld = holds.filter((h) => {
    const slot = listOf.get(h.slot.scheduleId)?.slots.find((s) => Date.parse(s.start) === Date.parse(h.slot.start));
    return !slot || slot.state !== 'HELD' || slot.heldUntil === null || Date.parse(slot.heldUntil) !== Date.parse(h.expiresAt);
  });
  const heldSlots = list.reduce((count, s) => count + s.slots.filter((x) => x.state === 'HELD').length, 0);
  const statements = compactSamples.map((s) => s.statements);
  const releasedCount = released.filter(Boolean).length;
  return {
    id: '14', title: `Availability with holds: one week of the bench centre, ${Math.round(HELD_SHARE * 100)}% of its free slots held`,
    goals: [
      atMost('compact, p50 at 1 client', one.latency.p50, floorOne.latency.p50, 'ms', 1.3),
      { ...atMost('compact, p99 at 1 client', one.latency.p99, floorOne.latency.p99, 'ms', 1.5), goal: 'info', pass: true },
      target('compact, SQL statements per request', Math.max(...statements), 'statements', 'info (= 1)', true),
      { ...atLeast('per-slot list with HELD and heldUntil, throughput at 32 connections', slots.throughput, floorSlots.throughput, 'req/s', 0.5), goal: 'info', pass: true },
      { ...atLeast('floor per-slot list: with showHolds ($11) vs without, throughput at 32 connections', floorSlots.throughput, floorSlotsPlain.throughput, 'req/s', 1), goal: 'info (the HELD lookup in the SQL)', pass: true },
    ],
    checks: [
      check('availability answers without errors', compactSamples.every((s) => !s.body.errors) && !slotSample!.body.errors,
        JSON.stringify(compactSamples[0].body.errors ?? slotSample!.body.errors ?? 'none').slice(0, 300)),
      check('careslot answers what the floor SQL answers (compact; per-slot list with showHolds)', sameCompact === true && sameSlots === true,
        `compact ${sameCompact ? 'identical' : 'differs'}, per-slot list ${sameSlots ? 'identical' : 'differs'}`),
      check('every held slot lies in its schedule\'s occupied time, none in its free time', holds.length > 0 && notOccupied.length === 0,
        `${holds.length - notOccupied.length} of ${holds.length}${notOccupied[0] ? `; first not occupied: ${JSON.stringify(notOccupied[0].slot)}` : ''}`),
      check('the per-slot list shows every held slot HELD until its hold\'s expiry, and no other slot HELD', notHeld.length === 0 && heldSlots === holds.length,
        `${holds.length - notHeld.length} of ${holds.length} held slots HELD with heldUntil = expiresAt, ${heldSlots} HELD slots in the list${notHeld[0] ? `; first wrong: ${JSON.stringify(notHeld[0])}` : ''}`),
      check('every hold released through releaseHold at the end (still held: none expired during the measurement), none left over',
        releasedCount === holds.length && leftOver === 0, `${releasedCount} of ${holds.length} released; ${leftOver} HELD rows deleted after`),
    ],
    metrics: {
      careslot: { compact1: summary(one), slotsWithHolds32: summary(slots) },
      floor: { compact1: summary(floorOne), slotsWithHolds32: summary(floorSlots), slotsWithoutHolds32: summary(floorSlotsPlain) },
      statementsPerRequest: statements, slotStatements: slotSample!.statements,
      freeSlotsInWeek: free.length, holds: holds.length, heldSlotsInList: heldSlots, placeHoldsMs: placeMs,
      occupiedIntervals: compact.reduce((count, s) => count + s.occupied.length, 0), freeIntervals: compact.reduce((count, s) => count + s.free.length, 0),
    },
    statements: `${[...new Set(statements)].join('/')} (slots: ${slotSample!.statements})`,
    peakRssMb: Math.max(one.peakRssMb, slots.peakRssMb),
    notes: [
      `${holds.length} holds (${Math.round(HELD_SHARE * 100)}% of the ${free.length} free 15-minute slots of the bench centre in the bench week, drawn at random) placed through holdSlot by the bench admin, ${PLACING} at a time (${placeMs} ms), released through releaseHold at the end. `
        + 'Compact: scenario 1\'s query and floor (the product\'s availability SQL, $11 showHolds null as the floor pads it; the compact intervals do not read it). '
        + 'Per-slot list: slots { start end state heldUntil } against the floor with showHolds ($11) true, the same answer staff get (a held slot HELD with its expiry); '
        + 'beside them, as information, the floor without showHolds (held slots OCCUPIED, no HELD lookup): the lookup\'s own cost in the SQL, which the careslot/floor ratio does not show.',
      TURNS_NOTE.replace('(floor, careslot, careslot, floor)', '(floor, careslot, careslot, floor; per-slot list: floor with holds, careslot, floor without; floor without, careslot, floor with)'),
    ],
  };
};
