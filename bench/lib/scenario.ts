import type { FloorConfig, FloorServer } from '../floors';
import type { CareslotProcess, CareslotSettings } from './careslot';
import type { Cleanups } from './cleanups';
import type { BenchData } from './data';
import type { BenchDatabase } from './database';
import { runLoad, type LoadJob, type LoadResult } from './load';
import { round, summarize } from './stats';

export interface Settings {
  quick: boolean;
  scale: number;
  /** Seconds per measured load run, and of warm-up before it. */
  duration: number;
  warmup: number;
  bookings: number;
  contendedRounds: number;
  soakSeconds: number;
  subscriberCounts: number[];
  logLevel: string;
  profile: boolean;
  keep: boolean;
  only?: Set<string>;
}

export interface BenchContext {
  settings: Settings;
  db: BenchDatabase;
  data: BenchData;
  careslot(): CareslotProcess;
  /** A fresh careslot process (fan-out measures memory from a clean start). */
  restartCareslot(): Promise<CareslotProcess>;
  /** How the bench starts careslot (database URLs, secret key, log level, node flags): a second server starts from it. */
  serverSettings: CareslotSettings;
  /** Servers and databases a scenario starts itself: released at its end, on a failure, and on SIGINT. */
  cleanups: Cleanups;
  floorConfig: FloorConfig;
  /** Numbers one scenario leaves for a later one (e.g. RSS with 1,000 subscribers for the resources summary). */
  facts: Record<string, number>;
  log(line: string): void;
}

/** One line of the ratio table: careslot against its floor (or a plain target) in this run. */
export interface Goal {
  name: string;
  product: number;
  floor: number | null;
  unit: string;
  /** product / floor; for plain targets, the product value itself. */
  ratio: number;
  goal: string;
  pass: boolean;
}

/** A correctness check: failing one makes the bench exit non-zero. */
export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  goals: Goal[];
  checks: Check[];
  /** Every number measured, for the JSON and the detail tables. */
  metrics: Record<string, unknown>;
  /** SQL statements per request as read from x-sql-statements (e.g. "1", "1 won / 2 lost"). */
  statements?: string;
  peakRssMb?: number;
  notes: string[];
  skipped?: string;
}

export type Scenario = (ctx: BenchContext) => Promise<ScenarioResult>;

export function atMost(name: string, product: number, floor: number, unit: string, limit: number): Goal {
  const ratio = product / floor;
  return { name, product: round(product, 3), floor: round(floor, 3), unit, ratio: round(ratio), goal: `≤ ${limit}×`, pass: ratio <= limit };
}

export function atLeast(name: string, product: number, floor: number, unit: string, limit: number): Goal {
  const ratio = product / floor;
  return { name, product: round(product, 1), floor: round(floor, 1), unit, ratio: round(ratio), goal: `≥ ${limit}×`, pass: ratio >= limit };
}

export function target(name: string, value: number, unit: string, goal: string, pass: boolean): Goal {
  return { name, product: round(value, 2), floor: null, unit, ratio: round(value, 2), goal, pass };
}

export function check(name: string, pass: boolean, detail: string): Check {
  return { name, pass, detail };
}

export interface Measured extends LoadResult {
  /** Server CPU per answered request, in milliseconds. */
  cpuMsPerRequest: number;
  peakRssMb: number;
}

interface Reading {
  result: LoadResult;
  cpuMs: number;
  peakRssMb: number;
}

/** One load run (no warm-up) with the server's CPU and peak RSS over it. */
async function read(server: CareslotProcess | FloorServer | null, job: LoadJob): Promise<Reading> {
  server?.resetPeakRss();
  const before = server ? await server.usage() : undefined;
  const result = await runLoad({ ...job, warmup: 0 });
  const after = server ? await server.usage() : undefined;
  return {
    result,
    cpuMs: before && after ? (after.cpuMicros - before.cpuMicros) / 1000 : NaN,
    peakRssMb: server ? round(server.peakRssBytes() / 2 ** 20, 1) : NaN,
  };
}

const warmUp = async (job: LoadJob) => {
  // On its own, before the measured requests, so the CPU reading covers those only.
  if (job.warmup && !job.bodies) await runLoad({ ...job, duration: job.warmup, warmup: 0 });
};

const perAnswer = (cpuMs: number, result: Pick<LoadResult, 'requests' | 'non2xx'>) => round(cpuMs / Math.max(1, result.requests - result.non2xx), 4);

/** A load run against a server with a probe: adds its CPU per request and its peak RSS during the run. */
export async function measure(server: CareslotProcess | FloorServer | null, job: LoadJob): Promise<Measured> {
  await warmUp(job);
  const { result, cpuMs, peakRssMb } = await read(server, job);
  return { ...result, cpuMsPerRequest: perAnswer(cpuMs, result), peakRssMb };
}

/** How many turns each side of a comparison in turns takes. */
export const TURNS = 2;

/** The note of a scenario that measures in turns. */
export const TURNS_NOTE = 'Floor and careslot measured in turns (floor, careslot, careslot, floor), each turn half the run time in whole seconds, after one warm-up each; a side\'s figures are those of all its turns together.';

