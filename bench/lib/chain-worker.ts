/**
 * Forked: operations of one or two GraphQL requests (a booking, or a hold and then the booking on
 * it), `connections` at a time, each loop on its own keep-alive socket (node:http, an agent with
 * as many sockets). An operation's latency runs from sending its first request to the last byte
 * of its last answer: for a hold and its booking, both round trips and the reading of the hold's
 * id in between.
 */
import { Agent, request } from 'node:http';
import { HOLD_ID, type ChainJob, type ChainOperation, type ChainResult } from './chain';
import { serveWorker } from './processes';
import { summarize } from './stats';

interface Answer {
  status: number;
  body: any;
  text: string;
  statements: number;
  ms: number;
}

function post(agent: Agent, url: URL, token: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({
      agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - started;
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text, statements: Number(res.headers['x-sql-statements'] ?? NaN), ms });
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

async function run(job: ChainJob): Promise<ChainResult> {
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const samples: number[] = [];
  const holdSamples: number[] = [];
  const bookSamples: number[] = [];
  const statements = { hold: new Set<number>(), book: new Set<number>() };
  const holdIds: string[] = [];
  let answered = 0;
  let errors = 0;
  let failure: string | undefined;
  const fail = (what: string) => {
    failure ??= what.slice(0, 500);
    return false;
  };

  const operate = async (operation: ChainOperation): Promise<boolean> => {
    let book = operation.book;
    let holdId: string | undefined;
    if (operation.hold) {
      const held = await post(agent, url, job.token, operation.hold);
      if (held.status < 200 || held.status >= 300) errors += 1;
      const hold = held.body?.data?.holdSlot;
      if (hold?.__typename !== 'Hold') return fail(`holdSlot: ${held.text}`);
      holdSamples.push(held.ms);
      statements.hold.add(held.statements);
      holdId = hold.id as string;
      holdIds.push(holdId);
      book = book.replace(HOLD_ID, holdId);
    }
    const booked = await post(agent, url, job.token, book);
    if (booked.status < 200 || booked.status >= 300) errors += 1;
    const appointment = booked.body?.data?.bookAppointment;
    if (appointment?.__typename !== 'Appointment') return fail(`bookAppointment: ${booked.text}`);
    if (holdId && appointment.id !== holdId) return fail(`bookAppointment on hold ${holdId} answered appointment ${appointment.id}`);
    bookSamples.push(booked.ms);
    statements.book.add(booked.statements);
    return true;
  };

  let next = 0;
  const started = performance.now();
  let last = started;
  try {
    await Promise.all(Array.from({ length: Math.min(job.connections, job.operations.length) }, async () => {
      while (next < job.operations.length) {
        const operation = job.operations[next++];
        const t = performance.now();
        try {
          if (await operate(operation)) {
            samples.push(performance.now() - t);
            answered += 1;
          }
        } catch (error) {
          errors += 1;
          fail(String(error));
        }
        last = performance.now();
      }
    }));
  } finally {
    agent.destroy();
  }
  const seconds = (last - started) / 1000;
  return {
    latency: summarize(samples), throughput: answered / seconds, operations: job.operations.length, answered, seconds, errors,
    samples, holdSamples, bookSamples, statements: { hold: [...statements.hold], book: [...statements.book] }, holdIds, failure,
  };
}

serveWorker<ChainJob, ChainResult>(run);
