import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import type { ContendJob, ContendResult } from '../lib/contend-worker';
import { freeSlots, overlappingRows } from '../lib/data';
import { runWorker } from '../lib/processes';
import { check, target, type Scenario } from '../lib/scenario';
import { round } from '../lib/stats';
import { BOOK_MUTATION } from './s3-booking';

const CLIENTS = 64;

/** 4. 64 clients on one slot, repeated, then an optional soak: exactly one winner, typed SlotUnavailable for the rest, no overlap. */
export const contendedBookingScenario: Scenario = async (ctx) => {
  const { data, settings } = ctx;
  const soakSlots = settings.soakSeconds > 0 ? Math.min(20_000, settings.soakSeconds * 50) : 0;
  // The empty weeks after the generated data, on the bench tenant's other centres, in order.
  const slots = await freeSlots(ctx.db.ownerUrl, data, {
    centreIds: data.centreIds.slice(1), fromDay: data.emptyFromDay,
    toDay: DateTime.fromISO(data.emptyFromDay).plus({ weeks: 1 + Math.ceil((settings.contendedRounds + soakSlots) / 10_000) }).toISODate()!, limit: settings.contendedRounds + soakSlots, shuffle: false,
  });
  const runTag = randomBytes(3).toString('hex');
  const server = ctx.careslot();
  server.resetPeakRss();
  const result = await runWorker<ContendResult>(join(__dirname, '..', 'lib', 'contend-worker.js'), {
    url: server.url, token: data.token, clients: CLIENTS, rounds: slots.slice(0, settings.contendedRounds),
    soakSlots: slots.slice(settings.contendedRounds), soakSeconds: settings.soakSeconds, mutation: BOOK_MUTATION,
    serviceId: data.visit15ServiceId, patientIds: data.patientIds, runTag,
  } satisfies ContendJob);
  const peakRssMb = round(server.peakRssBytes() / 2 ** 20, 1);

  // Exactly one live appointment per contended slot, and none overlapping anywhere.
  const client = new Client({ connectionString: ctx.db.ownerUrl });
  await client.connect();
  const { rows: [perSlot] } = await client.query<{ wrong: number }>(
    `SELECT count(*)::int AS wrong FROM unnest($1::uuid[], $2::timestamptz[]) AS x(schedule_id, start)
     WHERE (SELECT count(*) FROM appointments a WHERE a.tenant_id = $3 AND a.schedule_id = x.schedule_id AND a.starts_at = x.start AND a.status <> 'CANCELLED') <> 1`,
    [result.slots.map((s) => s.scheduleId), result.slots.map((s) => s.start), data.tenantId]);
  await client.end();
  const overlaps = await overlappingRows(ctx.db.ownerUrl);
  const soakShort = settings.soakSeconds > 0 && result.soakRounds >= soakSlots;
  return {
    id: '4', title: `Contended booking: ${CLIENTS} clients on one slot × ${settings.contendedRounds} rounds${settings.soakSeconds ? ` + ${settings.soakSeconds} s soak` : ''}`,
    goals: [
      target('rounds with exactly one winner', result.rounds - result.bad.length, `of ${result.rounds}`, `= ${result.rounds}`, result.bad.length === 0),
      target('overlapping appointments (whole table)', overlaps, 'rows', '= 0', overlaps === 0),
    ],
    checks: [
      check('exactly one winner per round, SlotUnavailable for the other 63', result.bad.length === 0,
        result.bad.length ? JSON.stringify(result.bad.slice(0, 3)) : `${result.rounds} rounds (${result.soakRounds} in the soak)`),
      check('exactly one live appointment in each contended slot', perSlot.wrong === 0, `${perSlot.wrong} slots wrong`),
      check('no overlapping appointments', overlaps === 0, `${overlaps} overlapping rows`),
    ],
    metrics: {
      rounds: result.rounds, soakRounds: result.soakRounds, seconds: round(result.seconds, 1),
      p50Ms: round(result.latency.p50, 3), p99Ms: round(result.latency.p99, 3), throughput: round(result.throughput, 1),
      statementsWinner: result.statementsWinner, statementsLoser: result.statementsLoser,
    },
    statements: `${result.statementsWinner.join('/')} won / ${result.statementsLoser.join('/')} lost`,
    peakRssMb,
    notes: soakShort ? ['The soak ran out of prepared slots before its time was up.'] : [],
  };
};
