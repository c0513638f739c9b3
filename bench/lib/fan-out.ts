import { startWsFloor, type FloorServer } from '../floors';
import type { CareslotProcess } from './careslot';
import { sleep } from './processes';
import { mb } from './scenario';
import { round } from './stats';
import { startSubscribers, type Delivery, type Trigger } from './ws-clients';

/** agendaChanged of one centre, the centre id inline: the argument's type (String! or ID!) then does not matter. */
export const agendaSubscription = (centreId: string) => `subscription Agenda {
  agendaChanged(centreId: "${centreId}") { kind centreId appointmentId scheduleId appointment { id start end status } }
}`;

/** Events measured per side and subscriber count. */
export const MEASURED_EVENTS = 3;

export interface FanOutSide {
  connectMs: number;
  /** The event with the median last delivery (lost and failed deliveries: of all events). */
  delivery: Delivery;
  /** Every measured trigger's answer. */
  triggerBodies: string[];
  cpuMsPerDelivery: number;
  rssBeforeMb: number;
  rssSubscribedMb: number;
  peakRssMb: number;
  /** RSS growth per subscriber, in KB. */
  kbPerSubscriber: number;
}

export interface Subscription {
  token: string;
  query: string;
}

/**
 * Subscribers connect, warm-up events prove every subscription is live, then MEASURED_EVENTS events
 * one after another: CPU of the server from the first trigger to the last delivery of the last event
 * (+ a short settle after each), per event; latency from sending a trigger to each subscriber's
 * message, reported for the event with the median last delivery (one event alone swings by ±30 %
 * on a shared 2-core machine); lost and failed deliveries summed over all events; RSS before, with
 * subscribers, and at peak.
 */
export async function fanOut(
  server: CareslotProcess | FloorServer, wsUrl: string, count: number, subscription: Subscription, triggers: () => Trigger,
): Promise<FanOutSide> {
  const rssBefore = server.rssBytes();
  const subscribers = await startSubscribers({ wsUrl, token: subscription.token, count, query: subscription.query, variables: {} });
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
    const deliveries: Delivery[] = [];
    for (let event = 0; event < MEASURED_EVENTS; event++) {
      deliveries.push(await subscribers.trigger(triggers()));
      await sleep(200);
    }
    const after = await server.usage();
    return {
      connectMs: round(subscribers.connectMs, 0), delivery: medianEvent(deliveries), triggerBodies: deliveries.map((d) => d.triggerBody),
      cpuMsPerDelivery: round((after.cpuMicros - before.cpuMicros) / 1000 / count / MEASURED_EVENTS, 4),
      rssBeforeMb: mb(rssBefore), rssSubscribedMb: mb(rssSubscribed), peakRssMb: mb(server.peakRssBytes()),
      kbPerSubscriber: round((rssSubscribed - rssBefore) / 1024 / count, 1),
    };
  } finally {
    await subscribers.close();
  }
}

/** The event whose last delivery is the median one, with every event's lost and failed deliveries added up. */
function medianEvent(deliveries: Delivery[]): Delivery {
  const median = [...deliveries].sort((a, b) => a.lastMs - b.lastMs)[Math.floor(deliveries.length / 2)];
  const sum = (pick: (d: Delivery) => number) => deliveries.reduce((total, d) => total + pick(d), 0);
  return {
    ...median, lost: sum((d) => d.lost), withErrors: sum((d) => d.withErrors), unexpected: sum((d) => d.unexpected),
    identical: deliveries.every((d) => d.identical), triggerStatus: deliveries.find((d) => d.triggerStatus !== 200)?.triggerStatus ?? median.triggerStatus,
  };
}

/** Whether every measured trigger booked (its answer is an Appointment); the detail shows the first that did not, else the first answer. */
export function triggersBooked(side: FanOutSide): { booked: boolean; detail: string } {
  const failed = side.triggerBodies.find((body) => !body.includes('"__typename":"Appointment"'));
  return { booked: failed === undefined, detail: (failed ?? side.triggerBodies[0] ?? '').slice(0, 300) };
}

/** The fan-out floor: `message` (the bytes careslot sent) broadcast by a bare `ws` server to `count` sockets. */
export async function bareFanOut(count: number, subscription: Subscription, message: string): Promise<FanOutSide> {
  const floor = await startWsFloor();
  try {
    const broadcast = (): Trigger => ({ url: `${floor.url}/broadcast`, headers: { 'content-type': 'application/json' }, body: message, timeoutMs: 60_000 });
    return await fanOut(floor, floor.url.replace(/^http/, 'ws') + '/graphql', count, subscription, broadcast);
  } finally {
    await floor.stop();
  }
}

/** A side's numbers for the JSON: the message and trigger answer left out, latencies rounded. */
export function fanOutSummary(side: FanOutSide) {
  return {
    ...side, triggerBodies: undefined,
    delivery: {
      ...side.delivery, message: undefined, triggerBody: undefined,
      latency: { min: round(side.delivery.latency.min, 2), p50: round(side.delivery.latency.p50, 2), p99: round(side.delivery.latency.p99, 2) },
      lastMs: round(side.delivery.lastMs, 2), answeredMs: round(side.delivery.answeredMs, 2),
    },
  };
}
