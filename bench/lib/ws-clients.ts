/**
 * Many subscribers in one forked process, each its own WebSocket speaking graphql-transport-ws
 * (connection_init with the token, one subscribe with id "1"). Deliberately tiny, so the client
 * side costs the same for careslot and for the bare broadcast floor. Protocol with the parent:
 * job → {type:'connected'}; {type:'trigger'} → {type:'delivered'}; {type:'close'} → result.
 */
import { join } from 'node:path';
import { serveClientsWorker, startClientsWorker } from './child-worker';
import WebSocket from 'ws';
import { summarize, type Latency } from './stats';

export interface SubscribersJob {
  wsUrl: string;
  token: string;
  count: number;
  query: string;
  variables: Record<string, unknown>;
}

export interface Trigger {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface Delivery {
  received: number;
  lost: number;
  withErrors: number;
  /** Milliseconds from sending the trigger to each subscriber's message. */
  latency: Latency;
  lastMs: number;
  /** Milliseconds from sending the trigger to its answer's headers (a booking's answer leaves after its commit). */
  answeredMs: number;
  triggerStatus: number;
  triggerBody: string;
  /** The message as the first subscriber received it, and whether everyone got the same bytes. */
  message: string;
  identical: boolean;
  /** How many subscribers got something else (error, complete, close), and the first such message. */
  unexpected: number;
  unexpectedSample: string;
}

export interface Subscribers {
  connectMs: number;
  trigger(trigger: Trigger): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startSubscribers(job: SubscribersJob): Promise<Subscribers> {
  const worker = await startClientsWorker<Trigger, Delivery>(join(__dirname, 'ws-clients.js'), job, 'trigger', ['--max-old-space-size=4096']);
  return { connectMs: worker.connectMs, trigger: worker.request, close: worker.close };
}

// ---------------------------------------------------------------- child side

interface Client {
  socket: WebSocket;
  arrival: number;
  message: string;
  /** The first message that was neither the ack nor an event (an error, complete, a close). */
  unexpected?: string;
}

async function connectAll(job: SubscribersJob): Promise<Client[]> {
  const clients: Client[] = [];
  const init = JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${job.token}` } });
  const subscribe = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: job.query, variables: job.variables } });
  const connectOne = () => new Promise<Client>((resolve, reject) => {
    const socket = new WebSocket(job.wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    const client: Client = { socket, arrival: 0, message: '' };
    let acknowledged = false;
    socket.on('open', () => socket.send(init));
    socket.on('message', (data) => {
      const text = data.toString();
      if (!acknowledged) {
        if (!text.includes('"connection_ack"')) return reject(new Error(`expected connection_ack, got ${text.slice(0, 200)}`));
        acknowledged = true;
        socket.send(subscribe);
        return resolve(client);
      }
      if (client.arrival === 0 && text.includes('"next"')) {
        client.arrival = performance.now();
        client.message = text;
      } else if (!text.includes('"next"') && !text.includes('"pong"')) {
        client.unexpected ??= text.slice(0, 500);
      }
    });
    socket.on('error', reject);
    socket.on('close', (code, reason) => {
      if (!acknowledged) reject(new Error(`closed with ${code} before connection_ack`));
      client.unexpected ??= `socket closed: ${code} ${reason.toString()}`;
    });
  });
  const BATCH = 200;
  for (let i = 0; i < job.count; i += BATCH) {
    clients.push(...await Promise.all(Array.from({ length: Math.min(BATCH, job.count - i) }, connectOne)));
  }
  return clients;
}

async function deliver(clients: Client[], trigger: Trigger): Promise<Delivery> {
  for (const client of clients) {
    client.arrival = 0;
    client.message = '';
  }
  const sent = performance.now();
  const response = await fetch(trigger.url, { method: 'POST', headers: trigger.headers, body: trigger.body });
  const answeredMs = performance.now() - sent;
  const triggerBody = await response.text();
  const deadline = sent + trigger.timeoutMs;
  while (performance.now() < deadline && clients.some((c) => c.arrival === 0 && !c.unexpected)) await new Promise((r) => setTimeout(r, 5));
  const arrived = clients.filter((c) => c.arrival > 0);
  const latencies = arrived.map((c) => c.arrival - sent);
  const message = arrived[0]?.message ?? '';
  return {
    received: arrived.length, lost: clients.length - arrived.length,
    withErrors: arrived.filter((c) => c.message.includes('"errors"')).length,
    latency: summarize(latencies), lastMs: latencies.length ? Math.max(...latencies) : NaN, answeredMs,
    triggerStatus: response.status, triggerBody: triggerBody.slice(0, 2000),
    message, identical: arrived.every((c) => c.message === message),
    unexpected: clients.filter((c) => c.unexpected).length, unexpectedSample: clients.find((c) => c.unexpected)?.unexpected ?? '',
  };
}

if (require.main === module) serveClientsWorker('trigger', connectAll, deliver);
