import { startWsFloor, type FloorServer } from '../floors';
import type { CareslotProcess } from '../lib/careslot';
import { removeKey, startFeedSubscribers, type ExpectedChange, type FeedDelivery } from '../lib/feed-subscribers';
import { runFeedSync } from '../lib/feed-sync';
import { FEED_QUERY, FEED_SUBSCRIPTION, LIVE_PATIENTS, partnerFeedWorld, problemNotes, UPDATE_PATIENT, type LivePatient } from '../lib/partner-feed';
import { sleep } from '../lib/processes';
import { atMost, check, target, type BenchContext, type Scenario } from '../lib/scenario';
import { round, summarize } from '../lib/stats';
import { PAGE } from './s15-partner-sync';

const SUBSCRIBERS = 100;
/** Warm-up changes at most, until every subscription is live (graphql-ws activates them asynchronously). */
const WARM_CHANGES = 4;
/** How long a change may take to reach every subscriber before the rest count as lost. */
const TIMEOUT_MS = 10_000;

interface SideRun {
  connectMs: number;
  warm: FeedDelivery[];
  measured: FeedDelivery[];
  cpuMsPerDelivery: number;
}

/**
 * Subscribers connect and subscribe; warm-up changes until every one got one (at most
 * WARM_CHANGES); then `measuredCount` changes one after another, 200 ms apart, with the server's
 * CPU over them.
 */
async function runSide(server: CareslotProcess | FloorServer, wsUrl: string, token: string, after: string | null, changes: () => ExpectedChange, measuredCount: number): Promise<SideRun> {
  const subscribers = await startFeedSubscribers({ wsUrl, token, count: SUBSCRIBERS, query: FEED_SUBSCRIPTION, variables: { after } });
  try {
    const warm: FeedDelivery[] = [];
    while (warm.length < WARM_CHANGES && (warm.length === 0 || warm[warm.length - 1].lost > 0)) {
      await sleep(500);
      warm.push(await subscribers.deliver(changes()));
    }
    await sleep(500);
    const before = await server.usage();
    const measured: FeedDelivery[] = [];
    for (let i = 0; i < measuredCount; i++) {
      measured.push(await subscribers.deliver(changes()));
      await sleep(200);
    }
    const after = await server.usage();
    return { connectMs: round(subscribers.connectMs, 0), warm, measured, cpuMsPerDelivery: round((after.cpuMicros - before.cpuMicros) / 1000 / SUBSCRIBERS / measuredCount, 4) };
  } finally {
    await subscribers.close();
  }
}