export interface Side {
  server: CareslotProcess | FloorServer | null;
  job: LoadJob;
}

/** autocannon runs for whole seconds (0.75 s lasts 1 s): a turn says so. */
const turnSeconds = (job: LoadJob) => Math.max(1, Math.round((job.duration ?? 1) / TURNS));

/**
 * Measures sides that are compared with each other in turns, the order reversed every other turn
 * (A B, B A: a drift that grows steadily over the run falls on both sides alike), each turn a
 * TURNS-th of the job's duration in whole seconds (as autocannon runs). Whatever else a shared
 * 2-core machine does meanwhile (autovacuum, another process) then weighs on both sides instead
 * of on whichever ran second: measured one after the other, single ratios swung by ±30 % between
 * runs here. Each side is warmed up once, before the first turn; its figures are those of all its
 * turns together (latencies from every sample, throughput and CPU over the total time and
 * answers). A job of fixed requests (bookings) cannot be divided so: see measureBodiesInTurns.
 */
export async function measureInTurns(sides: Side[]): Promise<Measured[]> {
  if (sides.some(({ job }) => job.bodies || job.amount !== undefined)) throw new Error('a job of fixed requests cannot be measured in turns');
  for (const { job } of sides) await warmUp(job);
  const readings: Reading[][] = sides.map(() => []);
  for (let turn = 0; turn < TURNS; turn++) {
    const order = turn % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
    for (const i of order) {
      const { server, job } = sides[i];
      readings[i].push(await read(server, { ...job, duration: turnSeconds(job), keepSamples: true }));
    }
  }
  return readings.map(combine);
}

/** One side of a comparison of fixed requests in turns: its bodies, one per request (each a distinct booking). */
export interface BodiesSide {
  server: CareslotProcess | FloorServer;
  /** The requests' URL, method, headers and connections; its bodies come from `warm` and `bodies`. */
  job: LoadJob;
  /** Sent once before the first turn, unmeasured. */
  warm: string[];
  bodies: string[];
}

/**
 * Fixed requests (bookings) measured in turns, as measureInTurns does for timed runs: each side's
 * bodies cut into TURNS parts, run A B, B A, … (the order reversed every other turn) after one
 * warm-up each, a side's figures from all its parts together (latencies from every sample,
 * throughput and CPU over the total time and answers).
 */
export async function measureBodiesInTurns(sides: BodiesSide[]): Promise<Measured[]> {
  const jobOf = ({ job }: BodiesSide, bodies: string[]): LoadJob => ({ ...job, body: undefined, bodies, amount: undefined, warmup: 0, keepSamples: true });
  for (const side of sides) await runLoad(jobOf(side, side.warm));
  const readings: Reading[][] = sides.map(() => []);
  for (let turn = 0; turn < TURNS; turn++) {
    const order = turn % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
    for (const i of order) {
      const side = sides[i];
      const part = Math.ceil(side.bodies.length / TURNS);
      readings[i].push(await read(side.server, jobOf(side, side.bodies.slice(turn * part, (turn + 1) * part))));
    }
  }
  return readings.map(combine);
}

/** A side's turns as one measurement. */
function combine(turns: Reading[]): Measured {
  const total = (pick: (reading: Reading) => number) => turns.reduce((sum, reading) => sum + pick(reading), 0);
  const result = {
    requests: total((r) => r.result.requests), non2xx: total((r) => r.result.non2xx), errors: total((r) => r.result.errors),
    seconds: total((r) => r.result.seconds), latency: summarize(turns.flatMap((r) => r.result.samples ?? [])),
  };
  return {
    ...result, throughput: (result.requests - result.non2xx) / result.seconds,
    cpuMsPerRequest: perAnswer(total((r) => r.cpuMs), result), peakRssMb: Math.max(...turns.map((r) => r.peakRssMb)),
  };
}

/** A POST /graphql load job with the bench token. */
export function graphqlJob(ctx: BenchContext, query: string, variables: object, connections: number, extra: Partial<LoadJob> = {}): LoadJob {
  return {
    url: `${ctx.careslot().url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.data.token}` },
    body: JSON.stringify({ query, variables }),
    connections,
    duration: ctx.settings.duration,
    warmup: ctx.settings.warmup,
    ...extra,
  };
}

/** A GET load job against a floor server. */
export function floorJob(ctx: BenchContext, floor: FloorServer, path: string, connections: number): LoadJob {
  return { url: `${floor.url}${path}`, method: 'GET', connections, duration: ctx.settings.duration, warmup: ctx.settings.warmup };
}

/** Compact numbers of a run for the JSON. */
export function summary(run: Measured): Record<string, number> {
  return {
    p50Ms: round(run.latency.p50, 3), p99Ms: round(run.latency.p99, 3), meanMs: round(run.latency.mean, 3),
    throughput: round(run.throughput, 1), requests: run.requests, errors: run.errors, non2xx: run.non2xx,
    cpuMsPerRequest: run.cpuMsPerRequest, peakRssMb: run.peakRssMb,
  };
}

export const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
