import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Usage } from './probe';
export { freePort } from '../../src/db/embedded/embedded-postgres';

/** A server in a child process that runs the bench's probe: what a scenario measures of it, and how it stops. */
export interface MeasuredServer {
  url: string;
  pid: number;
  usage(): Promise<Usage>;
  rssBytes(): number;
  resetPeakRss(): void;
  peakRssBytes(): number;
  stop(): Promise<void>;
}

export function measuredServer(child: ChildProcess, url: string): MeasuredServer {
  const pid = child.pid!;
  return {
    url, pid,
    usage: () => usageOf(child),
    rssBytes: () => rssBytes(pid),
    resetPeakRss: () => resetPeakRss(pid),
    peakRssBytes: () => peakRssBytes(pid),
    stop: () => stopChild(child),
  };
}

/** SIGTERM, and SIGKILL if it has not exited 10 s later; at once if it has already exited. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Asks a child that runs the probe (careslot, a floor server) for its CPU time and RSS. */
export function usageOf(child: ChildProcess): Promise<Usage> {
  const id = Math.random();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no usage answer from the probe within 5 s')), 5000);
    const onMessage = (message: { type?: string; id?: number; usage?: Usage }) => {
      if (message?.type !== 'bench:usage' || message.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message.usage!);
    };
    child.on('message', onMessage);
    // With a callback a closed channel (the child stopped, e.g. by SIGINT's cleanup) rejects instead of crashing the bench.
    child.send({ type: 'bench:usage', id }, (error) => {
      if (!error) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      reject(error);
    });
  });
}

/** Peak RSS of a process since the last reset (Linux: VmHWM, reset through clear_refs). */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not Linux or not allowed: VmHWM then is the peak since the process started.
  }
}

export function peakRssBytes(pid: number): number {
  return statusField(pid, 'VmHWM');
}

export function rssBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}


/**
 * Runs one job in a forked worker (load generator, WebSocket clients, bare pg client) so it
 * never shares an event loop with the process it measures; resolves with its `result` message.
 */
export function runWorker<T>(script: string, job: object, onMessage?: (message: any, child: ChildProcess) => void): Promise<T> {
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=4096'] });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    child.on('message', (message: { type?: string; result?: T; error?: string }) => {
      if (message?.type === 'result') {
        settled = true;
        resolve(message.result as T);
        child.disconnect();
      } else if (message?.type === 'error') {
        settled = true;
        reject(new Error(message.error));
        child.kill();
      } else {
        onMessage?.(message, child);
      }
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`worker ${script} exited with ${code} before answering`));
    });
    child.send(job);
  });
}

/**
 * One forked worker kept for many jobs, one at a time (the load generator: a fork and autocannon's
 * loading cost ~0.2 s per run, and a comparison in turns makes many short runs). It holds the
 * bench process open only while a job is in flight, and ends when the bench does (its channel
 * closes).
 */
export class ReusedWorker {
  private child?: ChildProcess;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  constructor(private readonly script: string) {}

  run<T>(job: object): Promise<T> {
    const result = this.queue.then(() => this.send<T>(job));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private send<T>(job: object): Promise<T> {
    const child = this.ensureChild();
    const id = this.nextId++;
    child.channel?.ref();
    return new Promise<T>((resolve, reject) => {
      const settle = (finish: () => void) => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.channel?.unref();
        finish();
      };
      const onMessage = (message: { type?: string; id?: number; result?: T; error?: string }) => {
        if (message?.id !== id) return;
        settle(() => (message.type === 'result' ? resolve(message.result as T) : reject(new Error(message.error))));
      };
      const onExit = (code: number | null) => settle(() => reject(new Error(`worker ${this.script} exited with ${code} before answering`)));
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ id, job });
    });
  }

  private ensureChild(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.connected) return this.child;
    const child = fork(this.script, ['--reused'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=4096'] });
    child.unref();
    child.channel?.unref();
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    return (this.child = child);
  }
}

/** The worker side of runWorker (one job in, one result or error out) or, under a ReusedWorker, of every job it is sent. */
export function serveWorker<J, T>(work: (job: J) => Promise<T>): void {
  // The parent may be gone (interrupted): a closed channel then just ends this worker.
  const answer = (message: object) => process.send!(message, () => undefined);
  const serve = (job: J, id?: number) => work(job).then(
    (result) => answer({ type: 'result', id, result }),
    (error: unknown) => answer({ type: 'error', id, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
  if (!process.argv.includes('--reused')) {
    process.once('message', (job: J) => void serve(job));
    return;
  }
  process.on('message', (message: { id: number; job: J }) => void serve(message.job, message.id));
  process.once('disconnect', () => process.exit(0));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
