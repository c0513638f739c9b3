import { graphql } from '../lib/careslot';
import { graphqlJob, measureInTurns, summary, target, check, type Scenario } from '../lib/scenario';
import { round } from '../lib/stats';
import { COMPACT_QUERY } from './s1-availability';

/** 2. The same centre over 30 days: the cost (p50 at one client) may grow at most linearly. */
export const availabilityMonthScenario: Scenario = async (ctx) => {
  const { data } = ctx;
  const week = { centreId: data.centreId, from: data.weekFrom, to: data.weekTo };
  const month = { centreId: data.centreId, from: data.weekFrom, to: data.monthTo };
  const sample = await graphql(ctx.careslot().url, data.token, COMPACT_QUERY, month);
  const server = ctx.careslot();
  const [weekRun, monthRun] = await measureInTurns([
    { server, job: graphqlJob(ctx, COMPACT_QUERY, week, 1) }, { server, job: graphqlJob(ctx, COMPACT_QUERY, month, 1) },
  ]);
  const ratio = monthRun.latency.p50 / weekRun.latency.p50;
  return {
    id: '2', title: 'Availability over a month (30 days) against the week',
    goals: [
      { ...target('month p50 / week p50 at 1 client', ratio, '×', '≤ 4.5× (30 days = 4.3 weeks)', ratio <= 4.5), product: round(monthRun.latency.p50, 3), floor: round(weekRun.latency.p50, 3), unit: 'ms (month vs week)' },
    ],
    checks: [
      check('month availability answers without errors', !sample.body.errors, JSON.stringify(sample.body.errors ?? 'none').slice(0, 300)),
      check('month availability is one SQL statement', sample.statements === 1, `${sample.statements} statements`),
    ],
    metrics: { week1: summary(weekRun), month1: summary(monthRun), throughputRatio: round(monthRun.throughput / weekRun.throughput, 3) },
    statements: String(sample.statements),
    peakRssMb: Math.max(weekRun.peakRssMb, monthRun.peakRssMb),
    notes: ['Week and month measured in turns (week, month, month, week), each turn half the run time.'],
  };
};
