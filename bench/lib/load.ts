import { join } from 'node:path';
import { ReusedWorker } from './processes';
import type { Latency } from './stats';

export interface LoadJob {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** One body for every request… */
  body?: string;
  /** …or one body per request, used in order (each request a distinct booking); `amount` defaults to their number. */
  bodies?: string[];
  connections: number;
  /** Seconds of measurement (ignored when `bodies` or `amount` is given). */
  duration?: number;
  amount?: number;
  /** Seconds of unmeasured load first (JIT, pools, caches). */
  warmup?: number;
  /** Return every latency sample too (runs measured in turns are summarised together). */
  keepSamples?: boolean;
}

export interface LoadResult {
  latency: Latency;
  /** Answered requests per second (2xx only). */
  throughput: number;
  requests: number;
  seconds: number;
  errors: number;
  non2xx: number;
  /** Every 2xx latency in milliseconds, when the job asked to keep them. */
  samples?: number[];
}

const loadWorker = new ReusedWorker(join(__dirname, 'load-worker.js'));

/** autocannon in a forked process (one for the whole bench): the load generator never shares the measured server's event loop. */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return loadWorker.run<LoadResult>(job);
}
