/** Forked: rounds of N simultaneous bookings of one slot, each with its own idempotency key and connection. */
import type { FreeSlot } from './data';
import { serveWorker } from './processes';
import { summarize, type Latency } from './stats';

export interface ContendJob {
  url: string;
  token: string;
  clients: number;
  /** Rounds that must all run, then soak rounds until soakSeconds have passed (each a new slot). */
  rounds: FreeSlot[];
  soakSlots: FreeSlot[];
  soakSeconds: number;
  mutation: string;
  serviceId: string;
  patientIds: string[];
  runTag: string;
}

export interface RoundOutcome {
  slot: FreeSlot;
  winners: number;
  unavailable: number;
  other: number;
  sample?: string;
}

export interface ContendResult {
  rounds: number;
  soakRounds: number;
  bad: RoundOutcome[];
  latency: Latency;
  throughput: number;
  seconds: number;
  statementsWinner: number[];
  statementsLoser: number[];
  slots: FreeSlot[];
}

async function round(job: ContendJob, slot: FreeSlot, index: number, samples: number[], statements: { winner: number[]; loser: number[] }): Promise<RoundOutcome> {
  const outcome: RoundOutcome = { slot, winners: 0, unavailable: 0, other: 0 };
  await Promise.all(Array.from({ length: job.clients }, async (_, i) => {
    const input = {
      scheduleId: slot.scheduleId, serviceId: job.serviceId, start: slot.start,
      patientId: job.patientIds[(index * job.clients + i) % job.patientIds.length],
      idempotencyKey: `bench-${job.runTag}-r${index}-c${i}`, note: `bench:s4:${job.runTag}`,
    };
    const started = performance.now();
    try {
      const response = await fetch(`${job.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}` },
        body: JSON.stringify({ query: job.mutation, variables: { input } }),
      });
      const text = await response.text();
      samples.push(performance.now() - started);
      const count = Number(response.headers.get('x-sql-statements'));
      if (text.includes('"__typename":"Appointment"')) {
        outcome.winners += 1;
        statements.winner.push(count);
      } else if (text.includes('"__typename":"SlotUnavailable"')) {
        outcome.unavailable += 1;
        statements.loser.push(count);
      } else {
        outcome.other += 1;
        outcome.sample ??= text.slice(0, 500);
      }
    } catch (error) {
      outcome.other += 1;
      outcome.sample ??= String(error);
    }
  }));
  return outcome;
}

serveWorker<ContendJob, ContendResult>(async (job) => {
  const samples: number[] = [];
  const statements = { winner: [] as number[], loser: [] as number[] };
  const bad: RoundOutcome[] = [];
  const slots: FreeSlot[] = [];
  const started = performance.now();
  let index = 0;
  const play = async (slot: FreeSlot) => {
    const outcome = await round(job, slot, index++, samples, statements);
    slots.push(slot);
    if (outcome.winners !== 1 || outcome.unavailable !== job.clients - 1) bad.push(outcome);
  };
  for (const slot of job.rounds) await play(slot);
  const soakEnd = performance.now() + job.soakSeconds * 1000;
  let soakRounds = 0;
  for (const slot of job.soakSlots) {
    if (performance.now() >= soakEnd) break;
    await play(slot);
    soakRounds += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    rounds: index, soakRounds, bad: bad.slice(0, 20), latency: summarize(samples), throughput: samples.length / seconds, seconds,
    statementsWinner: [...new Set(statements.winner)], statementsLoser: [...new Set(statements.loser)], slots,
  };
});
