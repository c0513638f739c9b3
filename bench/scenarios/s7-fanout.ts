import { DateTime } from 'luxon';
import { startWsFloor, type FloorServer } from '../floors';
import type { CareslotProcess } from '../lib/careslot';
import { freeSlots } from '../lib/data';
import { sleep } from '../lib/processes';
import { atMost, check, mb, target, type BenchContext, type Check, type Goal, type Scenario } from '../lib/scenario';
import { round } from '../lib/stats';
import { startSubscribers, type Delivery, type Trigger } from '../lib/ws-clients';
import { BOOK_MUTATION, bookingInput } from './s3-booking';

/** The centre id inline: the argument's type (String! or ID!) then does not matter. */
const subscription = (centreId: string) => `subscription Agenda {
  agendaChanged(centreId: "${centreId}") { kind centreId appointmentId scheduleId appointment { id start end status } }
}`;

interface Side {
  connectMs: number;
  delivery: Delivery;
  cpuMsPerDelivery: number;
  rssBeforeMb: number;
  rssSubscribedMb: number;
  peakRssMb: number;
  /** RSS growth per subscriber, in KB. */
  kbPerSubscriber: number;
}

/**
 * Subscribers connect, a warm-up event proves every subscription is live, then one measured
 * event: CPU of the server between trigger and last delivery (+ a short settle), latency from
 * sending the trigger to each subscriber's message, RSS before, with subscribers, and at peak.
 */
async function fanOut(server: CareslotProcess | FloorServer, wsUrl: string, count: number, ctx: BenchContext, triggers: () => Trigger): Promise<Side> {
  const rssBefore = server.rssBytes();
  const subscribers = await startSubscribers({ wsUrl, token: ctx.data.token, count, query: subscription(ctx.data.centreId), variables: {} });
  try {
    // Warm-up events until every subscription is live (graphql-ws activates them asynchronously).
    let warm: Delivery | undefined;
    for (let attempt = 0; attempt < 4 && (!warm || warm.lost > 0); attempt++) {
      await sleep(500);
      warm = await subscribers.trigger({ ...triggers(), timeoutMs: 30_000 });
    }
    if (!warm || warm.received === 0) {
      throw new Error(`no subscriber received the warm-up event; trigger answered ${warm?.triggerStatus} ${warm?.triggerBody.slice(0, 300)}; `
        + `${warm?.unexpected} subscribers got instead: ${warm?.unexpectedSample}`);
    }
    await sleep(500);
    const rssSubscribed = server.rssBytes();
    server.resetPeakRss();
    const before = await server.usage();
    const delivery = await subscribers.trigger(triggers());
    await sleep(200);
    const after = await server.usage();
    return {
      connectMs: round(subscribers.connectMs, 0), delivery,
      cpuMsPerDelivery: round((after.cpuMicros - before.cpuMicros) / 1000 / count, 4),
      rssBeforeMb: mb(rssBefore), rssSubscribedMb: mb(rssSubscribed), peakRssMb: mb(server.peakRssBytes()),
      kbPerSubscriber: round((rssSubscribed - rssBefore) / 1024 / count, 1),
    };
  } finally {
    await subscribers.close();
  }
}

