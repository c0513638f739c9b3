import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { graphql, startCareslot, type CareslotProcess } from '../lib/careslot';
import { BENCH_FHIR_KEY, BENCH_FHIR_SCHEDULE, startBenchFhirServer, type BenchFhirServer } from '../lib/fhir-server';
import { atMost, check, measureInTurns, summary, target, TURNS_NOTE, type BenchContext, type Scenario } from '../lib/scenario';
import { round } from '../lib/stats';

const AVAILABILITY_QUERY = `query Availability($centreId: ID!, $from: Instant!, $to: Instant!) {
  availability(centreId: $centreId, from: $from, to: $to) {
    schedules { scheduleId source free { start end } occupied { start end } } unavailable { scheduleId source }
  }
}`;
const SAVE = `mutation Save($input: BookingSystemConnectionInput!) {
  testAndSaveBookingSystemConnection(input: $input) { ok problem { code } connection { scheduleId } }
}`;
const TEST = `mutation Test($input: BookingSystemConnectionInput!) { testBookingSystemConnection(input: $input) { ok problem { code } } }`;
/** The goal: availability with one FHIR R4 external schedule ≤ 1.5× the FHIR server's own Slot search plus the local availability. */
const GOAL = 1.5;
const BURST = 20;

type AvailabilityData = { availability: { schedules: Array<{ scheduleId: string; source: string; free: unknown[] }>; unavailable: unknown[] } };

/** A fresh ADMIN of the bench tenant and its token (failed connection tests are counted per user). */
async function freshAdmin(url: string, token: string): Promise<string> {
  const user = await graphql<{ createUser: { id: string } }>(url, token, 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
    { input: { email: `bench-admin-${randomUUID().slice(0, 8)}@bench.example`, displayName: 'Bench admin', roles: ['ADMIN'] } });
  const created = await graphql<{ createApiToken: { token: string } }>(url, token, 'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }',
    { input: { userId: user.body.data!.createUser.id, label: 'bench' } });
  return created.body.data!.createApiToken.token;
}

/** The centre is given back as it was: its connection and external schedule gone (later scenarios read the bench tenant). */
async function disconnect(ownerUrl: string, tenantId: string, centreId: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query('DELETE FROM schedule_services WHERE tenant_id = $1 AND schedule_id IN (SELECT id FROM schedules WHERE tenant_id = $1 AND centre_id = $2 AND external_schedule_ref IS NOT NULL)', [tenantId, centreId]);
    await client.query('DELETE FROM schedules WHERE tenant_id = $1 AND centre_id = $2 AND external_schedule_ref IS NOT NULL', [tenantId, centreId]);
    await client.query('DELETE FROM booking_system_connections WHERE tenant_id = $1 AND centre_id = $2', [tenantId, centreId]);
  } finally {
    await client.end();
  }
}

/**
 * 18. External schedules (seed 004): the availability of a bench centre (its 10 schedules) with
 * one FHIR R4 external schedule, against the FHIR server's own Slot search for the same week plus
 * the same centre's local availability, all at 1 client. Then a burst of 20 failing connection
 * tests by one admin: the attempt limiter lets at most 6 reach the system.
 * A careslot process of its own, allowed to call loopback (the FHIR server runs in the bench).
 */
