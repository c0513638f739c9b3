import { startApolloReference, startHttpFloor, type FloorServer } from '../floors';
import { graphql } from '../lib/careslot';
import type { LoadJob } from '../lib/load';
import { atLeast, atMost, check, floorJob, graphqlJob, measureInTurns, summary, type BenchContext, type Scenario } from '../lib/scenario';

const VIEWER_QUERY = '{ viewer { kind } }';

/** The same POST careslot gets, without a token (the bare Apollo Server authenticates nobody). */
function referenceJob(ctx: BenchContext, reference: FloorServer, connections: number): LoadJob {
  return { ...graphqlJob(ctx, VIEWER_QUERY, {}, connections), url: `${reference.url}/graphql`, headers: { 'content-type': 'application/json' } };
}

/** The bare Apollo Server's answer is careslot's. */
function sameAnswer(text: string): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify({ data: { viewer: { kind: 'STAFF_USER' } } });
  } catch {
    return false;
  }
}

/**
 * 6. Fixed overhead: an authenticated trivial query against a bare Apollo Server (one-field schema,
 * no plugins, no authentication) and a bare node:http JSON answer, in turns in the same run. The
 * goal is Apollo's: careslot's own layers (authentication, context, validation rules, type-graphql)
 * must cost no throughput beyond what Apollo's request pipeline takes.
 */
export const overheadScenario: Scenario = async (ctx) => {
  const sample = await graphql(ctx.careslot().url, ctx.data.token, VIEWER_QUERY);
  const floor = await startHttpFloor(ctx.floorConfig);
  const reference = await startApolloReference();
  const server = ctx.careslot();
  let floorMany, floorOne, apolloOne, apolloMany, one, many, apolloAnswer;
  try {
    apolloAnswer = await (await fetch(`${reference.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: VIEWER_QUERY }) })).text();
    [floorOne, apolloOne, one] = await measureInTurns([
      { server: floor, job: floorJob(ctx, floor, '/viewer', 1) }, { server: reference, job: referenceJob(ctx, reference, 1) },
      { server, job: graphqlJob(ctx, VIEWER_QUERY, {}, 1) },
    ]);
    [floorMany, apolloMany, many] = await measureInTurns([
      { server: floor, job: floorJob(ctx, floor, '/viewer', 32) }, { server: reference, job: referenceJob(ctx, reference, 32) },
      { server, job: graphqlJob(ctx, VIEWER_QUERY, {}, 32) },
    ]);
  } finally {
    await Promise.all([floor.stop(), reference.stop()]);
  }
  return {
    id: '6', title: 'Fixed overhead: { viewer { kind } } against a bare Apollo Server and a bare node:http JSON answer',
    goals: [
      atLeast('throughput at 32 connections vs a bare Apollo Server', many.throughput, apolloMany.throughput, 'req/s', 1.0),
      atLeast('throughput at 32 connections vs bare node:http', many.throughput, floorMany.throughput, 'req/s', 0.35),
      { ...atMost('p50 at 1 client vs a bare Apollo Server', one.latency.p50, apolloOne.latency.p50, 'ms', Infinity), goal: 'info' },
      { ...atMost('server CPU per request at 32 vs a bare Apollo Server', many.cpuMsPerRequest, apolloMany.cpuMsPerRequest, 'ms', Infinity), goal: 'info' },
      { ...atMost('p50 at 1 client vs bare node:http', one.latency.p50, floorOne.latency.p50, 'ms', Infinity), goal: 'info' },
      { ...atMost('server CPU per request at 32 vs bare node:http', many.cpuMsPerRequest, floorMany.cpuMsPerRequest, 'ms', Infinity), goal: 'info' },
      { ...atLeast('bare Apollo Server vs bare node:http, throughput at 32', apolloMany.throughput, floorMany.throughput, 'req/s', 0), goal: 'info' },
    ],
    checks: [
      check('viewer answers STAFF_USER', sample.body.data?.viewer?.kind === 'STAFF_USER', JSON.stringify(sample.body).slice(0, 300)),
      check('the bare Apollo Server answers the same', sameAnswer(apolloAnswer), apolloAnswer.slice(0, 300)),
    ],
    metrics: {
      statements: sample.statements, careslot: { one: summary(one), many: summary(many) },
      floor: { one: summary(floorOne), many: summary(floorMany) }, apolloReference: { one: summary(apolloOne), many: summary(apolloMany) },
    },
    statements: String(sample.statements),
    peakRssMb: Math.max(one.peakRssMb, many.peakRssMb),
    notes: [
      'Bare Apollo Server: @apollo/server alone fed from node:http (lib/apollo-reference.ts): a one-field schema answering the same JSON, every default plugin off, no authentication, '
        + 'no context, no logging; it gets careslot\'s request body, without the token. careslot adds authentication (the bearer token, cached), its context, validation rules and type-graphql.',
      'node:http floor, bare Apollo Server and careslot measured in turns (floor, Apollo, careslot, careslot, Apollo, floor), each turn half the run time in whole seconds, after one warm-up each; '
        + 'a side\'s figures are those of all its turns together.',
    ],
  };
};
