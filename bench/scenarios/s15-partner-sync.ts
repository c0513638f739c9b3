import { Client } from 'pg';
import { startHttpFloor, type FloorServer } from '../floors';
import type { CareslotProcess } from '../lib/careslot';
import { runFeedSync, type FeedSyncJob, type FeedSyncResult } from '../lib/feed-sync';
import { FEED_QUERY, partnerFeedWorld, problemNotes, TARGET_SHAREABLE, type PartnerFeedWorld } from '../lib/partner-feed';
import { atLeast, atMost, check, target, TURNS, type BenchContext, type Scenario } from '../lib/scenario';
import { round, summarize } from '../lib/stats';

/** The most a partner may ask for at once (MAX_FEED_PAGE). */
export const PAGE = 500;
/** Pages each side reads before the measured syncs (JIT, prepared statements, caches). */
const WARM_PAGES = 10;
const DAY_MS = 86_400_000;

/** One measured full sync, with the wall-clock time it ran in (for rows crossing the window's edges meanwhile) and its server's CPU. */
interface TimedSync {
  result: FeedSyncResult;
  startedAt: number;
  endedAt: number;
  cpuMs: number;
}

type SideName = 'careslot' | 'floor';

async function timedSync(server: CareslotProcess | FloorServer, job: FeedSyncJob): Promise<TimedSync> {
  const before = await server.usage();
  const startedAt = Date.now();
  const result = await runFeedSync(job);
  const endedAt = Date.now();
  const after = await server.usage();
  return { result, startedAt, endedAt, cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 };
}

/**
 * Full syncs in turns (floor, careslot, careslot, floor), after a warm-up of WARM_PAGES pages each:
 * whatever else the machine does meanwhile weighs on both sides. Answers the syncs of each side in
 * the order they ran, and the pairs that ran next to each other (for the set comparison).
 */
async function syncInTurns(sides: Record<SideName, { server: CareslotProcess | FloorServer; job: FeedSyncJob }>) {
  const names: SideName[] = ['floor', 'careslot'];
  for (const name of names) await runFeedSync({ ...sides[name].job, maxPages: WARM_PAGES });
  const syncs: Record<SideName, TimedSync[]> = { floor: [], careslot: [] };
  const pairs: Array<Record<SideName, TimedSync>> = [];
  for (let turn = 0; turn < TURNS; turn++) {
    const pair = {} as Record<SideName, TimedSync>;
    for (const name of turn % 2 === 0 ? names : [...names].reverse()) {
      pair[name] = await timedSync(sides[name].server, sides[name].job);
      syncs[name].push(pair[name]);
    }
    pairs.push(pair);
  }
  return { syncs, pairs };
}

/** A side's figures over all its syncs: appointments received per second of syncing, per-page latencies, bytes and CPU. */
function figures(syncs: TimedSync[]) {
  const total = (pick: (s: TimedSync) => number) => syncs.reduce((sum, s) => sum + pick(s), 0);
  const appointments = total((s) => s.result.upserts);
  const seconds = total((s) => s.result.seconds);
  const pages = total((s) => s.result.pages);
  const page = summarize(syncs.flatMap((s) => s.result.pageMs));
  return {
    throughput: appointments / seconds, appointments, seconds: round(seconds, 2), pages, page,
    syncSeconds: syncs.map((s) => round(s.result.seconds, 2)), removes: total((s) => s.result.removes),
    kbPerPage: round(total((s) => s.result.bytes) / pages / 1024, 1), cpuMsPerPage: round(total((s) => s.cpuMs) / pages, 2),
    statements: [...new Set(syncs.flatMap((s) => s.result.statements.filter(Number.isFinite)))],
  };
}

/**
 * Appointments among `ids` that may have crossed an edge of the sliding window (45 days back, 30
 * ahead) between `from` and `to` (ms since the epoch): their start lies where an edge passed
 * meanwhile. Two syncs a few seconds apart may rightly differ in those, and only in those.
 */
async function edgeCrossers(ctx: BenchContext, ids: string[], from: number, to: number): Promise<string[]> {
  if (ids.length === 0) return [];
  const client = new Client({ connectionString: ctx.db.ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; start: Date }>(`SELECT id::text, starts_at AS start FROM appointments WHERE tenant_id = $1 AND id = ANY ($2::uuid[])`, [ctx.data.tenantId, ids]);
    const crossed = (start: number, days: number) => start >= from + days * DAY_MS && start <= to + days * DAY_MS;
    return rows.filter((row) => crossed(row.start.getTime(), -45) || crossed(row.start.getTime(), 30)).map((row) => row.id);
  } finally {
    await client.end();
  }
}

