import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Usage } from './probe';

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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
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

/** The worker side of runWorker: one job in, one result (or error) out. */
export function serveWorker<J, T>(work: (job: J) => Promise<T>): void {
  process.once('message', (job: J) => {
    // The parent may be gone (interrupted): a closed channel then just ends this worker.
    const answer = (message: object) => process.send!(message, () => undefined);
    work(job).then(
      (result) => answer({ type: 'result', result }),
      (error: unknown) => answer({ type: 'error', error: error instanceof Error ? error.stack ?? error.message : String(error) }),
    );
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
