import { join } from 'node:path';
import { ReusedWorker } from './processes';
import type { Latency } from './stats';

/** In an operation's booking body: the id its hold answered, put in before the booking is sent. */
export const HOLD_ID = '__HOLD_ID__';

/**
 * One operation: a booking alone, or a hold and then the booking on it (its body names HOLD_ID),
 * sent one after the other on one connection. Both are GraphQL POST bodies.
 */
export interface ChainOperation {
  hold?: string;
  book: string;
}

export interface ChainJob {
  /** careslot's /graphql. */
  url: string;
  token: string;
  /** Operations in flight at a time, over as many keep-alive sockets. */
  connections: number;
  operations: ChainOperation[];
}

export interface ChainResult {
  /** Per operation (answered right only): from sending its first request to the end of its last answer, in milliseconds. */
  latency: Latency;
  /** Operations answered right per second, from the first request to the last answer. */
  throughput: number;
  operations: number;
  /** Operations whose every answer was right: a hold answered Hold, a booking Appointment (on a hold: with the hold's id). */
  answered: number;
  seconds: number;
  /** Transport errors and non-2xx answers. */
  errors: number;
  /** Every operation latency (answered right), for runs summarised together. */
  samples: number[];
  /** Per request, in milliseconds: the holds, and the bookings (on a hold, or alone). */
  holdSamples: number[];
  bookSamples: number[];
  /** x-sql-statements values seen, per kind of request. */
  statements: { hold: number[]; book: number[] };
  /** The ids the holds answered, in order. */
  holdIds: string[];
  /** The first wrong answer, if any. */
  failure?: string;
}

const chainWorker = new ReusedWorker(join(__dirname, 'chain-worker.js'));

/**
 * Operations of one or two requests each (autocannon sends requests independently and cannot make
 * one depend on the answer to another) from a forked worker with its own loop over node:http.
 */
export function runChain(job: ChainJob): Promise<ChainResult> {
  return chainWorker.run<ChainResult>(job);
}
