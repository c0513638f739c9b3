import { Logger as WorkerLogger, run, type Runner, type TaskList } from 'graphile-worker';
import { Pool } from 'pg';
import type { Logger } from '../platform/logger';

/**
 * The durable job queue (graphile-worker on the same PostgreSQL): jobs are added inside the
 * transaction of the change that causes them, so a job exists exactly when its change does.
 */
export interface JobRunner {
  stop(): Promise<void>;
}

export async function startJobRunner(options: { connectionString: string; tasks: TaskList; logger: Logger; concurrency?: number }): Promise<JobRunner> {
  // Our own pool, so that a dropped connection is logged instead of crashing the process.
  const pool = new Pool({ connectionString: options.connectionString, max: (options.concurrency ?? 4) + 2, application_name: 'careslot-jobs' });
  pool.on('error', (error) => options.logger.warn({ err: error.message }, 'job queue connection failed'));
  pool.on('connect', (client) => client.on('error', (error) => options.logger.warn({ err: error.message }, 'job queue client failed')));
  const runner: Runner = await run({
    pgPool: pool,
    taskList: options.tasks,
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new WorkerLogger((scope) => (level, message) => {
      if (level === 'error' || level === 'warning') options.logger.warn({ scope: scope.taskIdentifier ?? scope.label }, message);
    }),
  });
  return {
    stop: async () => {
      await runner.stop();
      await pool.end();
    },
  };
}

/** Exponential backoff with jitter for deliveries that failed: base · 2^attempt, capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const delay = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(delay * (0.75 + Math.random() / 4));
}
