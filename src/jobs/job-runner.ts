import { Logger as WorkerLogger, run, type Runner, type TaskList } from 'graphile-worker';
import type { Logger } from '../platform/logger';

/**
 * The durable job queue (graphile-worker on the same PostgreSQL): jobs are added inside the
 * transaction of the change that causes them, so a job exists exactly when its change does.
 */
export async function startJobRunner(options: { connectionString: string; tasks: TaskList; logger: Logger; concurrency?: number }): Promise<Runner> {
  return run({
    connectionString: options.connectionString,
    taskList: options.tasks,
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new WorkerLogger((scope) => (level, message) => {
      if (level === 'error' || level === 'warning') options.logger.warn({ scope: scope.taskIdentifier ?? scope.label }, message);
    }),
  });
}

/** Exponential backoff with jitter for deliveries that failed: base · 2^attempt, capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const delay = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(delay * (0.75 + Math.random() / 4));
}
