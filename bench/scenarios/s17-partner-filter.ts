import { Client } from 'pg';
import { decodeCursor } from '../../src/services/partners/partner-feed-cursor';
import { productFeedPage, sharedAgendaSql, startHttpFloor, withoutSharingFilter } from '../floors';
import { graphql } from '../lib/careslot';
import { runFeedSync } from '../lib/feed-sync';
import { FEED_QUERY, partnerFeedWorld, problemNotes } from '../lib/partner-feed';
import { atMost, check, floorJob, measureInTurns, summary, TURNS_NOTE, type BenchContext, type Scenario } from '../lib/scenario';
import { round, summarize } from '../lib/stats';
import { PAGE } from './s15-partner-sync';

/** Scenario 5's agenda size. */
const AGENDA_ROWS = 100;

/** Executions of each statement before the measured ones (the sixth may switch to a generic plan). */
const WARM_EXECUTIONS = 6;

interface Statement {
  sql: string;
  values: unknown[];
}

/** A parameter as an SQL literal (the values are the bench's own ids, numbers and instants). */
const literal = (value: unknown) => (value === null ? 'NULL' : typeof value === 'number' ? String(value) : `'${String(value).replace(/'/g, "''")}'`);

/**
 * PostgreSQL's own execution time of each statement (EXPLAIN (ANALYZE, TIMING OFF) EXECUTE of a
 * prepared statement, as the app's role in the tenant's and the partner's scope), the statements
 * alternating (A B, B A, …) after WARM_EXECUTIONS each: the filter's cost without HTTP and without
 * decoding the rows, which both sides of the goal also pay.
 */
