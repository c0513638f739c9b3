import { startHttpFloor } from '../floors';
import { graphql } from '../lib/careslot';
import { atLeast, atMost, check, floorJob, graphqlJob, measure, summary, type Scenario } from '../lib/scenario';

const VIEWER_QUERY = '{ viewer { kind } }';

/** 6. Fixed overhead: an authenticated trivial query against a bare node:http JSON answer. */
export const overheadScenario: Scenario = async (ctx) => {
  const sample = await graphql(ctx.careslot().url, ctx.data.token, VIEWER_QUERY);
  const floor = await startHttpFloor(ctx.floorConfig);
  let floorMany, floorOne;
  try {
    floorOne = await measure(floor, floorJob(ctx, floor, '/viewer', 1));
    floorMany = await measure(floor, floorJob(ctx, floor, '/viewer', 32));
  } finally {
    await floor.stop();
  }
  const server = ctx.careslot();
  const one = await measure(server, graphqlJob(ctx, VIEWER_QUERY, {}, 1));
  const many = await measure(server, graphqlJob(ctx, VIEWER_QUERY, {}, 32));
  return {
    id: '6', title: 'Fixed overhead: { viewer { kind } } against a bare node:http JSON answer',
    goals: [
      atLeast('throughput at 32 connections', many.throughput, floorMany.throughput, 'req/s', 0.35),
      { ...atMost('p50 at 1 client', one.latency.p50, floorOne.latency.p50, 'ms', Infinity), goal: 'info' },
    ],
    checks: [check('viewer answers STAFF_USER', sample.body.data?.viewer?.kind === 'STAFF_USER', JSON.stringify(sample.body).slice(0, 300))],
    metrics: {
      statements: sample.statements, careslot: { one: summary(one), many: summary(many) }, floor: { one: summary(floorOne), many: summary(floorMany) },
    },
    statements: String(sample.statements),
    peakRssMb: Math.max(one.peakRssMb, many.peakRssMb),
    notes: [],
  };
};