/** Whether careslot's sync holds the floor's set that ran next to it: the ids missing on either side, and which of them an edge crossing explains. */
async function compareSets(ctx: BenchContext, pair: Record<SideName, TimedSync>) {
  const careslot = new Set(pair.careslot.result.ids);
  const floor = new Set(pair.floor.result.ids);
  const missing = [...floor].filter((id) => !careslot.has(id));
  const extra = [...careslot].filter((id) => !floor.has(id));
  const from = Math.min(pair.careslot.startedAt, pair.floor.startedAt);
  const to = Math.max(pair.careslot.endedAt, pair.floor.endedAt);
  const explained = new Set(await edgeCrossers(ctx, [...missing, ...extra], from, to));
  return { careslot: careslot.size, floor: floor.size, missing, extra, unexplained: [...missing, ...extra].filter((id) => !explained.has(id)), explained: explained.size };
}

/** Shareable appointments that may have left the window since the world was set up (its count fell by at most these). */
async function leftSinceSetup(ctx: BenchContext, world: PartnerFeedWorld, until: number): Promise<number> {
  const client = new Client({ connectionString: ctx.db.ownerUrl });
  await client.connect();
  try {
    const { rows: [row] } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM appointments WHERE tenant_id = $1 AND starts_at >= $2::timestamptz - interval '45 days' AND starts_at < $3::timestamptz - interval '45 days'`,
      [ctx.data.tenantId, new Date(world.readyAt), new Date(until)]);
    return row.n;
  } finally {
    await client.end();
  }
}

/**
 * 15. Partner sync: a partner app's full sync of the bench tenant's shared appointments (30,000,
 * topped up for the purpose) through `partnerAppointments`, pages of 500 one after another, each
 * asked with the last one's cursor, against a hand-written keyset query over the same shareable set
 * with the same fields, the same page size, served as JSON by bare node:http + pg; full syncs in
 * turns. Throughput: appointments received per second of syncing.
 */
export const partnerSyncScenario: Scenario = async (ctx) => {
  const world = await partnerFeedWorld(ctx);
  const server = world.careslot;
  const floor = await startHttpFloor(ctx.floorConfig);
  let run;
  try {
    run = await syncInTurns({
      careslot: { server, job: { side: 'careslot', url: `${server.url}/graphql`, token: world.partnerToken, query: FEED_QUERY, first: PAGE } },
      floor: { server: floor, job: { side: 'floor', url: `${floor.url}/partner-sync`, first: PAGE } },
    });
  } finally {
    await floor.stop();
  }
  const product = figures(run.syncs.careslot);
  const bare = figures(run.syncs.floor);
  const comparisons = await Promise.all(run.pairs.map((pair) => compareSets(ctx, pair)));
  const failures = [...run.syncs.careslot, ...run.syncs.floor].map((s) => s.result.failure).filter(Boolean);
  const firstSync = run.syncs.careslot[0].result;
  const left = await leftSinceSetup(ctx, world, Math.max(...run.syncs.careslot.map((s) => s.endedAt)));
  const sameSets = comparisons.every((c) => c.unexplained.length === 0);
  return {
    id: '15', title: `Partner sync: a full sync of the bench tenant's ${TARGET_SHAREABLE.toLocaleString('en')} shared appointments, pages of ${PAGE}`,
    goals: [
      atLeast(`full sync throughput, pages of ${PAGE}`, product.throughput, bare.throughput, 'appointments/s', 0.5),
      { ...atMost('page p50', product.page.p50, bare.page.p50, 'ms', 1), goal: 'info', pass: true },
      { ...atMost('page p99', product.page.p99, bare.page.p99, 'ms', 1), goal: 'info', pass: true },
      { ...atMost('server CPU per page', product.cpuMsPerPage, bare.cpuMsPerPage, 'ms', 1), goal: 'info', pass: true },
      target('SQL statements per page', Math.max(...product.statements), 'statements', 'info', true),
    ],
    checks: [
      check(`careslot with its default limits answers a page of ${PAGE} with the partner app's fields (the schema allows first ≤ ${PAGE})`, world.defaultLimitPage.answered, world.defaultLimitPage.detail),
      check('every sync read its pages to the end without an error', failures.length === 0, failures[0]?.slice(0, 300) ?? `${run.syncs.careslot.length + run.syncs.floor.length} syncs`),
      check('careslot\'s sync holds exactly the floor\'s shareable set (count and ids, each sync against the floor\'s next to it)', sameSets,
        comparisons.map((c) => `careslot ${c.careslot}, floor ${c.floor}: ${c.missing.length} missing, ${c.extra.length} extra`
          + `${c.explained ? ` (${c.explained} crossed a window edge meanwhile)` : ''}${c.unexplained.length ? `, e.g. ${c.unexplained[0]}` : ''}`).join('; ')),
      check(`the full sync reads the ${TARGET_SHAREABLE.toLocaleString('en')} shareable appointments of the setup`, firstSync.ids.length >= world.shareable - left,
        `${firstSync.ids.length} appointments in ${firstSync.pages} pages; ${world.shareable} shareable at the setup, ${left} of the tenant's appointments left the window since`),
    ],
    metrics: {
      careslot: metricsOf(product), floor: metricsOf(bare),
      sets: comparisons.map((c) => ({ careslot: c.careslot, floor: c.floor, missing: c.missing.length, extra: c.extra.length, explained: c.explained })),
      world: { shareable: world.shareable, before: world.before, generated: world.generated, setupMs: world.setupMs },
    },
    statements: `${product.statements.join('/')} per page`,
    notes: [
      `The bench tenant held ${world.before} shareable appointments (seed 002's rule); the setup added ${world.generated.appointments} in ${world.generated.schedules} schedules of a new centre `
        + `(${world.generated.shareable} of them shareable; the rest anonymous, of ${world.generated.refusedPatients} of ${world.generated.patients} patients who refuse processing, notifications or advertising, `
        + `or in ${world.generated.bannedSchedules} schedules whose practitioner is banned from data sharing): ${world.shareable} shareable. A partner created, its data access opened by a CLINIC_HEAD `
        + 'and read by a PARTNER_APP token, all through the API; the opening moved 25 hours back as the owner (data flows 24 hours after it).',
      `careslot: partnerAppointments(after, first: ${PAGE}) with kind, cursor, appointment { id start end status centreId serviceId practitionerName patient { id familyName givenName patronymic phone } }, `
        + 'removed { entity id patientId reason }, cursor, hasMore; each page asked with the last one\'s cursor. Floor: one hand-written keyset query (shareable appointments of the tenant after a (start, id), '
        + 'joined with schedules, practitioners and patients, the same fields) as a named prepared statement in BEGIN; set_config … COMMIT, answered in the same JSON shape by bare node:http + pg.',
      `One client (a forked worker, one keep-alive socket) reads and applies every page (an UPSERT holds the appointment, a REMOVE forgets it) on both sides. Throughput: appointments received / seconds `
        + `from the first request to the last page handled. Full syncs in turns (floor, careslot, careslot, floor) after ${WARM_PAGES} warm-up pages each; a side's figures are those of all its syncs.`,
      'The sets are compared sync by sync with the floor\'s sync next to it; ids in one set only are tolerated solely when their start lies where an edge of the sliding window passed while the two ran.',
      `The syncs ran on a careslot of their own, started as the bench starts careslot but with MAX_COST lifted (as the bench lifts the rate limit), shared with scenarios 16 and 17: `
        + `careslot's default query cost limit prices a page at 1 + first × its selection, and a page of ${PAGE} with these fields ${world.defaultLimitPage.answered ? 'passed it' : `did not (${world.defaultLimitPage.detail.slice(0, 120)})`}.`,
      ...problemNotes(world),
    ],
  };
};

/** A side's figures for the JSON; `page` in the shape of the report's runs table (a request is a page). */
function metricsOf(side: ReturnType<typeof figures>) {
  const { page, pages, throughput, cpuMsPerPage, ...rest } = side;
  return {
    page: { p50Ms: round(page.p50, 2), p99Ms: round(page.p99, 2), throughput: round(pages / side.seconds, 1), cpuMsPerRequest: cpuMsPerPage },
    pages, appointmentsPerSecond: round(throughput, 1), ...rest,
  };
}
