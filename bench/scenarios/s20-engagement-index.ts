import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createCertificateAuthority } from '../../test/support/tls-certificates';
import { graphql, type CareslotProcess } from '../lib/careslot';
import { freeSlots, type FreeSlot } from '../lib/data';
import { startBenchEngagementIndex, type BenchEngagementIndex } from '../lib/engagement-index-endpoint';
import { summarize, round } from '../lib/stats';
import { atLeast, check, measure, summary, target, type BenchContext, type Measured, type Scenario, type ScenarioResult } from '../lib/scenario';
import { BOOK_MUTATION, bookingInput } from './s3-booking';

/**
 * Seed 003, the national engagement index, on the bench's careslot restarted with loopback allowed
 * (the stand-in index listens there) with the bench tenant's centres carrying HSA-ids and its patients
 * Swedish personal numbers:
 * 20. booking throughput with the index enabled against disabled, in turns (≥ 0.9×);
 * 21. 10,000 bookings written in one statement reach the index in ≤ 11 requests;
 * 22. at a steady 100 bookings/s, the lag from a booking's answer to its transaction's arrival (p99 ≤ 2 s).
 */
const CONFIGURE = `mutation($input: ConfigureEngagementIndexInput!) { configureEngagementIndex(input: $input) { enabled missingFields } }`;

interface EiBench {
  server: CareslotProcess;
  index: BenchEngagementIndex;
  configure(enabled: boolean): Promise<void>;
  release(): Promise<void>;
}

async function owner<T>(ctx: BenchContext, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ctx.db.ownerUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function startEiBench(ctx: BenchContext): Promise<EiBench> {
  const { data } = ctx;
  const ca = createCertificateAuthority('bench CA');
  const client = ca.issue('careslot bench', 'client');
  const index = await startBenchEngagementIndex(ca);
  const stopIndex = ctx.cleanups.add('bench engagement index', () => index.close());
  // The bench's careslot itself, restarted with loopback allowed (the stand-in listens there): a second
  // process would run job workers of its own on the same queue, and the first one's could not reach the stand-in.
  const settings = ctx.serverSettings.env;
  ctx.serverSettings.env = { ...settings, OUTBOUND_ALLOW_LOOPBACK: 'true' };
  const server = await ctx.restartCareslot();
  const restoreServer = ctx.cleanups.add('the bench careslot as it was', async () => {
    ctx.serverSettings.env = settings;
    await ctx.restartCareslot();
  });
  await owner(ctx, async (db) => {
    await db.query(`UPDATE centres SET hsa_id = 'SE2321000016-B' || substr(md5(id::text), 1, 12) WHERE tenant_id = $1 AND hsa_id IS NULL`, [data.tenantId]);
    await db.query(`UPDATE patients SET personal_identity_number = '19' || lpad((row_number)::text, 10, '0')
                    FROM (SELECT id, row_number() OVER (ORDER BY id) FROM patients WHERE tenant_id = $1 AND personal_identity_number IS NULL) n
                    WHERE patients.tenant_id = $1 AND patients.id = n.id`, [data.tenantId]);
  });
  const configure = async (enabled: boolean) => {
    const answer = await graphql(server.url, data.token, CONFIGURE, {
      input: {
        enabled, centreIds: data.centreIds, sourceSystemHsaId: 'SE2321000016-SRC1', dataController: '2321000016', endpointUrl: index.url,
        endpointHsaId: index.hsaId, clientCertificatePem: client.cert, clientKeyPem: client.key, trustedCaPem: ca.cert,
      },
    });
    if (answer.body.errors || answer.body.data?.configureEngagementIndex.enabled !== enabled) throw new Error(`configuring the index failed: ${JSON.stringify(answer.body)}`);
    // Enabling reconciles the tenant's future bookings with the index: that catch-up is done before anything is measured.
    if (enabled && !(await drained(ctx, 300_000))) throw new Error('the index did not catch up after enabling');
  };
  const release = async () => {
    await owner(ctx, async (db) => {
      // Later scenarios read the bench tenant as it was: the index off, its rows gone.
      await db.query(`UPDATE engagement_index_settings SET enabled = false WHERE tenant_id = $1`, [data.tenantId]);
      for (const table of ['engagement_index_outbox', 'engagement_index_posts', 'engagement_index_failures', 'engagement_index_centres']) {
        await db.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [data.tenantId]);
      }
    });
    await restoreServer();
    await stopIndex();
    ca.dispose();
  };
  return { server, index, configure, release };
}

