/**
 * Forked: one partner sync (feed-sync.ts) over one keep-alive socket (node:http), a page at a time.
 * Both sides' answers are parsed whole and applied to a replica, so the client does the same work
 * for careslot and for the floor.
 */
import { Agent, request } from 'node:http';
import type { FeedSyncJob, FeedSyncResult } from './feed-sync';
import { serveWorker } from './processes';

interface Change {
  kind: string;
  cursor: string | null;
  appointment: { id: string; patient: { id: string } } | null;
  removed: { entity: string; id: string } | null;
}

interface Page {
  changes: Change[];
  cursor: string | null;
  hasMore: boolean;
}

interface Answer {
  status: number;
  text: string;
  statements: number;
  ms: number;
}

function send(agent: Agent, url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({
      agent, host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method,
      headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'),
        statements: Number(res.headers['x-sql-statements'] ?? NaN), ms: performance.now() - started,
      }));
    });
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The request for the page after `after`, as each side is asked. */
function ask(agent: Agent, job: FeedSyncJob, after: string | null): Promise<Answer> {
  if (job.side === 'careslot') {
    const body = JSON.stringify({ query: job.query, variables: { after, first: job.first } });
    return send(agent, new URL(job.url), 'POST', { 'content-type': 'application/json', authorization: `Bearer ${job.token}` }, body);
  }
  const url = new URL(job.url);
  url.searchParams.set('first', String(job.first));
  if (after !== null) url.searchParams.set('after', after);
  return send(agent, url, 'GET', {});
}

/** What a partner holds: appointment id → patient id. */
function apply(held: Map<string, string>, change: Change): void {
  if (change.kind === 'UPSERT' && change.appointment) held.set(change.appointment.id, change.appointment.patient.id);
  if (change.kind === 'REMOVE' && change.removed?.entity === 'APPOINTMENT') held.delete(change.removed.id);
  if (change.kind === 'REMOVE' && change.removed?.entity === 'PATIENT') {
    for (const [id, patientId] of held) if (patientId === change.removed.id) held.delete(id);
  }
}

async function sync(job: FeedSyncJob): Promise<FeedSyncResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const held = new Map<string, string>();
  const result: FeedSyncResult = { pages: 0, seconds: 0, upserts: 0, removes: 0, ids: [], pageMs: [], cursors: [], statements: [], bytes: 0 };
  let after: string | null = null;
  const started = performance.now();
  try {
    while (job.maxPages === undefined || result.pages < job.maxPages) {
      const answer = await ask(agent, job, after);
      const body = JSON.parse(answer.text) as { data?: { partnerAppointments?: Page }; errors?: unknown[] };
      const page = body.data?.partnerAppointments;
      if (answer.status !== 200 || body.errors || !page) {
        result.failure = `page ${result.pages + 1}: HTTP ${answer.status} ${answer.text.slice(0, 500)}`;
        break;
      }
      for (const change of page.changes) {
        if (change.kind === 'UPSERT') result.upserts += 1;
        if (change.kind === 'REMOVE') result.removes += 1;
        apply(held, change);
      }
      result.pages += 1;
      result.pageMs.push(answer.ms);
      result.cursors.push(page.cursor);
      result.statements.push(answer.statements);
      result.bytes += Buffer.byteLength(answer.text);
      after = page.cursor;
      if (!page.hasMore) break;
    }
  } finally {
    agent.destroy();
  }
  result.seconds = (performance.now() - started) / 1000;
  result.ids = [...held.keys()];
  return result;
}

serveWorker<FeedSyncJob, FeedSyncResult>(sync);