export const externalAvailabilityScenario: Scenario = async (ctx: BenchContext) => {
  const { data } = ctx;
  const centreId = data.centreIds[data.centreIds.length - 1];
  const variables = { centreId, from: data.weekFrom, to: data.weekTo };
  const fhir: BenchFhirServer = await startBenchFhirServer(data.weekFrom);
  const stopFhir = ctx.cleanups.add('bench FHIR server', () => fhir.stop());
  const server: CareslotProcess = await startCareslot({ ...ctx.serverSettings, env: { ...ctx.serverSettings.env, OUTBOUND_ALLOW_LOOPBACK: 'true' } });
  const stopServer = ctx.cleanups.add('careslot for external schedules', () => server.stop());
  const restore = ctx.cleanups.add('external schedule of the bench centre', () => disconnect(ctx.db.ownerUrl, data.tenantId, centreId));
  const job = (query: string) => ({
    url: `${server.url}/graphql`, method: 'POST' as const, headers: { 'content-type': 'application/json', authorization: `Bearer ${data.token}` },
    body: JSON.stringify({ query, variables }), connections: 1, duration: ctx.settings.duration, warmup: ctx.settings.warmup,
  });
  const slotSearch = {
    url: `${fhir.base}/Slot?schedule=Schedule/${BENCH_FHIR_SCHEDULE}&start=ge${encodeURIComponent(data.weekFrom)}&start=lt${encodeURIComponent(data.weekTo)}`,
    method: 'GET' as const, headers: { authorization: `Bearer ${BENCH_FHIR_KEY}` }, connections: 1, duration: ctx.settings.duration, warmup: ctx.settings.warmup,
  };
  try {
    // Before connecting: the local availability and the FHIR server's own answer, in turns.
    const local = await graphql<AvailabilityData>(server.url, data.token, AVAILABILITY_QUERY, variables);
    const [fhirAlone, localAlone] = await measureInTurns([{ server: null, job: slotSearch }, { server, job: job(AVAILABILITY_QUERY) }]);

    const saved = await graphql<{ testAndSaveBookingSystemConnection: { ok: boolean; connection: { scheduleId: string } | null } }>(server.url, data.token, SAVE, {
      input: { centreId, system: 'FHIR_R4', bookingUrl: fhir.base, externalId: BENCH_FHIR_SCHEDULE, apiKey: BENCH_FHIR_KEY },
    });
    const externalId = saved.body.data?.testAndSaveBookingSystemConnection.connection?.scheduleId;
    const sample = await graphql<AvailabilityData>(server.url, data.token, AVAILABILITY_QUERY, variables);
    const [fhirWith, withExternal] = await measureInTurns([{ server: null, job: slotSearch }, { server, job: job(AVAILABILITY_QUERY) }]);

    // A burst of failing tests (a wrong key) by one admin: the limiter lets at most 6 reach the FHIR server.
    const admin = await freshAdmin(server.url, data.token);
    const before = fhir.hits.get('/fhir/metadata') ?? 0;
    const burst = await Promise.all(Array.from({ length: BURST }, () => graphql<{ testBookingSystemConnection: { ok: boolean } }>(server.url, admin, TEST, {
      input: { centreId, system: 'FHIR_R4', bookingUrl: fhir.base, externalId: BENCH_FHIR_SCHEDULE, apiKey: 'wrong-key-0000' },
    })));
    const outbound = (fhir.hits.get('/fhir/metadata') ?? 0) - before;
    const limited = burst.filter((answer) => answer.body.errors?.[0]?.extensions?.code === 'RATE_LIMITED').length;

    const external = sample.body.data?.availability.schedules.find((schedule) => schedule.scheduleId === externalId);
    const localSchedules = local.body.data?.availability.schedules.length ?? 0;
    const baseline = fhirAlone.latency.p50 + localAlone.latency.p50;
    return {
      id: '18', title: 'External schedules: availability with one FHIR R4 schedule; a burst of failed connection tests',
      goals: [
        atMost('availability with a FHIR schedule vs FHIR Slot search + local availability, p50 at 1 client', withExternal.latency.p50, baseline, 'ms', GOAL),
        { ...atMost('the same, p99 at 1 client', withExternal.latency.p99, fhirAlone.latency.p99 + localAlone.latency.p99, 'ms', GOAL), goal: 'info', pass: true },
        target(`outbound calls of ${BURST} parallel failing tests`, outbound, 'calls', '≤ 6', outbound <= 6),
      ],
      checks: [
        check('the connection was saved with an external schedule', saved.body.data?.testAndSaveBookingSystemConnection.ok === true && Boolean(externalId),
          JSON.stringify(saved.body.errors ?? saved.body.data).slice(0, 300)),
        check('availability holds the local schedules and the FHIR one, marked FHIR_R4, with every free slot', external?.source === 'FHIR_R4'
          && (sample.body.data?.availability.schedules.length ?? 0) === localSchedules + 1 && (sample.body.data?.availability.unavailable.length ?? 1) === 0,
          `${sample.body.data?.availability.schedules.length} schedules (local ${localSchedules}), external ${external?.source}, ${external?.free.length} free intervals`),
        check(`${BURST} parallel failing tests make at most 6 outbound calls, the rest RATE_LIMITED`, outbound <= 6 && limited >= BURST - 6, `${outbound} calls, ${limited} RATE_LIMITED`),
      ],
      metrics: {
        careslot: { localAvailability1: summary(localAlone), withFhirSchedule1: summary(withExternal) },
        fhir: { slotSearchBefore1: summary(fhirAlone), slotSearchWith1: summary(fhirWith) },
        baselineP50Ms: round(baseline, 3), freeSlotsServed: fhir.freeSlots, burstOutboundCalls: outbound, burstRateLimited: limited,
        statementsPerRequest: sample.statements,
      },
      statements: String(sample.statements),
      peakRssMb: withExternal.peakRssMb,
      notes: [
        `The bench tenant's last centre (10 schedules), one week; the FHIR server (in the bench process, node:http) serves ${fhir.freeSlots} free of 112 Slots of that week as one Bundle per search. `
          + 'Baseline: the FHIR server\'s own Slot search (GET with the bearer key, 1 client) p50 plus careslot\'s availability of the same centre before it was connected, measured in turns; then, connected, careslot\'s availability in turns with the Slot search again.',
        TURNS_NOTE,
        'A careslot process of its own, with OUTBOUND_ALLOW_LOOPBACK (production refuses loopback addresses); the centre is disconnected again at the end.',
      ],
    };
  } finally {
    await restore();
    await stopServer();
    await stopFhir();
  }
};