async function executionMs(ctx: BenchContext, partnerId: string, statements: Statement[], samples: number): Promise<number[][]> {
  const client = new Client({ connectionString: ctx.db.appUrl, application_name: 'careslot-bench-s17' });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.tenant_id', $1, true), set_config('app.partner_id', $2, true)`, [ctx.data.tenantId, partnerId]);
    for (const [i, statement] of statements.entries()) await client.query(`PREPARE bench_s17_${i} AS ${statement.sql}`);
    const times: number[][] = statements.map(() => []);
    for (let turn = 0; turn < WARM_EXECUTIONS + samples; turn++) {
      const order = statements.map((_, i) => (turn % 2 === 0 ? i : statements.length - 1 - i));
      for (const i of order) {
        const { rows } = await client.query(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE bench_s17_${i}(${statements[i].values.map(literal).join(', ')})`);
        if (turn >= WARM_EXECUTIONS) times[i].push(rows[0]['QUERY PLAN'][0]['Execution Time'] as number);
      }
    }
    await client.query('ROLLBACK');
    return times;
  } finally {
    await client.end();
  }
}

interface FeedPageRow {
  kind: string;
  id: string;
  removedBecause: string | null;
}

/**
 * 17. The sharing filter's cost: careslot's own partner feed page (the statement
 * partnerFeedRepository.page sends, caught from the build) at a position in the middle of a full
 * sync, 500 rows, against the same statement with the consent, anonymous and practitioner-ban
 * filter taken out (withoutSharingFilter), both run by the floor server as named prepared
 * statements in careslot's partner scope, in turns, 1 client. Beside it, as information, scenario
 * 5's agenda JOIN of 100 rows with the product's sharing expression as a WHERE condition against
 * the same JOIN without it, over the partner feed centre's bench week.
 */
export const partnerFilterScenario: Scenario = async (ctx) => {
  const { data } = ctx;
  const world = await partnerFeedWorld(ctx);
  const server = world.careslot;
  const sync = await runFeedSync({ side: 'careslot', url: `${server.url}/graphql`, token: world.partnerToken, query: FEED_QUERY, first: PAGE });
  if (sync.failure) throw new Error(`the full sync failed: ${sync.failure}`);
  const positionOf = (cursor: string) => {
    const position = decodeCursor(world.partnerId, cursor);
    if (!position || position.fullFrom === null) throw new Error(`a cursor of the full sync names no position of a full pass: ${JSON.stringify(position)}`);
    return position;
  };
  const page = (filter: 0 | 1, position: ReturnType<typeof positionOf>) =>
    `/partner-feed-page?filter=${filter}&first=${PAGE}&partnerId=${world.partnerId}&xid=${position.xid}&id=${position.id}&fullFrom=${position.fullFrom}`;
  const agenda = (filter: 0 | 1) => `/partner-agenda?filter=${filter}&first=${AGENDA_ROWS}&centreId=${world.centreId}&from=${encodeURIComponent(data.weekFrom)}&to=${encodeURIComponent(data.weekTo)}`;
  const floor = await startHttpFloor(ctx.floorConfig);
  let filtered, unfiltered, agendaShared, agendaAll, careslotPage, cursor: string, position: ReturnType<typeof positionOf>;
  let rows: Record<'filtered' | 'unfiltered', FeedPageRow[]>;
  let agendaRows: Record<'shared' | 'all', Array<{ id: string }>>;
  try {
    const read = async <T>(path: string) => {
      const response = await fetch(`${floor.url}${path}`);
      if (response.status !== 200) throw new Error(`floor ${path}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
      return (await response.json() as { data: T }).data;
    };
    // A position halfway through a full sync, as a partner's cursor names it: the first page from there on
    // that holds rows the filter withholds (earlier scenarios' changes can leave a stretch of the feed without any).
    const halfway = Math.floor(sync.cursors.length / 2) - 1;
    const candidates = [...sync.cursors.slice(halfway), ...sync.cursors.slice(0, halfway)].filter((candidate): candidate is string => candidate !== null);
    cursor = candidates[0]!;
    position = positionOf(cursor);
    for (const candidate of candidates) {
      const filteredRows = (await read<{ rows: FeedPageRow[] }>(page(1, positionOf(candidate)))).rows;
      if (!filteredRows.some((row) => row.removedBecause !== null)) continue;
      cursor = candidate;
      position = positionOf(candidate);
      break;
    }
    // careslot's answer and the floor's rows at the same moment: the feed moves on (its window slides).
    careslotPage = await graphql(server.url, world.partnerToken, FEED_QUERY, { after: cursor, first: PAGE });
    rows = { filtered: (await read<{ rows: FeedPageRow[] }>(page(1, position))).rows, unfiltered: (await read<{ rows: FeedPageRow[] }>(page(0, position))).rows };
    agendaRows = {
      shared: (await read<{ appointments: { nodes: Array<{ id: string }> } }>(agenda(1))).appointments.nodes,
      all: (await read<{ appointments: { nodes: Array<{ id: string }> } }>(agenda(0))).appointments.nodes,
    };
    [filtered, unfiltered] = await measureInTurns([{ server: floor, job: floorJob(ctx, floor, page(1, position), 1) }, { server: floor, job: floorJob(ctx, floor, page(0, position), 1) }]);
    [agendaShared, agendaAll] = await measureInTurns([{ server: floor, job: floorJob(ctx, floor, agenda(1), 1) }, { server: floor, job: floorJob(ctx, floor, agenda(0), 1) }]);
  } finally {
    await floor.stop();
  }
  const productPage = await productFeedPage(data.tenantId, position, PAGE);
  const agendaValues = [data.tenantId, world.centreId, data.weekFrom, data.weekTo, AGENDA_ROWS];
  const [pageWith, pageWithout, agendaWith, agendaWithout] = (await executionMs(ctx, world.partnerId, [
    { sql: productPage.text, values: productPage.values }, { sql: withoutSharingFilter(productPage.text), values: productPage.values },
    { sql: sharedAgendaSql(true), values: agendaValues }, { sql: sharedAgendaSql(false), values: agendaValues },
  ], ctx.settings.quick ? 10 : 30)).map((samples) => summarize(samples));

  const upserts: string[] = (careslotPage.body.data?.partnerAppointments?.changes ?? []).filter((c: { kind: string }) => c.kind === 'UPSERT').map((c: { appointment: { id: string } }) => c.appointment.id);
  const ids = (list: Array<{ id: string }>) => list.map((r) => r.id).join(',');
  const shared = rows.filtered.filter((r) => r.kind === 'APPOINTMENT' && r.removedBecause === null);
  const withheld = rows.filtered.filter((r) => r.removedBecause !== null);
  const sharedIds = new Set(agendaRows.shared.map((r) => r.id));
  const agendaWithheld = agendaRows.all.filter((r) => !sharedIds.has(r.id)).length;
  return {
    id: '17', title: `Sharing filter: careslot's partner feed page of ${PAGE} with and without its consent, anonymous and ban filter`,
    goals: [
      atMost(`feed page of ${PAGE} rows, with the sharing filter vs without, p50 at 1 client`, filtered.latency.p50, unfiltered.latency.p50, 'ms', 1.2),
      { ...atMost(`the same, p99`, filtered.latency.p99, unfiltered.latency.p99, 'ms', 1.2), goal: 'info', pass: true },
      { ...atMost('the same, PostgreSQL\'s execution time alone (EXPLAIN ANALYZE), p50', pageWith.p50, pageWithout.p50, 'ms', 1.2), goal: 'info', pass: true },
      { ...atMost(`agenda JOIN of ${AGENDA_ROWS} rows (scenario 5's), with the product's sharing expression vs without, p50 at 1 client`, agendaShared.latency.p50, agendaAll.latency.p50, 'ms', 1.2), goal: 'info', pass: true },
      { ...atMost('the same, PostgreSQL\'s execution time alone (EXPLAIN ANALYZE), p50', agendaWith.p50, agendaWithout.p50, 'ms', 1.2), goal: 'info', pass: true },
    ],
    checks: [
      check('the floor runs careslot\'s page: its shared rows are the UPSERTs careslot answers at the same cursor', !careslotPage.body.errors && ids(shared) === upserts.join(','),
        `${shared.length} shared rows, careslot ${upserts.length} UPSERTs${careslotPage.body.errors ? `; ${JSON.stringify(careslotPage.body.errors).slice(0, 200)}` : ''}`),
      check('with and without the filter the page reads the same rows; the measured page holds rows the filter withholds', ids(rows.filtered) === ids(rows.unfiltered)
        && rows.filtered.length === PAGE && withheld.length > 0 && rows.unfiltered.every((r) => r.removedBecause === null || r.removedBecause === 'OUTSIDE_WINDOW'),
      `${rows.filtered.length} and ${rows.unfiltered.length} rows; ${withheld.length} withheld (${[...new Set(withheld.map((r) => r.removedBecause))].join(', ')})`),
      check(`the agenda answers ${AGENDA_ROWS} rows either way, and the filter withholds some of the unfiltered ones`, agendaRows.shared.length === AGENDA_ROWS && agendaRows.all.length === AGENDA_ROWS && agendaWithheld > 0,
        `${agendaRows.shared.length} shared, ${agendaRows.all.length} unfiltered, ${agendaWithheld} of these withheld`),
    ],
    metrics: {
      floor: {
        feedPage: { filtered: summary(filtered), unfiltered: summary(unfiltered) },
        agenda: { shared: summary(agendaShared), all: summary(agendaAll) },
      },
      executionMs: { feedPage: { filtered: executionSummary(pageWith), unfiltered: executionSummary(pageWithout) }, agenda: { shared: executionSummary(agendaWith), all: executionSummary(agendaWithout) } },
      feedPage: { position, rows: rows.filtered.length, shared: shared.length, withheld: withheld.length },
      agenda: { rows: AGENDA_ROWS, withheldOfUnfiltered: agendaWithheld },
    },
    notes: [
      `Goal: careslot's partner feed page (the statement and parameters partnerFeedRepository.page sends, caught from the build, as a named prepared statement in BEGIN; set_config tenant and partner … COMMIT, `
        + `as careslot runs it) at the first cursor from halfway through a full sync whose page holds withheld rows (${sync.pages} pages of ${PAGE}: ${shared.length} of the page's ${rows.filtered.length} rows shared, ${withheld.length} withheld) against `
        + 'the same statement without the sharing filter: the CASE lines that withhold a row for the patient\'s consents, an anonymous appointment or a banned practitioner, and the UNION branch that '
        + 'reads the patients who refused, taken out; order, window, joins and fields unchanged. Both on the floor server, at the same size (the page reads the same 500 rows either way), in turns. '
        + 'This compares careslot\'s own statement with and without the filter; careslot\'s HTTP and GraphQL work around it is scenario 15\'s.',
      `Information: scenario 5's agenda JOIN (a centre's appointments in a period with schedule, practitioner and patient; its aliases renamed) over the partner feed centre's bench week, ${AGENDA_ROWS} rows, `
        + 'with the product\'s own sharing expression (notSharedBecauseSql) as a WHERE condition against the same JOIN without it: the filter in an agenda-shaped query, which careslot does not run for partners. '
        + `With it, ${AGENDA_ROWS} shared rows need more rows read (${agendaWithheld} of the unfiltered ${AGENDA_ROWS} are withheld).`,
      `Beside each, as information, PostgreSQL's own execution time of the two statements (EXPLAIN (ANALYZE, TIMING OFF) EXECUTE of prepared statements, the app's role in the tenant's and partner's scope, `
        + `alternating, after ${WARM_EXECUTIONS} executions each): the filter's cost without the HTTP round trip and the decoding of the rows, which weigh the same on both sides of the goal.`,
      TURNS_NOTE.replace('(floor, careslot, careslot, floor)', '(with the filter, without, without, with)').replace('Floor and careslot', 'Both statements'),
      ...problemNotes(world),
    ],
  };
};

const executionSummary = (latency: ReturnType<typeof summarize>) => ({ p50: round(latency.p50, 3), p99: round(latency.p99, 3), count: latency.count });