/** 7. agendaChanged of one centre to 1,000 / 5,000 / 10,000 graphql-ws subscribers, one booking; floor: a bare ws broadcast. */
export const fanOutScenario: Scenario = async (ctx) => {
  const { data, settings } = ctx;
  const counts = settings.subscriberCounts;
  const slots = await freeSlots(ctx.db.ownerUrl, data, {
    centreIds: [data.centreId], fromDay: DateTime.fromISO(data.emptyFromDay).plus({ weeks: 21 }).toISODate()!,
    toDay: DateTime.fromISO(data.emptyFromDay).plus({ weeks: 30 }).toISODate()!, limit: 12 * counts.length, shuffle: false,
  });
  let used = 0;
  const goals: Goal[] = [];
  const checks: Check[] = [];
  const metrics: Record<string, unknown> = {};
  let peakRssMb = 0;
  for (const count of counts) {
    const careslot = await ctx.restartCareslot();
    const bookingTrigger = (): Trigger => ({
      url: `${careslot.url}/graphql`, headers: { 'content-type': 'application/json', authorization: `Bearer ${data.token}` },
      body: JSON.stringify({ query: BOOK_MUTATION, variables: { input: bookingInput(ctx, slots[used++], `bench-fanout-${Date.now()}-${used}`, 'bench:s7') } }),
      timeoutMs: 180_000,
    });
    ctx.log(`  ${count} subscribers on careslot`);
    const product = await fanOut(careslot, careslot.url.replace(/^http/, 'ws') + '/graphql', count, ctx, bookingTrigger);
    if (count === 1000) ctx.facts.rssWith1000SubscribersMb = product.rssSubscribedMb;
    peakRssMb = Math.max(peakRssMb, product.peakRssMb);

    ctx.log(`  ${count} subscribers on the bare ws floor`);
    const floor = await startWsFloor();
    let bare: Side;
    try {
      const broadcast = (): Trigger => ({ url: `${floor.url}/broadcast`, headers: { 'content-type': 'application/json' }, body: product.delivery.message, timeoutMs: 60_000 });
      bare = await fanOut(floor, floor.url.replace(/^http/, 'ws') + '/graphql', count, ctx, broadcast);
    } finally {
      await floor.stop();
    }
    const booked = product.delivery.triggerBody.includes('"__typename":"Appointment"');
    goals.push(
      atMost(`${count}: server CPU per delivery`, product.cpuMsPerDelivery, bare.cpuMsPerDelivery, 'ms', 1.5),
      atMost(`${count}: last-subscriber latency`, product.delivery.lastMs, bare.delivery.lastMs, 'ms', 1.5),
      atMost(`${count}: p99 delivery latency`, product.delivery.latency.p99, bare.delivery.latency.p99, 'ms', 1.5),
      atMost(`${count}: memory per subscriber (RSS growth)`, product.kbPerSubscriber, bare.kbPerSubscriber, 'KB', 2),
      target(`${count}: lost events`, product.delivery.lost + product.delivery.withErrors, 'events', '= 0', product.delivery.lost === 0 && product.delivery.withErrors === 0),
    );
    checks.push(
      check(`${count} subscribers: the booking succeeded`, booked, product.delivery.triggerBody.slice(0, 300)),
      check(`${count} subscribers: every one got the event, without errors`, product.delivery.lost === 0 && product.delivery.withErrors === 0,
        `${product.delivery.received} received, ${product.delivery.lost} lost, ${product.delivery.withErrors} with errors; e.g. ${product.delivery.message.slice(0, 300)}`),
      check(`${count} subscribers: the floor delivered to every one`, bare.delivery.lost === 0, `${bare.delivery.lost} lost`),
    );
    const strip = (side: Side) => ({ ...side, delivery: { ...side.delivery, message: undefined, triggerBody: undefined, latency: { p50: round(side.delivery.latency.p50, 2), p99: round(side.delivery.latency.p99, 2) }, lastMs: round(side.delivery.lastMs, 2) } });
    metrics[String(count)] = { careslot: strip(product), floor: strip(bare), messageBytes: Buffer.byteLength(product.delivery.message), identicalBytes: product.delivery.identical };
  }
  return {
    id: '7', title: 'Fan-out: agendaChanged of one centre, one booking, N graphql-ws subscribers',
    goals, checks, metrics, peakRssMb,
    notes: [
      'One WebSocket per subscriber (subscription id "1" on each), all with the bench admin token. Latency runs from sending the trigger (careslot: the bookAppointment request; floor: POST /broadcast) to each arrival, measured in the subscriber process.',
      'CPU: process.cpuUsage() of the server (probe over IPC) from just before the trigger to 200 ms after the last arrival, divided by the subscribers. Memory: RSS growth from before connecting to all subscribed, per subscriber.',
      'A fresh careslot process per subscriber count, so memory readings do not inherit an earlier, larger heap.',
    ],
  };
};
