/**
 * Knobs of a fuzz run, from the environment:
 * - FUZZ_SEED: the fast-check seed (default: a fixed one, so CI runs are repeatable; always logged);
 * - FUZZ_RUNS: operations to send in total (default 3,000; never fewer than the coverage pass);
 * - FUZZ_CONCURRENCY: operations in flight at once (default 4);
 * - FUZZ_FAILURES_FILE: where the exact failing requests are written (default .data/schema-fuzz-failures.json);
 * - FUZZ_VERBOSE=1: also print the outcome counts of every root field.
 */
export interface FuzzSettings {
  seed: number;
  operations: number;
  concurrency: number;
  failuresFile: string;
  verbose: boolean;
  /** How long an accepted subscription is kept open for a first message. */
  subscriptionWaitMs: number;
  /** Past this, an operation that got no answer is a failure. */
  requestTimeoutMs: number;
}

export const DEFAULT_SEED = 20261203;
export const DEFAULT_OPERATIONS = 3000;

function integerFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}

export function fuzzSettingsFrom(env: NodeJS.ProcessEnv): FuzzSettings {
  return {
    seed: integerFrom(env, 'FUZZ_SEED', DEFAULT_SEED),
    operations: integerFrom(env, 'FUZZ_RUNS', DEFAULT_OPERATIONS),
    concurrency: Math.max(1, integerFrom(env, 'FUZZ_CONCURRENCY', 4)),
    failuresFile: env.FUZZ_FAILURES_FILE || '.data/schema-fuzz-failures.json',
    verbose: env.FUZZ_VERBOSE === '1',
    subscriptionWaitMs: 150,
    requestTimeoutMs: 15_000,
  };
}
