import { assertProductAgendaBound, startHttpFloor } from '../floors';
import { graphql } from '../lib/careslot';
import { atLeast, atMost, check, floorJob, graphqlJob, measureInTurns, summary, target, TURNS_NOTE, type Scenario } from '../lib/scenario';

const AGENDA_QUERY = `query Agenda($filter: AppointmentFilterInput, $first: Int!) {
  appointments(filter: $filter, first: $first) { nodes { id start schedule { name practitioner { name } } patient { familyName } } }
}`;

/** 5. A centre's appointments with schedule, practitioner and patient: few statements, close to one hand-written JOIN. */
export const agendaScenario: Scenario = async (ctx) => {
  const { data } = ctx;
  // The floor's JOIN bounds the start as careslot's statement does (from − 1 day), or it is no floor.
  assertProductAgendaBound();
  const filter = { centreId: data.centreId, from: data.weekFrom, to: data.weekTo };
  const variables = { filter, first: 100 };
  const url = ctx.careslot().url;
  const small = await graphql(url, data.token, AGENDA_QUERY, { filter, first: 10 });
  const full = await graphql(url, data.token, AGENDA_QUERY, variables);
  // The count must not depend on how many rows (and so schedules and patients) the page holds.
  const oneDay = await graphql(url, data.token, AGENDA_QUERY, { filter, first: 3 });
  const path = `/agenda?from=${encodeURIComponent(data.weekFrom)}&to=${encodeURIComponent(data.weekTo)}&first=100`;

  const floor = await startHttpFloor(ctx.floorConfig);
  const server = ctx.careslot();
  let floorOne, floorMany, one, many, same: boolean | undefined;
  try {
    const floorAnswer = await (await fetch(`${floor.url}${path}`)).json() as { data: { appointments: { nodes: Array<{ id: string }> } } };
    const ids = (nodes: Array<{ id: string }>) => nodes.map((n) => n.id).join(',');
    same = ids(full.body.data?.appointments?.nodes ?? []) === ids(floorAnswer.data.appointments.nodes);
    [floorOne, one] = await measureInTurns([{ server: floor, job: floorJob(ctx, floor, path, 1) }, { server, job: graphqlJob(ctx, AGENDA_QUERY, variables, 1) }]);
    [floorMany, many] = await measureInTurns([{ server: floor, job: floorJob(ctx, floor, path, 32) }, { server, job: graphqlJob(ctx, AGENDA_QUERY, variables, 32) }]);
  } finally {
    await floor.stop();
  }
  const counts = [oneDay.statements, small.statements, full.statements];
  return {
    id: '5', title: 'Agenda: 100 appointments of the centre with schedule, practitioner and patient',
    goals: [
      target('SQL statements per request (3, 10 and 100 rows)', Math.max(...counts), 'statements', '≤ 3, not growing', Math.max(...counts) <= 3 && new Set(counts).size === 1),
      atMost('p50 at 1 client', one.latency.p50, floorOne.latency.p50, 'ms', 1.5),
      atLeast('throughput at 32 connections', many.throughput, floorMany.throughput, 'req/s', 0.6),
    ],
    checks: [
      check('agenda answers without errors', !full.body.errors && !small.body.errors && !oneDay.body.errors, JSON.stringify(full.body.errors ?? small.body.errors ?? 'none').slice(0, 300)),
      check('100 appointments in the bench week', full.body.data?.appointments?.nodes?.length === 100, `${full.body.data?.appointments?.nodes?.length} nodes`),
      check('careslot lists what the JOIN lists', same === true, same ? 'same ids in the same order' : 'ids differ'),
    ],
    metrics: {
      statements: { rows3: oneDay.statements, rows10: small.statements, rows100: full.statements },
      careslot: { one: summary(one), many: summary(many) },
      floor: { one: summary(floorOne), many: summary(floorMany) },
    },
    statements: counts.join('/') + ' (3/10/100 rows)',
    peakRssMb: Math.max(one.peakRssMb, many.peakRssMb),
    notes: [
      'Floor: one hand-written JOIN (appointments, schedules, practitioners, patients) reading only the values the answer holds, with careslot\'s WHERE: no holds, '
        + 'the period bounded as careslot bounds it (ends after from, starts before to and after from − 1 day, so the (tenant_id, starts_at) index reads only the period), the same order and limit; '
        + 'a named prepared statement in BEGIN; set_config … COMMIT, as JSON by bare node:http + pg.',
      TURNS_NOTE,
    ],
  };
};
