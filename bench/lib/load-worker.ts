import autocannon from 'autocannon';
import type { LoadJob, LoadResult } from './load';
import { serveWorker } from './processes';
import { summarize } from './stats';

/** One autocannon run; latencies come from its 'response' events (its histogram keeps whole milliseconds only). */
function cannon(job: LoadJob, seconds: number | undefined, amount: number | undefined, record: boolean): Promise<LoadResult> {
  const samples: number[] = [];
  let next = 0;
  const bodies = job.bodies;
  const options: autocannon.Options = {
    url: job.url,
    connections: job.connections,
    method: job.method ?? 'POST',
    headers: job.headers,
    body: job.body,
    timeout: 30,
    ...(amount !== undefined ? { amount } : { duration: seconds }),
    ...(bodies ? { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: bodies[next++ % bodies.length] }) }] } : {}),
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let lastResponse = started;
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      const ok = result.requests.total - result.non2xx;
      // With \`amount\`, autocannon notices that every request was answered only on its next 1-second
      // sample tick, and its duration includes the wait (1,500 bookings answered in 3.1 s reported as
      // 4.0 s): such a run lasts from the start to its last answer.
      const seconds = amount !== undefined && record ? (lastResponse - started) / 1000 : result.duration;
      resolve({
        latency: summarize(samples), throughput: ok / seconds, requests: result.requests.total,
        seconds, errors: result.errors, non2xx: result.non2xx, ...(job.keepSamples ? { samples } : {}),
      });
    });
    if (record) {
      instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
        lastResponse = performance.now();
        if (status >= 200 && status < 300) samples.push(responseTime);
      });
    }
  });
}

serveWorker<LoadJob, LoadResult>(async (job) => {
  if (job.warmup && !job.bodies) await cannon(job, job.warmup, undefined, false);
  return cannon(job, job.duration, job.amount ?? job.bodies?.length, true);
});
