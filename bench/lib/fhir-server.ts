import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const BENCH_FHIR_KEY = 'bench-fhir-key-0001';
export const BENCH_FHIR_SCHEDULE = 'bench-schedule';

export interface BenchFhirServer {
  url: string;
  /** The FHIR base (…/fhir). */
  base: string;
  /** Requests seen, by path. */
  hits: Map<string, number>;
  /** Free slots served in the week. */
  freeSlots: number;
  stop(): Promise<void>;
}

/**
 * A small FHIR R4 server for the bench: a CapabilityStatement, one Schedule behind a bearer key,
 * and its Slots for a week (every 30 minutes 08:00–16:00 UTC, every third one busy), searched by
 * start range as a FHIR server answers a Slot search: one Bundle, built per request.
 */
export async function startBenchFhirServer(weekFrom: string): Promise<BenchFhirServer> {
  const hits = new Map<string, number>();
  const slots: Array<{ id: string; start: string; end: string; status: string }> = [];
  for (let day = 0; day < 7; day++) {
    const first = Date.parse(weekFrom) + day * 86_400_000 + 8 * 3_600_000;
    for (let i = 0; i < 16; i++) {
      const start = first + i * 1_800_000;
      slots.push({ id: `s${day}-${i}`, start: new Date(start).toISOString(), end: new Date(start + 1_800_000).toISOString(), status: i % 3 === 2 ? 'busy' : 'free' });
    }
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/fhir/metadata') {
      return json(200, { resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', rest: [{ resource: [{ type: 'Slot', interaction: [{ code: 'search-type' }] }] }] });
    }
    if (req.headers.authorization !== `Bearer ${BENCH_FHIR_KEY}`) return json(401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
    if (url.pathname === `/fhir/Schedule/${BENCH_FHIR_SCHEDULE}`) return json(200, { resourceType: 'Schedule', id: BENCH_FHIR_SCHEDULE, comment: 'Bench FHIR schedule' });
    if (url.pathname === '/fhir/Slot') {
      const bounds = url.searchParams.getAll('start').map((filter) => ({ op: filter.slice(0, 2), at: Date.parse(filter.slice(2)) }));
      const found = slots.filter((slot) => bounds.every(({ op, at }) => (op === 'ge' ? Date.parse(slot.start) >= at : op === 'lt' ? Date.parse(slot.start) < at : true)));
      return json(200, {
        resourceType: 'Bundle', type: 'searchset', total: found.length,
        entry: found.map((slot) => ({ resource: { resourceType: 'Slot', schedule: { reference: `Schedule/${BENCH_FHIR_SCHEDULE}` }, ...slot } })),
      });
    }
    return json(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, base: `${url}/fhir`, hits, freeSlots: slots.filter((slot) => slot.status === 'free').length,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
