import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import { graphql, type CareslotProcess } from '../lib/careslot';
import { HOLD_ID, runChain, type ChainOperation, type ChainResult } from '../lib/chain';
import { freeSlots, type FreeSlot } from '../lib/data';
import { atLeast, atMost, check, target, TURNS, type Scenario } from '../lib/scenario';
import { round, summarize, type Latency } from '../lib/stats';
import { BOOK_MUTATION, bookingInput } from './s3-booking';

/** Seed 001's "Start the reservation": the hold's id and expiry, or why not. */
export const HOLD_MUTATION = `mutation Hold($input: HoldSlotInput!) {
  holdSlot(input: $input) { __typename ... on Hold { id expiresAt } ... on SlotUnavailable { message } }
}`;

export const RELEASE_MUTATION = `mutation Release($input: ReleaseHoldInput!) { releaseHold(input: $input) { released } }`;

const CONNECTIONS = 32;
/** The goal: a hold and the booking on it (two requests) ≤ 2× a direct booking (one), p50. */
const GOAL = 2;
/**
 * Weeks after the generated data where scenario 13 holds and books, in the bench tenant's
 * centres 1–9 (90 schedules): 3 books there before the generated data ends, 4 from its end on for
 * a week or two; 7, 8 and 10 book in the bench centre (weeks 21–49).
 */
const FIRST_WEEK = 60;
/** Grid slots a week in 90 schedules: 32 a day, 5 days. */
const SLOTS_A_WEEK = 90 * 32 * 5;

/** One side's figures over its turns: latencies from every operation, throughput and CPU over the total time and answers. */
interface SideFigures {
  latency: Latency;
  throughput: number;
  operations: number;
  answered: number;
  errors: number;
  seconds: number;
  cpuMsPerOperation: number;
  holdLatency: Latency;
  bookLatency: Latency;
  statements: { hold: number[]; book: number[] };
  holdIds: string[];
  failure?: string;
}

/**
 * Fixed operations measured in turns, as scenario 10 measures its bookings: each side's operations
 * cut into TURNS parts, run A B, B A (the order reversed every other turn) after one warm-up each.
 */
async function operateInTurns(server: CareslotProcess, token: string, sides: Array<{ warm: ChainOperation[]; operations: ChainOperation[] }>): Promise<{ figures: SideFigures[]; peakRssMb: number }> {
  const job = (operations: ChainOperation[]) => ({ url: `${server.url}/graphql`, token, connections: CONNECTIONS, operations });
  const warmUps: ChainResult[] = [];
  for (const side of sides) warmUps.push(await runChain(job(side.warm)));
  const readings: Array<Array<{ result: ChainResult; cpuMs: number }>> = sides.map(() => []);
  server.resetPeakRss();
  for (let turn = 0; turn < TURNS; turn++) {
    const order = turn % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
    for (const i of order) {
      const { operations } = sides[i];
      const part = Math.ceil(operations.length / TURNS);
      const before = await server.usage();
      const result = await runChain(job(operations.slice(turn * part, (turn + 1) * part)));
      const after = await server.usage();
      readings[i].push({ result, cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 });
    }
  }
  const peakRssMb = round(server.peakRssBytes() / 2 ** 20, 1);
  const figures = readings.map((turns, i) => {
    const results = turns.map((r) => r.result);
    const total = (pick: (result: ChainResult) => number) => results.reduce((sum, result) => sum + pick(result), 0);
    const answered = total((r) => r.answered);
    const seconds = total((r) => r.seconds);
    const all = [warmUps[i], ...results];
    return {
      latency: summarize(results.flatMap((r) => r.samples)), throughput: answered / seconds,
      operations: total((r) => r.operations), answered, seconds, errors: total((r) => r.errors),
      cpuMsPerOperation: round(turns.reduce((sum, r) => sum + r.cpuMs, 0) / Math.max(1, answered), 4),
      holdLatency: summarize(results.flatMap((r) => r.holdSamples)), bookLatency: summarize(results.flatMap((r) => r.bookSamples)),
      statements: { hold: [...new Set(all.flatMap((r) => r.statements.hold))], book: [...new Set(all.flatMap((r) => r.statements.book))] },
      holdIds: all.flatMap((r) => r.holdIds), failure: all.find((r) => r.failure)?.failure,
    };
  });
  return { figures, peakRssMb };
}

