import { DateTime } from 'luxon';
import { freeSlots } from '../lib/data';
import { graphql } from '../lib/careslot';
import { agendaSubscription, bareFanOut, fanOut, fanOutSummary, MEASURED_EVENTS, triggersBooked } from '../lib/fan-out';
import { atMost, check, target, type Check, type Goal, type Scenario } from '../lib/scenario';
import type { Trigger } from '../lib/ws-clients';
import { BOOK_MUTATION, bookingInput } from './s3-booking';

/**
 * Bookings a fresh careslot makes before subscribers connect: the measured ones then find the
 * booking statement prepared and the code warm, as on a server that has been up for a while.
 */
const WARM_BOOKINGS = 20;
/** Per subscriber count: the warm bookings, up to 4 warm-up events and the measured ones. */
const BOOKINGS_PER_COUNT = WARM_BOOKINGS + 4 + MEASURED_EVENTS;

/** 7. agendaChanged of one centre to 1,000 / 5,000 / 10,000 graphql-ws subscribers, one booking; floor: a bare ws broadcast. */
export const fanOutScenario: Scenario = async (ctx) => {
  const { data, settings } = ctx;
  const counts = settings.subscriberCounts;
  const slots = await freeSlots(ctx.db.ownerUrl, data, {
    centreIds: [data.centreId], fromDay: DateTime.fromISO(data.emptyFromDay).plus({ weeks: 21 }).toISODate()!,
    toDay: DateTime.fromISO(data.emptyFromDay).plus({ weeks: 30 }).toISODate()!, limit: BOOKINGS_PER_COUNT * counts.length, shuffle: false,
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
    const warmed: boolean[] = [];
    for (let i = 0; i < WARM_BOOKINGS; i++) {
      const answer = await graphql(careslot.url, data.token, BOOK_MUTATION, { input: bookingInput(ctx, slots[used++], `bench-fanout-warm-${Date.now()}-${used}`, 'bench:s7') });
      warmed.push(answer.body.data?.bookAppointment?.__typename === 'Appointment');
    }
    const subscription = { token: data.token, query: agendaSubscription(data.centreId) };
    ctx.log(`  ${count} subscribers on careslot`);
    const product = await fanOut(careslot, careslot.url.replace(/^http/, 'ws') + '/graphql', count, subscription, bookingTrigger);
    if (count === 1000) ctx.facts.rssWith1000SubscribersMb = product.rssSubscribedMb;
    peakRssMb = Math.max(peakRssMb, product.peakRssMb);

    ctx.log(`  ${count} subscribers on the bare ws floor`);
    const bare = await bareFanOut(count, subscription, product.delivery.message);
    const measured = triggersBooked(product);
    goals.push(
      atMost(`${count}: server CPU per delivery`, product.cpuMsPerDelivery, bare.cpuMsPerDelivery, 'ms', 1.5),
      atMost(`${count}: last-subscriber latency`, product.delivery.lastMs, bare.delivery.lastMs, 'ms', 1.5),
      atMost(`${count}: p99 delivery latency`, product.delivery.latency.p99, bare.delivery.latency.p99, 'ms', 1.5),
      atMost(`${count}: memory per subscriber (RSS growth)`, product.kbPerSubscriber, bare.kbPerSubscriber, 'KB', 2),
      target(`${count}: lost events`, product.delivery.lost + product.delivery.withErrors, 'events', '= 0', product.delivery.lost === 0 && product.delivery.withErrors === 0),
    );
    checks.push(
      check(`${count} subscribers: the ${WARM_BOOKINGS} bookings before subscribing succeeded`, warmed.every(Boolean), `${warmed.filter(Boolean).length} of ${WARM_BOOKINGS}`),
      check(`${count} subscribers: the ${MEASURED_EVENTS} measured bookings succeeded`, measured.booked, measured.detail),
      check(`${count} subscribers: every one got the event, without errors`, product.delivery.lost === 0 && product.delivery.withErrors === 0,
        `${product.delivery.received} received, ${product.delivery.lost} lost, ${product.delivery.withErrors} with errors; e.g. ${product.delivery.message.slice(0, 300)}`),
      check(`${count} subscribers: the floor delivered to every one`, bare.delivery.lost === 0, `${bare.delivery.lost} lost`),
    );
    metrics[String(count)] = { careslot: fanOutSummary(product), floor: fanOutSummary(bare), messageBytes: Buffer.byteLength(product.delivery.message), identicalBytes: product.delivery.identical };
  }
  return {
    id: '7', title: 'Fan-out: agendaChanged of one centre, one booking, N graphql-ws subscribers',
    goals, checks, metrics, peakRssMb,
    notes: [
      'One WebSocket per subscriber (subscription id "1" on each), all with the bench admin token. Latency runs from sending the trigger (careslot: the bookAppointment request; floor: POST /broadcast) to each arrival, measured in the subscriber process.',
      'CPU: process.cpuUsage() of the server (probe over IPC) from just before the trigger to 200 ms after the last arrival, divided by the subscribers. Memory: RSS growth from before connecting to all subscribed, per subscriber.',
      `A fresh careslot process per subscriber count, so memory readings do not inherit an earlier, larger heap; it makes ${WARM_BOOKINGS} bookings before the subscribers connect, so that the measured ones are not its first.`,
      `${MEASURED_EVENTS} events measured per side and count, one after another: latencies of the event with the median last delivery, CPU of all of them divided by events × subscribers, lost deliveries of all of them.`,
    ],
  };
};
