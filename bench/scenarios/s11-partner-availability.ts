import { startHttpFloor } from '../floors';
import { graphql } from '../lib/careslot';
import { atMost, check, floorJob, graphqlJob, measureInTurns, summary, target, TURNS_NOTE, type Scenario } from '../lib/scenario';
import { benchPartnerApp } from './s10-partner-booking';

const PARTNER_AVAILABILITY_QUERY = `query PartnerAvailability($centreId: ID!, $serviceId: ID!, $from: Instant!, $to: Instant!) {
  partnerAvailability(centreId: $centreId, serviceId: $serviceId, from: $from, to: $to) { schedules { scheduleId free { start end } occupied { start end } } }
}`;

/** The same answer for staff (no partner): what the partner filter costs inside careslot. */
const STAFF_AVAILABILITY_QUERY = `query Availability($centreId: ID!, $serviceId: ID, $from: Instant!, $to: Instant!) {
  availability(centreId: $centreId, serviceId: $serviceId, from: $from, to: $to) { schedules { scheduleId free { start end } occupied { start end } } }
}`;

type Schedules = Array<{ scheduleId: string; free: Array<{ start: string; end: string }>; occupied: Array<{ start: string; end: string }> }>;

/**
 * 11. A partner's green slots: partnerAvailability of the bench centre for a week and one service
 * (the 15-minute visit), asked by scenario 10's partner app, 1 client, against the product's
 * availability SQL run with the same service ($5) and partner ($10) by bare node:http + pg.
 */
export const partnerAvailabilityScenario: Scenario = async (ctx) => {
  const { data } = ctx;
  const app = await benchPartnerApp(ctx);
  const serviceId = data.visit15ServiceId;
  const variables = { centreId: data.centreId, serviceId, from: data.weekFrom, to: data.weekTo };
  const path = `/availability?from=${encodeURIComponent(data.weekFrom)}&to=${encodeURIComponent(data.weekTo)}&serviceId=${serviceId}&partnerId=${app.partnerId}`;
  const partnerHeaders = { 'content-type': 'application/json', authorization: `Bearer ${app.token}` };

  const samples = await Promise.all(Array.from({ length: 5 }, () => graphql(ctx.careslot().url, app.token, PARTNER_AVAILABILITY_QUERY, variables)));
  const staffSample = await graphql(ctx.careslot().url, data.token, STAFF_AVAILABILITY_QUERY, variables);
  const floor = await startHttpFloor(ctx.floorConfig);
  const server = ctx.careslot();
  let floorOne, one, staffOne;
  let same: boolean | undefined;
  let sameAsStaff: boolean | undefined;
  try {
    const floorAnswer = await (await fetch(`${floor.url}${path}`)).json() as { data: { availability: { schedules: Array<{ scheduleId: string; free: string[][]; occupied: string[][] }> } } };
    const asPairs = (intervals: Array<{ start: string; end: string }>) => intervals.map((i) => [i.start, i.end]);
    const flat = (schedules: Schedules) => JSON.stringify(schedules.map((s) => [s.scheduleId, asPairs(s.free), asPairs(s.occupied)]));
    const product = flat(samples[0].body.data?.partnerAvailability?.schedules ?? []);
    same = product === JSON.stringify(floorAnswer.data.availability.schedules.map((s) => [s.scheduleId, s.free, s.occupied]));
    sameAsStaff = product === flat(staffSample.body.data?.availability?.schedules ?? []);
    [floorOne, one, staffOne] = await measureInTurns([
      { server: floor, job: floorJob(ctx, floor, path, 1) },
      { server, job: graphqlJob(ctx, PARTNER_AVAILABILITY_QUERY, variables, 1, { headers: partnerHeaders }) },
      { server, job: graphqlJob(ctx, STAFF_AVAILABILITY_QUERY, variables, 1) },
    ]);
  } finally {
    await floor.stop();
  }

  const statements = samples.map((s) => s.statements);
  const schedules: Schedules = samples[0].body.data?.partnerAvailability?.schedules ?? [];
  const freeIntervals = schedules.reduce((count, s) => count + s.free.length, 0);
  return {
    id: '11', title: 'Partner availability: green slots of one service, one week of the bench centre',
    goals: [
      atMost('p50 at 1 client', one.latency.p50, floorOne.latency.p50, 'ms', 1.3),
      { ...atMost('p99 at 1 client', one.latency.p99, floorOne.latency.p99, 'ms', 1.3), goal: 'info', pass: true },
      target('SQL statements per request', Math.max(...statements), 'statements', 'info (availability: 1)', true),
      { ...atMost('partnerAvailability vs staff availability with the same service, p50 at 1 client', one.latency.p50, staffOne.latency.p50, 'ms', 1), goal: 'info (the partner filter inside careslot)', pass: true },
    ],
    checks: [
      check('partnerAvailability answers without errors', samples.every((s) => !s.body.errors) && !staffSample.body.errors,
        JSON.stringify(samples[0].body.errors ?? staffSample.body.errors ?? 'none').slice(0, 300)),
      check('10 schedules with green slots in the bench centre', schedules.length === 10 && freeIntervals > 0, `${schedules.length} schedules, ${freeIntervals} free intervals`),
      check('careslot answers what the floor SQL answers (same service and partner)', same === true, same ? 'identical intervals' : 'intervals differ'),
      check('a partner with the service activated sees what staff see for the service', sameAsStaff === true, sameAsStaff ? 'identical intervals' : 'intervals differ'),
    ],
    metrics: {
      careslot: { partner1: summary(one), staffSameService1: summary(staffOne) },
      floor: { partner1: summary(floorOne) },
      statementsPerRequest: statements, staffStatements: staffSample.statements, freeIntervals,
      occupiedIntervals: schedules.reduce((count, s) => count + s.occupied.length, 0),
    },
    statements: [...new Set(statements)].join('/'),
    peakRssMb: Math.max(one.peakRssMb, staffOne.peakRssMb),
    notes: [
      'Floor: the product\'s availability SQL (copied from the build, as scenario 1\'s floor) with the service ($5) and the partner ($10) set as partnerAvailability sets them, in BEGIN; set_config … COMMIT, served as JSON by bare node:http + pg. '
        + 'Beside it, as information, careslot\'s staff availability with the same service (the same statement without the partner): the cost of the partner door inside careslot.',
      `${TURNS_NOTE.replace('(floor, careslot, careslot, floor)', '(floor, partner, staff; staff, partner, floor)')}`,
    ],
  };
};