/** A scenario on its own careslot process and stand-in index, released whatever happens. */
const onEiBench = (work: (ctx: BenchContext, ei: EiBench) => Promise<ScenarioResult>): Scenario => async (ctx) => {
  const ei = await startEiBench(ctx);
  try {
    return await work(ctx, ei);
  } finally {
    await ei.release();
  }
};

const slotsFor = async (ctx: BenchContext, count: number): Promise<FreeSlot[]> => {
  const slots = await freeSlots(ctx.db.ownerUrl, ctx.data, {
    centreIds: ctx.data.centreIds.slice(1), fromDay: ctx.data.weekFrom.slice(0, 10), toDay: ctx.data.emptyFromDay, limit: count, shuffle: true,
  });
  if (slots.length < count) throw new Error(`only ${slots.length} free slots for ${count} bookings`);
  return slots;
};

/** Waits until the outbox is empty (the deliveries are done); answers whether it got there in time. */
async function drained(ctx: BenchContext, deadlineMs: number): Promise<boolean> {
  const deadline = performance.now() + deadlineMs;
  while (performance.now() < deadline) {
    const [{ n }] = await owner(ctx, (db) => db.query<{ n: number }>(`SELECT count(*)::int AS n FROM engagement_index_outbox WHERE tenant_id = $1`, [ctx.data.tenantId]).then((r) => r.rows));
    if (n === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** 20. Booking throughput, the index enabled against disabled, in turns (off, on, on, off). */
export const engagementIndexBookingScenario = onEiBench(async (ctx, ei) => {
  const n = ctx.settings.bookings;
  const perTurn = Math.max(200, Math.round(n / 2));
  const warm = 200;
  const run = randomBytes(3).toString('hex');
  const slots = await slotsFor(ctx, warm + 4 * perTurn);
  const bodies = (part: FreeSlot[], tag: string) => part.map((slot, i) =>
    JSON.stringify({ query: BOOK_MUTATION, variables: { input: bookingInput(ctx, slot, `bench-${run}-${tag}-${i}`, `bench:s20:${run}`) } }));
  const job = (part: FreeSlot[], tag: string) => ({
    url: `${ei.server.url}/graphql`, method: 'POST' as const, headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.data.token}` },
    connections: 32, bodies: bodies(part, tag), warmup: 0,
  });
  await ei.configure(true);
  await measure(ei.server, job(slots.slice(0, warm), 'warm'));
  const turns: Array<{ enabled: boolean; result: Measured }> = [];
  for (const [turn, enabled] of [false, true, true, false].entries()) {
    await ei.configure(enabled);
    const part = slots.slice(warm + turn * perTurn, warm + (turn + 1) * perTurn);
    turns.push({ enabled, result: await measure(ei.server, job(part, `t${turn}`)) });
  }
  const side = (enabled: boolean) => {
    const mine = turns.filter((t) => t.enabled === enabled).map((t) => t.result);
    return { throughput: mine.reduce((s, r) => s + (r.requests - r.non2xx), 0) / mine.reduce((s, r) => s + r.seconds, 0), non2xx: mine.reduce((s, r) => s + r.non2xx, 0), runs: mine };
  };
  const [on, off] = [side(true), side(false)];
  await ei.configure(true);
  const delivered = await drained(ctx, 60_000);
  const [{ posts }] = await owner(ctx, (db) => db.query<{ posts: number }>(`SELECT count(*)::int AS posts FROM engagement_index_posts WHERE tenant_id = $1`, [ctx.data.tenantId]).then((r) => r.rows));
  return {
    id: '20', title: 'Engagement index: booking throughput with the index enabled vs disabled (32 connections, in turns)',
    goals: [atLeast('booking throughput, index enabled vs disabled', on.throughput, off.throughput, 'req/s', 0.9)],
    checks: [
      check('every booking answered 2xx', on.non2xx + off.non2xx === 0, `${on.non2xx + off.non2xx} non-2xx`),
      check('every booking made while enabled reached the index', delivered && posts >= warm + 2 * perTurn, `${posts} posts, outbox drained: ${delivered}`),
    ],
    metrics: { enabled: on.runs.map(summary), disabled: off.runs.map(summary), bookingsPerTurn: perTurn, posts },
    notes: ['Both sides on the same careslot process, turns off, on, on, off; with the index enabled the outbox row rides in the booking\'s statement (a statement trigger on appointment_changes) and deliveries run meanwhile on the same 2 cores.'],
  };
});

/** 21. 10,000 bookings written in one statement reach the index in ≤ 11 requests. */
export const engagementIndexBatchScenario = onEiBench(async (ctx, ei) => {
  const total = 10_000;
  await ei.configure(true);
  const slots = await slotsFor(ctx, total);
  const run = randomBytes(3).toString('hex');
  const before = ei.index.requests.length;
  const started = performance.now();
  await owner(ctx, (db) => db.query(
    `WITH input AS (SELECT x.*, row_number() OVER () AS n FROM json_to_recordset($2::json) AS x("scheduleId" uuid, start timestamptz)),
     booked AS (
       INSERT INTO appointments (tenant_id, schedule_id, service_id, patient_id, starts_at, ends_at, note)
       SELECT $1, i."scheduleId", $3, ($5::uuid[])[1 + i.n % cardinality($5::uuid[])], i.start, i.start + interval '15 minutes', $4
       FROM input i RETURNING id, status, starts_at, ends_at
     )
     INSERT INTO appointment_changes (tenant_id, appointment_id, action, actor_kind, to_status, starts_at, ends_at)
     SELECT $1, id, 'BOOKED', 'OPERATOR', status, starts_at, ends_at FROM booked`,
    [ctx.data.tenantId, JSON.stringify(slots.map((s) => ({ scheduleId: s.scheduleId, start: s.start }))), ctx.data.visit15ServiceId, `bench:s21:${run}`, ctx.data.patientIds],
  ));
  const delivered = await drained(ctx, 120_000);
  const seconds = (performance.now() - started) / 1000;
  const requests = ei.index.requests.slice(before);
  const transactions = requests.reduce((sum, n) => sum + n, 0);
  return {
    id: '21', title: 'Engagement index: 10,000 bookings in one statement reach the index',
    goals: [
      target('requests for 10,000 bookings', requests.length, 'requests', '≤ 11', requests.length <= 11),
      target('time until all delivered', round(seconds, 2), 's', 'info', true),
    ],
    checks: [check('all 10,000 bookings reached the index', delivered && transactions === total, `${transactions} transactions in ${requests.length} requests`)],
    metrics: { requests: requests.length, transactionsPerRequest: requests, seconds: round(seconds, 2) },
    notes: ['The 10,000 appointments and their history rows are written by the database owner in one statement; the outbox is fed by the same trigger as every booking. Counted after enabling\'s catch-up of the tenant\'s existing bookings.'],
  };
});

/** 22. A steady 100 bookings/s: the lag from each booking's answer to its transaction's arrival at the index. */
export const engagementIndexLagScenario = onEiBench(async (ctx, ei) => {
  await ei.configure(true);
  const rate = 100;
  const seconds = ctx.settings.quick ? 10 : 30;
  const slots = await slotsFor(ctx, rate * seconds);
  const run = randomBytes(3).toString('hex');
  const answered = new Map<string, number>();
  let failures = 0;
  const started = performance.now();
  const inflight: Array<Promise<void>> = [];
  for (const [i, slot] of slots.entries()) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inflight.push(graphql(ei.server.url, ctx.data.token, BOOK_MUTATION, { input: bookingInput(ctx, slot, `bench-${run}-${i}`, `bench:s22:${run}`) }).then((answer) => {
      const id = answer.body.data?.bookAppointment?.id as string | undefined;
      if (id) answered.set(id, performance.now());
      else failures++;
    }, () => { failures++; }));
  }
  await Promise.all(inflight);
  const achieved = answered.size / ((performance.now() - started) / 1000);
  const delivered = await drained(ctx, 60_000);
  const lags = [...answered].map(([id, at]) => (ei.index.arrivals.get(id) ?? Infinity) - at);
  const latency = summarize(lags.filter(Number.isFinite).sort((a, b) => a - b));
  const missing = lags.filter((lag) => !Number.isFinite(lag)).length;
  return {
    id: '22', title: `Engagement index: delivery lag at a steady ${rate} bookings/s for ${seconds} s`,
    goals: [
      target('delivery lag p99', round(latency.p99, 1), 'ms', '≤ 2000', latency.p99 <= 2000),
      target('delivery lag p50', round(latency.p50, 1), 'ms', 'info', true),
      target('bookings per second achieved', round(achieved, 1), 'req/s', `info (asked ${rate})`, true),
    ],
    checks: [
      check('every booking succeeded', failures === 0, `${failures} failed`),
      check('every booking reached the index', delivered && missing === 0, `${missing} missing`),
    ],
    metrics: { lag: latency, requests: ei.index.requests.length, bookings: answered.size },
    notes: ['Lag: from the moment the booking\'s answer arrived at the client to the moment its transaction arrived at the stand-in index (same clock, same process). The dispatcher polls every ENGAGEMENT_INDEX_POLL_MS (250 ms) and the job queue picks the delivery up at once.'],
  };
});
