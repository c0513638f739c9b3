import { DateTime } from 'luxon';
import { startHttpFloor } from '../floors';
import { graphql } from '../lib/careslot';
import { atLeast, atMost, check, floorJob, graphqlJob, measureInTurns, summary, target, TURNS_NOTE, type Scenario } from '../lib/scenario';

const STATISTICS_QUERY = `query Statistics($filter: BookingStatisticsFilter!) {
  bookingStatistics(filter: $filter, groupBy: [PARTNER, SERVICE]) {
    groups { key { partnerId serviceId } counts { booked cancelled noShow fulfilled } } total { booked }
  }
}`;

interface Group {
  key: { partnerId: string | null; serviceId: string };
  counts: { booked: number; cancelled: number; noShow: number; fulfilled: number };
}

/** The 30 days before the bench week: past weeks (fulfilled, cancelled, no-show) and the current one; no scenario books there. */
function statisticsMonth(weekFrom: string): { from: string; to: string } {
  const to = DateTime.fromISO(weekFrom, { setZone: true });
  return { from: to.minus({ days: 30 }).toUTC().toISO({ suppressMilliseconds: true })!, to: to.toUTC().toISO({ suppressMilliseconds: true })! };
}

/**
 * 12. Booking statistics: the bench tenant's month grouped by PARTNER and SERVICE (generated data:
 * ~15% partner bookings of 3 partners), 1 client and 8 connections, against one hand-written
 * GROUP BY served as JSON by bare node:http + pg.
 */
export const statisticsScenario: Scenario = async (ctx) => {
  const { data } = ctx;
  const month = statisticsMonth(data.weekFrom);
  const variables = { filter: month };
  const path = `/statistics?from=${encodeURIComponent(month.from)}&to=${encodeURIComponent(month.to)}`;

  const samples = await Promise.all(Array.from({ length: 3 }, () => graphql(ctx.careslot().url, data.token, STATISTICS_QUERY, variables)));
  const floor = await startHttpFloor(ctx.floorConfig);
  const server = ctx.careslot();
  let floorOne, floorMany, one, many;
  let floorAnswer: { data: { bookingStatistics: { groups: Group[]; total: { booked: number } } } } | undefined;
  try {
    floorAnswer = await (await fetch(`${floor.url}${path}`)).json() as typeof floorAnswer;
    [floorOne, one] = await measureInTurns([{ server: floor, job: floorJob(ctx, floor, path, 1) }, { server, job: graphqlJob(ctx, STATISTICS_QUERY, variables, 1) }]);
    [floorMany, many] = await measureInTurns([{ server: floor, job: floorJob(ctx, floor, path, 8) }, { server, job: graphqlJob(ctx, STATISTICS_QUERY, variables, 8) }]);
  } finally {
    await floor.stop();
  }

  const product = samples[0].body.data?.bookingStatistics as { groups: Group[]; total: { booked: number } } | undefined;
  const groups = product?.groups ?? [];
  const floorGroups = floorAnswer?.data.bookingStatistics.groups ?? [];
  // As sets of (key, counts): the order is careslot's own business (it documents one; the floor's ORDER BY happens to match).
  const canonical = (list: Group[]) => list.map((g) => JSON.stringify([g.key.partnerId, g.key.serviceId, g.counts.booked, g.counts.cancelled, g.counts.noShow, g.counts.fulfilled])).sort();
  const same = JSON.stringify(canonical(groups)) === JSON.stringify(canonical(floorGroups));
  const partnerGroups = groups.filter((g) => g.key.partnerId !== null);
  const partnerBooked = partnerGroups.reduce((sum, g) => sum + g.counts.booked, 0);
  const total = product?.total.booked ?? 0;
  const statements = samples.map((s) => s.statements);
  return {
    id: '12', title: 'Booking statistics: the bench tenant\'s month by partner and service',
    goals: [
      atMost('p50 at 1 client', one.latency.p50, floorOne.latency.p50, 'ms', 1.5),
      atMost('p50 at 8 connections', many.latency.p50, floorMany.latency.p50, 'ms', 1.5),
      { ...atMost('p99 at 1 client', one.latency.p99, floorOne.latency.p99, 'ms', 1.5), goal: 'info', pass: true },
      { ...atLeast('throughput at 8 connections', many.throughput, floorMany.throughput, 'req/s', 0), goal: 'info', pass: true },
      target('SQL statements per request', Math.max(...statements), 'statements', 'info (one statement)', true),
    ],
    checks: [
      check('bookingStatistics answers without errors', samples.every((s) => !s.body.errors && s.body.data?.bookingStatistics), JSON.stringify(samples[0].body.errors ?? 'none').slice(0, 300)),
      check('careslot\'s groups equal the GROUP BY\'s rows', same, same ? `${groups.length} identical groups` : `careslot ${groups.length} groups, floor ${floorGroups.length}; e.g. ${JSON.stringify(groups[0])} vs ${JSON.stringify(floorGroups[0])}`),
      check('the total is the sum of the groups', total === groups.reduce((sum, g) => sum + g.counts.booked, 0) && total === floorAnswer?.data.bookingStatistics.total.booked,
        `total ${total}, floor ${floorAnswer?.data.bookingStatistics.total.booked}`),
      check('the month has bookings of the bench tenant\'s generated partners', partnerGroups.some((g) => data.partnerIds.includes(g.key.partnerId!)),
        `${partnerGroups.length} partner groups, ${partnerBooked} of ${total} appointments`),
    ],
    metrics: {
      careslot: { one: summary(one), many8: summary(many) },
      floor: { one: summary(floorOne), many8: summary(floorMany) },
      statementsPerRequest: statements, groups: groups.length, appointments: total, partnerAppointments: partnerBooked, month,
    },
    statements: [...new Set(statements)].join('/'),
    peakRssMb: Math.max(one.peakRssMb, many.peakRssMb),
    notes: [
      `Window: the 30 days before the bench week (${month.from} to ${month.to}). Floor: SELECT partner_id, service_id and the four counts FROM appointments of the tenant in the window GROUP BY partner_id, service_id (no join: neither key needs one), `
        + 'a named prepared statement in BEGIN; set_config … COMMIT as the app role, the total summed in JavaScript, served as JSON by bare node:http + pg. '
        + 'careslot runs its one whitelisted statement (GROUPING SETS for groups and total, schedules and centres always joined) unprepared.',
      TURNS_NOTE,
    ],
  };
};