const compact = (side: SideFigures) => ({
  p50Ms: round(side.latency.p50, 3), p99Ms: round(side.latency.p99, 3), meanMs: round(side.latency.mean, 3), throughput: round(side.throughput, 1),
  operations: side.operations, answered: side.answered, errors: side.errors, cpuMsPerOperation: side.cpuMsPerOperation,
  holdRequestP50Ms: round(side.holdLatency.p50, 3), bookRequestP50Ms: round(side.bookLatency.p50, 3), bookRequestP99Ms: round(side.bookLatency.p99, 3),
});

/**
 * 13. Hold + book: at 32 connections each operation holds a distinct free slot (holdSlot) and then
 * books on the hold (bookAppointment with holdId), two requests one after the other, against a
 * direct bookAppointment of a distinct free slot (one request), in turns in the same run.
 */
export const holdBookingScenario: Scenario = async (ctx) => {
  const { data, settings } = ctx;
  const server = ctx.careslot();
  const n = settings.bookings;
  const warm = Math.max(100, Math.round(n / 20));
  const probes = 5;
  const run = randomBytes(3).toString('hex');

  const needed = 2 * (probes + warm + n);
  const from = DateTime.fromISO(data.emptyFromDay).plus({ weeks: FIRST_WEEK });
  const slots = await freeSlots(ctx.db.ownerUrl, data, {
    centreIds: data.centreIds.slice(1), fromDay: from.toISODate()!, toDay: from.plus({ weeks: Math.ceil(needed / SLOTS_A_WEEK) + 1 }).toISODate()!,
    limit: needed, shuffle: true,
  });
  if (slots.length < needed) throw new Error(`only ${slots.length} free slots in centres 1–9 for ${needed} operations`);
  let next = 0;
  const take = (count: number) => slots.slice(next, (next += count));
  const notes = { direct: `bench:s13-direct:${run}`, hold: `bench:s13-hold:${run}` };
  const patient = () => data.patientIds[Math.floor(Math.random() * data.patientIds.length)];
  const direct = (slot: FreeSlot, tag: string): ChainOperation => ({
    book: JSON.stringify({ query: BOOK_MUTATION, variables: { input: bookingInput(ctx, slot, `bench-s13-direct-${run}-${tag}`, notes.direct) } }),
  });
  const holdThenBook = (slot: FreeSlot, tag: string): ChainOperation => ({
    hold: JSON.stringify({ query: HOLD_MUTATION, variables: { input: { scheduleId: slot.scheduleId, serviceId: data.visit15ServiceId, start: slot.start, idempotencyKey: `bench-s13-hold-${run}-${tag}` } } }),
    // The same mutation and selection as the direct booking, on the hold.
    book: JSON.stringify({ query: BOOK_MUTATION, variables: { input: { holdId: HOLD_ID, patientId: patient(), idempotencyKey: `bench-s13-book-${run}-${tag}`, note: notes.hold } } }),
  });

  // Probes, one at a time: the answers are checked and the statements counted.
  const probeAnswers: Array<{ kind: 'direct' | 'hold' | 'book'; ok: boolean; statements: number; body: string }> = [];
  const probeHoldIds: string[] = [];
  for (const [i, slot] of take(2 * probes).entries()) {
    if (i % 2 === 0) {
      const answer = await graphql(server.url, data.token, BOOK_MUTATION, { input: bookingInput(ctx, slot, `bench-s13-direct-${run}-probe-${i}`, notes.direct) });
      probeAnswers.push({ kind: 'direct', ok: answer.body.data?.bookAppointment?.__typename === 'Appointment', statements: answer.statements, body: JSON.stringify(answer.body).slice(0, 200) });
      continue;
    }
    const operation = holdThenBook(slot, `probe-${i}`);
    const hold = JSON.parse(operation.hold!) as { query: string; variables: object };
    const held = await graphql(server.url, data.token, hold.query, hold.variables);
    const holdId: string | undefined = held.body.data?.holdSlot?.id;
    probeAnswers.push({ kind: 'hold', ok: held.body.data?.holdSlot?.__typename === 'Hold', statements: held.statements, body: JSON.stringify(held.body).slice(0, 200) });
    if (!holdId) continue;
    probeHoldIds.push(holdId);
    const book = JSON.parse(operation.book.replace(HOLD_ID, holdId)) as { query: string; variables: object };
    const booked = await graphql(server.url, data.token, book.query, book.variables);
    probeAnswers.push({
      kind: 'book', ok: booked.body.data?.bookAppointment?.__typename === 'Appointment' && booked.body.data.bookAppointment.id === holdId,
      statements: booked.statements, body: JSON.stringify(booked.body).slice(0, 200),
    });
  }

  const directSlots = take(warm + n);
  const holdSlots = take(warm + n);
  const { figures: [directSide, holdSide], peakRssMb } = await operateInTurns(server, data.token, [
    { warm: directSlots.slice(0, warm).map((s, i) => direct(s, `w${i}`)), operations: directSlots.slice(warm).map((s, i) => direct(s, `r${i}`)) },
    { warm: holdSlots.slice(0, warm).map((s, i) => holdThenBook(s, `w${i}`)), operations: holdSlots.slice(warm).map((s, i) => holdThenBook(s, `r${i}`)) },
  ]);

  // As stored: every hold became its booking (same row, BOOKED, the note of the booking on it), and no hold is left.
  const holdIds = [...probeHoldIds, ...holdSide.holdIds];
  const client = new Client({ connectionString: ctx.db.ownerUrl });
  await client.connect();
  let onHolds: { booked: number; held: number };
  let directRows: { all: number; booked: number };
  let heldLeft: number;
  try {
    onHolds = (await client.query<{ booked: number; held: number }>(
      `SELECT (count(*) FILTER (WHERE status = 'BOOKED' AND note = $2 AND hold_expires_at IS NULL AND held_by IS NULL))::int AS booked,
              (count(*) FILTER (WHERE status = 'HELD'))::int AS held
       FROM appointments WHERE id = ANY ($1::uuid[])`, [holdIds, notes.hold])).rows[0];
    directRows = (await client.query<{ all: number; booked: number }>(
      `SELECT count(*)::int AS "all", (count(*) FILTER (WHERE status = 'BOOKED'))::int AS booked FROM appointments WHERE note = $1`, [notes.direct])).rows[0];
    heldLeft = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM appointments WHERE tenant_id = $1 AND status = 'HELD'`, [data.tenantId])).rows[0].n;
  } finally {
    await client.end();
  }
  const expected = probes + warm + n;
  const statements = (kind: 'direct' | 'hold' | 'book') => probeAnswers.filter((a) => a.kind === kind).map((a) => a.statements);
  const firstWrong = probeAnswers.find((a) => !a.ok);
  return {
    id: '13', title: `Hold + book: holdSlot, then bookAppointment on the hold, vs a direct bookAppointment (${CONNECTIONS} connections, distinct free slots)`,
    goals: [
      atMost(`p50 at ${CONNECTIONS} connections: hold + book vs direct booking`, holdSide.latency.p50, directSide.latency.p50, 'ms', GOAL),
      { ...atMost(`p99 at ${CONNECTIONS} connections: hold + book vs direct booking`, holdSide.latency.p99, directSide.latency.p99, 'ms', GOAL), goal: 'info', pass: true },
      { ...atLeast(`throughput at ${CONNECTIONS} connections: hold + book vs direct booking`, holdSide.throughput, directSide.throughput, 'operations/s', 1 / GOAL), goal: 'info', pass: true },
      { ...atMost('server CPU per operation: hold + book vs direct booking', holdSide.cpuMsPerOperation, directSide.cpuMsPerOperation, 'ms', GOAL), goal: 'info', pass: true },
      { ...atMost(`booking request on a hold vs direct booking request, p50 at ${CONNECTIONS} connections`, holdSide.bookLatency.p50, directSide.bookLatency.p50, 'ms', 1), goal: 'info', pass: true },
      target('SQL statements per hold / per booking on a hold', Math.max(...statements('hold'), ...statements('book')), 'statements',
        `info (hold ${[...new Set(statements('hold'))].join('/')}, on a hold ${[...new Set(statements('book'))].join('/')}, direct ${[...new Set(statements('direct'))].join('/')})`, true),
    ],
    checks: [
      check('every probe answered right (direct: Appointment; hold: Hold; booking on it: Appointment with the hold\'s id)', !firstWrong && probeHoldIds.length === probes,
        firstWrong ? `${firstWrong.kind}: ${firstWrong.body}` : `${probes} direct, ${probeHoldIds.length} hold + book`),
      check('every hold answered Hold and every booking on it Appointment with the hold\'s id', holdSide.answered === holdSide.operations && holdSide.holdIds.length === warm + n,
        `${holdSide.answered} of ${holdSide.operations} measured operations right, ${holdSide.holdIds.length} holds of ${warm + n} (warm-up included); first wrong: ${holdSide.failure ?? 'none'}`),
      check('every direct booking answered Appointment', directSide.answered === directSide.operations, `${directSide.answered} of ${directSide.operations}; first wrong: ${directSide.failure ?? 'none'}`),
      check('every hold stored as its booking (same row, BOOKED, no expiry, no holder), no HELD row left in the tenant',
        onHolds.booked === expected && onHolds.held === 0 && heldLeft === 0, `${onHolds.booked} of ${expected} holds BOOKED with the booking's note, ${onHolds.held} still HELD; ${heldLeft} HELD rows in the tenant`),
      check('every direct booking stored as BOOKED', directRows.all === expected && directRows.booked === expected, `${directRows.booked} BOOKED of ${directRows.all} stored, ${expected} expected`),
      check('no failed or non-2xx request', directSide.errors + holdSide.errors === 0, `direct ${directSide.errors}, hold + book ${holdSide.errors}`),
    ],
    metrics: {
      careslot: { holdAndBook: compact(holdSide), direct: compact(directSide) },
      statementsPerRequest: { direct: statements('direct'), hold: statements('hold'), bookOnHold: statements('book'), seenInRun: { holdAndBook: holdSide.statements, direct: directSide.statements } },
      operations: n, warmup: warm,
    },
    statements: `hold ${[...new Set(statements('hold'))].join('/')} + booking on it ${[...new Set(statements('book'))].join('/')}, direct ${[...new Set(statements('direct'))].join('/')}`,
    peakRssMb,
    notes: [
      `Hold + book: holdSlot (the 15-minute service), then, once its answer is read, bookAppointment with its holdId and a patient, on the same connection; direct: scenario 3's bookAppointment (the same mutation and selection). Both by the bench admin, each operation a distinct free slot of the bench tenant's centres 1–9 (90 schedules), drawn in random order from weeks ${FIRST_WEEK}+ after the generated data (no other scenario books there). `
        + `Measured by the bench's own loop in a forked worker (lib/chain-worker.ts; autocannon sends requests independently and cannot send one made from another's answer): ${CONNECTIONS} operations in flight, each loop on its own keep-alive socket (node:http); an operation's latency runs from sending its first request to the last byte of its last answer, throughput is operations answered right per second. Both sides are measured by this loop. `
        + `${warm} warm-up operations per side, then ${n} each in turns (direct, hold + book, hold + book, direct; each turn half the operations); a side's figures are those of its turns together.`,
    ],
  };
};