/** A live patient refuses data processing through the API (updatePatient, the bench admin): their appointment and they themselves must be REMOVEd. */
function consentChange(ctx: BenchContext, careslot: CareslotProcess, patient: LivePatient): ExpectedChange {
  return {
    trigger: {
      url: `${careslot.url}/graphql`, headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.data.token}` },
      body: JSON.stringify({ query: UPDATE_PATIENT, variables: { input: { id: patient.patientId, consents: { dataProcessingRefused: true } } } }), timeoutMs: TIMEOUT_MS,
    },
    expect: [removeKey('APPOINTMENT', patient.appointmentId, 'CONSENT_CHANGED'), removeKey('PATIENT', patient.patientId, 'CONSENT_CHANGED')],
  };
}

/** What the floor broadcasts: careslot's frame of the patient's REMOVE, byte for byte, and the change it names. */
function floorBroadcast(floor: FloorServer, frame: string): ExpectedChange {
  const removed = (JSON.parse(frame) as { payload: { data: { partnerAppointmentChanged: { removed: { entity: string; id: string; reason: string } } } } }).payload.data.partnerAppointmentChanged.removed;
  return {
    trigger: { url: `${floor.url}/broadcast`, headers: { 'content-type': 'application/json' }, body: frame, timeoutMs: TIMEOUT_MS },
    expect: [removeKey(removed.entity, removed.id, removed.reason)],
  };
}

const lostIn = (deliveries: FeedDelivery[]) => deliveries.reduce((sum, d) => sum + d.lost, 0);
const sumOf = (deliveries: FeedDelivery[], pick: (d: FeedDelivery) => number) => deliveries.reduce((sum, d) => sum + pick(d), 0);

function latencies(run: SideRun) {
  const complete = summarize(run.measured.flatMap((d) => d.completeMs));
  const first = summarize(run.measured.flatMap((d) => d.firstMs));
  return { complete, first };
}

/**
 * 16. Partner live changes: 100 graphql-ws subscribers of partnerAppointmentChanged (the partner
 * app's token, each subscribed with the cursor of a completed sync); a patient refuses data
 * processing (updatePatient through the API); every subscriber must get the REMOVE of the patient's
 * appointment and of the patient. Against scenario 7's floor: a bare `ws` server broadcasting the
 * same bytes to as many sockets.
 */
export const partnerLiveScenario: Scenario = async (ctx) => {
  const world = await partnerFeedWorld(ctx);
  const measuredCount = ctx.settings.quick ? 8 : 20;
  if (WARM_CHANGES + measuredCount > LIVE_PATIENTS) throw new Error(`${LIVE_PATIENTS} live patients for up to ${WARM_CHANGES + measuredCount} consent changes`);
  const careslot = world.careslot;
  const sync = await runFeedSync({ side: 'careslot', url: `${careslot.url}/graphql`, token: world.partnerToken, query: FEED_QUERY, first: PAGE });
  if (sync.failure) throw new Error(`the sync before subscribing failed: ${sync.failure}`);
  const cursor = sync.cursors[sync.cursors.length - 1];
  const live = [...world.livePatients];
  const held = new Set(sync.ids);
  const liveHeld = live.filter((p) => held.has(p.appointmentId)).length;

  ctx.log(`  ${SUBSCRIBERS} partner subscribers on careslot`);
  const product = await runSide(careslot, careslot.url.replace(/^http/, 'ws') + '/graphql', world.partnerToken, cursor, () => consentChange(ctx, careslot, live.shift()!), measuredCount);
  const frame = product.measured[0]?.frames.find((f) => f.includes('"entity":"PATIENT"'));
  if (!frame) throw new Error(`no subscriber got the first measured change whole: ${JSON.stringify({ ...product.measured[0], completeMs: undefined, firstMs: undefined }).slice(0, 500)}`);

  ctx.log(`  ${SUBSCRIBERS} subscribers on the bare ws floor`);
  const floor = await startWsFloor();
  let bare: SideRun;
  try {
    bare = await runSide(floor, floor.url.replace(/^http/, 'ws') + '/graphql', world.partnerToken, cursor, () => floorBroadcast(floor, frame), measuredCount);
  } finally {
    await floor.stop();
  }

  const productLatency = latencies(product);
  const bareLatency = latencies(bare);
  const answered = product.measured.filter((d) => d.triggerStatus === 200 && d.triggerBody.includes('"updatePatient":{"id"') && !d.triggerBody.includes('"errors"'));
  const lost = lostIn(product.measured);
  const problems = sumOf(product.measured, (d) => d.withErrors + d.unexpected);
  return {
    id: '16', title: `Partner live changes: a consent change as REMOVE to ${SUBSCRIBERS} partnerAppointmentChanged subscribers`,
    goals: [
      atMost(`p99 delivery latency, ${SUBSCRIBERS} subscribers`, productLatency.complete.p99, bareLatency.complete.p99, 'ms', 1.5),
      { ...atMost(`p50 delivery latency, ${SUBSCRIBERS} subscribers`, productLatency.complete.p50, bareLatency.complete.p50, 'ms', 1.5), goal: 'info', pass: true },
      { ...atMost('p99 latency of the first REMOVE (the appointment\'s or the patient\'s)', productLatency.first.p99, bareLatency.first.p99, 'ms', 1.5), goal: 'info', pass: true },
      { ...atMost('server CPU per delivery', product.cpuMsPerDelivery, bare.cpuMsPerDelivery, 'ms', 1.5), goal: 'info', pass: true },
      target('lost REMOVEs', lost, 'deliveries', '= 0', lost === 0 && problems === 0),
    ],
    checks: [
      check('the live patients\' appointments were in the completed sync the subscribers started from', liveHeld === world.livePatients.length, `${liveHeld} of ${world.livePatients.length}`),
      check('every subscriber became live (a warm-up change reached all)', lostIn(product.warm.slice(-1)) === 0, product.warm.map((d) => `${d.complete} of ${SUBSCRIBERS}`).join(', ')),
      check(`every measured consent change answered (updatePatient, ${measuredCount})`, answered.length === measuredCount,
        `${answered.length} of ${measuredCount}; e.g. ${(product.measured.find((d) => !answered.includes(d)) ?? product.measured[0])?.triggerBody.slice(0, 300)}`),
      check('every subscriber got every REMOVE (the appointment and the patient, CONSENT_CHANGED) of every measured change, without errors', lost === 0 && problems === 0,
        `${measuredCount * SUBSCRIBERS - lost} of ${measuredCount * SUBSCRIBERS} complete; ${sumOf(product.measured, (d) => d.withErrors)} with errors, `
          + `${sumOf(product.measured, (d) => d.unexpected)} other frames${product.measured.find((d) => d.unexpectedSample)?.unexpectedSample ? `, e.g. ${product.measured.find((d) => d.unexpectedSample)!.unexpectedSample.slice(0, 200)}` : ''}`),
      check('the floor delivered every broadcast to every subscriber', lostIn(bare.measured) === 0 && lostIn(bare.warm.slice(-1)) === 0, `${lostIn(bare.measured)} lost`),
    ],
    metrics: {
      careslot: summarizeSide(product, productLatency), floor: summarizeSide(bare, bareLatency),
      syncBefore: { pages: sync.pages, appointments: sync.ids.length, seconds: round(sync.seconds, 2) }, frameBytes: Buffer.byteLength(frame),
    },
    notes: [
      `${SUBSCRIBERS} WebSockets (one forked process, graphql-transport-ws, subscription id "1" each) with the partner app's token, each subscribed to partnerAppointmentChanged(after:) `
        + `with the cursor of a full sync (${sync.ids.length} appointments in ${sync.pages} pages of ${PAGE}) completed just before. Each change: one live patient (one shareable appointment, `
        + 'generated for the purpose) refuses data processing through updatePatient (the bench admin); a subscriber has it when both REMOVEs (the appointment\'s and the patient\'s, reason CONSENT_CHANGED) arrived.',
      `Latency: from sending the trigger (careslot: the updatePatient request; floor: POST /broadcast) to the subscriber's last expected REMOVE, in the subscriber process; `
        + `p50/p99 over ${measuredCount} changes × ${SUBSCRIBERS} subscribers, the changes 200 ms apart, after warm-up changes until every subscription was live. `
        + 'Floor: scenario 7\'s bare `ws` server (`startWsFloor`) broadcasting careslot\'s frame of the patient\'s REMOVE, byte for byte, to as many sockets of the same subscriber process; '
        + 'it sends one frame where careslot sends two (the appointment\'s and the patient\'s REMOVE, read by one feed page).',
      'careslot\'s live feed reads each subscriber\'s changes with a feed page of its own once woken (and every second anyway): server CPU counts careslot\'s process only, not PostgreSQL\'s work for those pages.',
      ...problemNotes(world),
    ],
  };
};

function summarizeSide(run: SideRun, latency: ReturnType<typeof latencies>) {
  const rounded = (l: ReturnType<typeof summarize>) => ({ p50: round(l.p50, 2), p99: round(l.p99, 2), max: round(l.max, 2), count: l.count });
  return {
    // In the shape of the report's runs table: latency to the whole change, CPU per delivery.
    delivery: { p50Ms: round(latency.complete.p50, 2), p99Ms: round(latency.complete.p99, 2), cpuMsPerRequest: run.cpuMsPerDelivery },
    connectMs: run.connectMs, warmChanges: run.warm.length,
    complete: rounded(latency.complete), first: rounded(latency.first),
    answeredP50Ms: round(summarize(run.measured.map((d) => d.answeredMs)).p50, 2),
    lost: lostIn(run.measured), otherChanges: sumOf(run.measured, (d) => d.others),
  };
}
