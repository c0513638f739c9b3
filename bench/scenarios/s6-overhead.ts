import { startApolloReference, startHttpFloor, type FloorServer } from '../floors';
import { graphql } from '../lib/careslot';
import type { LoadJob } from '../lib/load';
import { atLeast, atMost, check, floorJob, graphqlJob, measureInTurns, summary, type BenchContext, type Scenario } from '../lib/scenario';

const VIEWER_QUERY = '{ viewer { kind } }';

/** The same POST careslot gets, without a token (the reference authenticates nobody). */
function referenceJob(ctx: BenchContext, reference: FloorServer, connections: number): LoadJob {
  return { ...graphqlJob(ctx, VIEWER_QUERY, {}, connections), url: `${reference.url}/graphql`, headers: { 'content-type': 'application/json' } };
}

/**
 * 6. Fixed overhead: an authenticated trivial query against a bare node:http JSON answer. Apollo
 * Server alone (one-field schema, no plugins, no authentication) is measured beside it as a
 * reference: the share of the budget its request pipeline takes before careslot adds anything.
 */
export const overheadScenario: Scenario = async (ctx) => {
  const sample = await graphql(ctx.careslot().url, ctx.data.token, VIEWER_QUERY);
  const floor = await startHttpFloor(ctx.floorConfig);
  const reference = await startApolloReference();
  const server = ctx.careslot();
  let floorMany, floorOne, apolloMany, one, many;
  try {
    [floorOne, one] = await measureInTurns([{ server: floor, job: floorJob(ctx, floor, '/viewer', 1) }, { server, job: graphqlJob(ctx, VIEWER_QUERY, {}, 1) }]);
    [floorMany, apolloMany, many] = await measureInTurns([
      { server: floor, job: floorJob(ctx, floor, '/viewer', 32) }, { server: reference, job: referenceJob(ctx, reference, 32) },
      { server, job: graphqlJob(ctx, VIEWER_QUERY, {}, 32) },
    ]);
  } finally {
    await Promise.all([floor.stop(), reference.stop()]);
  }
  return {
    id: '6', title: 'Fixed overhead: { viewer { kind } } against a bare node:http JSON answer',
    goals: [
      atLeast('throughput at 32 connections', many.throughput, floorMany.throughput, 'req/s', 0.35),
      { ...atMost('p50 at 1 client', one.latency.p50, floorOne.latency.p50, 'ms', Infinity), goal: 'info' },
      { ...atMost('server CPU per request at 32 connections', many.cpuMsPerRequest, floorMany.cpuMsPerRequest, 'ms', Infinity), goal: 'info' },
      { ...atLeast('reference: Apollo Server alone (one field, no plugins, no auth), throughput at 32', apolloMany.throughput, floorMany.throughput, 'req/s', 0), goal: 'info' },
      { ...atLeast('careslot vs that Apollo reference, throughput at 32', many.throughput, apolloMany.throughput, 'req/s', 0), goal: 'info' },
    ],
    checks: [check('viewer answers STAFF_USER', sample.body.data?.viewer?.kind === 'STAFF_USER', JSON.stringify(sample.body).slice(0, 300))],
    metrics: {
      statements: sample.statements, careslot: { one: summary(one), many: summary(many) },
      floor: { one: summary(floorOne), many: summary(floorMany) }, apolloReference: { many: summary(apolloMany) },
    },
    statements: String(sample.statements),
    peakRssMb: Math.max(one.peakRssMb, many.peakRssMb),
    notes: ['Floor, Apollo reference and careslot measured in turns (floor, Apollo, careslot, careslot, Apollo, floor), each turn half the run time, after one warm-up each.'],
  };
};
