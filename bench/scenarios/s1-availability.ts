import { startHttpFloor } from '../floors';
import { graphql } from '../lib/careslot';
import { atLeast, atMost, check, floorJob, graphqlJob, measureInTurns, summary, target, TURNS_NOTE, type Scenario, type Side } from '../lib/scenario';

export const COMPACT_QUERY = `query Availability($centreId: ID!, $from: Instant!, $to: Instant!) {
  availability(centreId: $centreId, from: $from, to: $to) { schedules { scheduleId free { start end } occupied { start end } } }
}`;

const SLOTS_QUERY = `query Slots($centreId: ID!, $from: Instant!, $to: Instant!) {
  availability(centreId: $centreId, from: $from, to: $to) { schedules { scheduleId slots { start end state } } }
}`;

/** 1. A week of the 10-schedule bench centre: compact free/occupied intervals, and the per-slot list. */
export const availabilityScenario: Scenario = async (ctx) => {
  const { data } = ctx;
  const variables = { centreId: data.centreId, from: data.weekFrom, to: data.weekTo };
  const window = `from=${encodeURIComponent(data.weekFrom)}&to=${encodeURIComponent(data.weekTo)}`;

  // Correctness first: the product's answer is the floor's answer, in one statement.
  const samples = await Promise.all(Array.from({ length: 5 }, () => graphql(ctx.careslot().url, data.token, COMPACT_QUERY, variables)));
  const slotSample = await graphql(ctx.careslot().url, data.token, SLOTS_QUERY, variables);
  const floor = await startHttpFloor(ctx.floorConfig);
  const server = ctx.careslot();
  let floorOne, floorMany, floorSlots, one, many, slots;
  let same: boolean | undefined;
  try {
    const floorAnswer = await (await fetch(`${floor.url}/availability?${window}`)).json() as { data: { availability: { schedules: Array<{ scheduleId: string; free: string[][]; occupied: string[][] }> } } };
    const product = samples[0].body.data?.availability?.schedules ?? [];
    const asPairs = (intervals: Array<{ start: string; end: string }>) => intervals.map((i) => [i.start, i.end]);
    same = JSON.stringify(product.map((s: any) => [s.scheduleId, asPairs(s.free), asPairs(s.occupied)]))
      === JSON.stringify(floorAnswer.data.availability.schedules.map((s) => [s.scheduleId, s.free, s.occupied]));
    const compact = (connections: number): Side[] => [
      { server: floor, job: floorJob(ctx, floor, `/availability?${window}`, connections) },
      { server, job: graphqlJob(ctx, COMPACT_QUERY, variables, connections) },
    ];
    // The per-slot list is slow enough that a very short run may see few answers: at least 2 s.
    const slotSeconds = Math.max(2, ctx.settings.duration);
    const perSlot: Side[] = [
      { server: floor, job: { ...floorJob(ctx, floor, `/availability?${window}&slots=1`, 32), duration: slotSeconds } },
      { server, job: graphqlJob(ctx, SLOTS_QUERY, variables, 32, { duration: slotSeconds }) },
    ];
    [floorOne, one] = await measureInTurns(compact(1));
    [floorMany, many] = await measureInTurns(compact(32));
    [floorSlots, slots] = await measureInTurns(perSlot);
  } finally {
    await floor.stop();
  }

  const statements = samples.map((s) => s.statements);
  const schedules = samples[0].body.data?.availability?.schedules ?? [];
  const slotCount = (slotSample.body.data?.availability?.schedules ?? []).reduce((n: number, s: any) => n + s.slots.length, 0);
  return {
    id: '1', title: 'Availability, one week of a 10-schedule centre',
    goals: [
      atMost('compact, p50 at 1 client', one.latency.p50, floorOne.latency.p50, 'ms', 1.3),
      atMost('compact, p99 at 1 client', one.latency.p99, floorOne.latency.p99, 'ms', 1.5),
      atLeast('compact, throughput at 32 connections', many.throughput, floorMany.throughput, 'req/s', 0.75),
      target('compact, SQL statements per request', Math.max(...statements), 'statements', '= 1', statements.every((n) => n === 1)),
      atLeast('per-slot list, throughput at 32 connections', slots.throughput, floorSlots.throughput, 'req/s', 0.5),
    ],
    checks: [
      check('availability answers without errors', samples.every((s) => !s.body.errors) && !slotSample.body.errors, JSON.stringify(samples[0].body.errors ?? slotSample.body.errors ?? 'none').slice(0, 300)),
      check('10 schedules in the bench centre', schedules.length === 10, `${schedules.length} schedules`),
      check('careslot answers what the floor SQL answers', same === true, same ? 'identical intervals' : 'intervals differ'),
    ],
    metrics: {
      careslot: { compact1: summary(one), compact32: summary(many), slots32: summary(slots) },
      floor: { compact1: summary(floorOne), compact32: summary(floorMany), slots32: summary(floorSlots) },
      statementsPerRequest: statements, slotStatements: slotSample.statements, slotsInWeek: slotCount,
      freeIntervals: schedules.reduce((n: number, s: any) => n + s.free.length, 0),
      occupiedIntervals: schedules.reduce((n: number, s: any) => n + s.occupied.length, 0),
    },
    statements: `${[...new Set(statements)].join('/')} (slots: ${slotSample.statements})`,
    peakRssMb: Math.max(one.peakRssMb, many.peakRssMb, slots.peakRssMb),
    notes: [TURNS_NOTE],
  };
};
