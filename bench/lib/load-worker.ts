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
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      const ok = result.requests.total - result.non2xx;
      resolve({
        latency: summarize(samples), throughput: ok / result.duration, requests: result.requests.total,
        seconds: result.duration, errors: result.errors, non2xx: result.non2xx,
      });
    });
    if (record) {
      instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
        if (status >= 200 && status < 300) samples.push(responseTime);
      });
    }
  });
}

serveWorker<LoadJob, LoadResult>(async (job) => {
  if (job.warmup && !job.bodies) await cannon(job, job.warmup, undefined, false);
  return cannon(job, job.duration, job.amount ?? job.bodies?.length, true);
});
