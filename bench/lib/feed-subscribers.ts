/**
 * Partner feed subscribers in one forked process (scenario 16), each its own WebSocket speaking
 * graphql-transport-ws (connection_init with the token, one subscribe with id "1" and variables),
 * as small as ws-clients.ts so the client side costs the same for careslot and the bare floor.
 * Unlike ws-clients.ts, which waits for any first event, a subscriber here waits for a set of
 * changes (the REMOVEs one consent change brings) and notes when the first and the last arrived;
 * other changes (a window sweep's) are counted and ignored. Protocol with the parent:
 * job → {type:'connected'}; {type:'change'} → {type:'delivered'}; {type:'close'} → exit.
 */
import { serveClientsWorker, startClientsWorker } from './child-worker';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Trigger } from './ws-clients';

export interface FeedSubscribersJob {
  wsUrl: string;
  token: string;
  count: number;
  query: string;
  variables: Record<string, unknown>;
}

/** One change to wait for: the trigger that makes it, and the changes every subscriber must get, as changeKey() names them. */
export interface ExpectedChange {
  trigger: Trigger;
  expect: string[];
}

export interface FeedDelivery {
  /** Subscribers that got every expected change, and those that did not (by the trigger's timeout). */
  complete: number;
  lost: number;
  /** Per complete subscriber, milliseconds from sending the trigger to its last expected change, and to its first. */
  completeMs: number[];
  firstMs: number[];
  /** Messages with GraphQL errors; other frames than events (error, complete, a close) and the first of them. */
  withErrors: number;
  unexpected: number;
  unexpectedSample: string;
  /** Changes no one waited for (another change of the tenant, e.g. a window sweep's), over all subscribers. */
  others: number;
  /** Milliseconds from sending the trigger to its answer's headers (careslot's answer leaves after the commit). */
  answeredMs: number;
  triggerStatus: number;
  triggerBody: string;
  /** The expected frames as the first complete subscriber got them, in order of arrival (what the floor broadcasts). */
  frames: string[];
}

/** A REMOVE as the subscribers match it: `REMOVE:<entity>:<id>:<reason>`. */
export const removeKey = (entity: string, id: string, reason: string) => `REMOVE:${entity}:${id}:${reason}`;

/** The key of a partnerAppointmentChanged change (UPSERTs by appointment id). */
function changeKey(change: { kind: string; appointment?: { id: string } | null; removed?: { entity: string; id: string; reason: string } | null }): string {
  if (change.kind === 'REMOVE' && change.removed) return removeKey(change.removed.entity, change.removed.id, change.removed.reason);
  return `${change.kind}:${change.appointment?.id ?? ''}`;
}

export interface FeedSubscribers {
  connectMs: number;
  deliver(change: ExpectedChange): Promise<FeedDelivery>;
  close(): Promise<void>;
}

export async function startFeedSubscribers(job: FeedSubscribersJob): Promise<FeedSubscribers> {
  const worker = await startClientsWorker<ExpectedChange, FeedDelivery>(join(__dirname, 'feed-subscribers.js'), job, 'change');
  return { connectMs: worker.connectMs, deliver: worker.request, close: worker.close };
}

// ---------------------------------------------------------------- child side

interface Subscriber {
  socket: WebSocket;
  /** The expected changes not yet arrived, and when the first and the last did. */
  waiting: Set<string>;
  firstAt: number;
  lastAt: number;
  frames: string[];
  withErrors: number;
  others: number;
  /** The first frame that was neither the ack nor an event (an error, complete, a close). */
  unexpected?: string;
}

function connectAll(job: FeedSubscribersJob): Promise<Subscriber[]> {
  const init = JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${job.token}` } });
  const subscribe = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: job.query, variables: job.variables } });
  const connectOne = () => new Promise<Subscriber>((resolve, reject) => {
    const socket = new WebSocket(job.wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    const subscriber: Subscriber = { socket, waiting: new Set(), firstAt: 0, lastAt: 0, frames: [], withErrors: 0, others: 0 };
    let acknowledged = false;
    socket.on('open', () => socket.send(init));
    socket.on('message', (data) => {
      const text = data.toString();
      if (!acknowledged) {
        if (!text.includes('"connection_ack"')) return reject(new Error(`expected connection_ack, got ${text.slice(0, 200)}`));
        acknowledged = true;
        socket.send(subscribe);
        return resolve(subscriber);
      }
      receive(subscriber, text);
    });
    socket.on('error', reject);
    socket.on('close', (code, reason) => {
      if (!acknowledged) reject(new Error(`closed with ${code} before connection_ack`));
      subscriber.unexpected ??= `socket closed: ${code} ${reason.toString()}`;
    });
  });
  return Promise.all(Array.from({ length: job.count }, connectOne));
}

function receive(subscriber: Subscriber, text: string): void {
  let frame: { type?: string; payload?: { data?: { partnerAppointmentChanged?: any }; errors?: unknown[] } };
  try {
    frame = JSON.parse(text);
  } catch {
    frame = {};
  }
  if (frame.type === 'pong') return;
  if (frame.type !== 'next') {
    subscriber.unexpected ??= text.slice(0, 500);
    return;
  }
  if (frame.payload?.errors) subscriber.withErrors += 1;
  const change = frame.payload?.data?.partnerAppointmentChanged;
  const key = change ? changeKey(change) : '';
  if (!subscriber.waiting.delete(key)) {
    subscriber.others += 1;
    return;
  }
  const now = performance.now();
  subscriber.firstAt ||= now;
  subscriber.lastAt = now;
  subscriber.frames.push(text);
}

async function deliver(subscribers: Subscriber[], change: ExpectedChange): Promise<FeedDelivery> {
  for (const subscriber of subscribers) {
    Object.assign(subscriber, { waiting: new Set(change.expect), firstAt: 0, lastAt: 0, frames: [], withErrors: 0, others: 0 });
  }
  const sent = performance.now();
  const response = await fetch(change.trigger.url, { method: 'POST', headers: change.trigger.headers, body: change.trigger.body });
  const answeredMs = performance.now() - sent;
  const triggerBody = await response.text();
  const deadline = sent + change.trigger.timeoutMs;
  while (performance.now() < deadline && subscribers.some((s) => s.waiting.size > 0 && !s.unexpected)) await new Promise((r) => setTimeout(r, 5));
  const complete = subscribers.filter((s) => s.waiting.size === 0);
  const sum = (pick: (s: Subscriber) => number) => subscribers.reduce((total, s) => total + pick(s), 0);
  return {
    complete: complete.length, lost: subscribers.length - complete.length,
    completeMs: complete.map((s) => s.lastAt - sent), firstMs: complete.map((s) => s.firstAt - sent),
    withErrors: sum((s) => s.withErrors), others: sum((s) => s.others),
    unexpected: subscribers.filter((s) => s.unexpected).length, unexpectedSample: subscribers.find((s) => s.unexpected)?.unexpected ?? '',
    answeredMs, triggerStatus: response.status, triggerBody: triggerBody.slice(0, 2000), frames: complete[0]?.frames ?? [],
  };
}

if (require.main === module) serveClientsWorker('change', connectAll, deliver);
