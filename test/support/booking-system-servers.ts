import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority } from './tls-certificates';

/**
 * Small real servers speaking the protocols careslot connects to (seed 004): a FHIR R4 endpoint
 * with a Schedule, its Slots, Appointment create (conditional on an identifier), search and update,
 * and an API-key check; and a SMART Scheduling Links publisher with deep-linked Slots and a Cache-Control. Variants under
 * their own paths answer wrongly on purpose: another FHIR version, no Slot search, an HTML page, an
 * oversized body, silence. Every request is counted by path.
 */
export const FHIR_KEY = 'fhir-api-key-7Qx93sSecret';
export const FHIR_SCHEDULE = 'sched-1';
export const FHIR_DEPARTMENT = 'dept-7';
export const SMART_LOCATION = 'loc-42';

export const SMART_MAX_AGE_SECONDS = 300;
export const SMART_DEEP_LINK = 'https://booking.example.org/book';
const DEEP_LINK_EXTENSION = 'http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link';

/** A FHIR Slot as the server keeps it. */
export interface ServedSlot {
  id: string;
  start: string;
  end: string;
  status: 'free' | 'busy';
}

/** The agenda the servers publish, tomorrow from 09:00 UTC: eight 30-minute slots per schedule, the third one busy. */
export interface BookingSystemServers {
  url: string;
  httpsUrl: string;
  /** Requests seen, by path. */
  hits: Map<string, number>;
  /** The FHIR Schedule's slots (a booking makes one busy, its cancellation free again). */
  fhirSlots: ServedSlot[];
  /** The SMART publisher's slots. */
  smartSlots: ServedSlot[];
  /** Appointments created at the FHIR server, by id. */
  fhirAppointments: Map<string, Record<string, unknown>>;
  /** While true, every request's connection is dropped (the system is down). */
  down: boolean;
  close(): Promise<void>;
}

const capability = (fhirVersion: string, slotSearch = true) => ({
  resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion, format: ['json'],
  rest: [{ mode: 'server', resource: [
    { type: 'Schedule', interaction: [{ code: 'read' }, { code: 'search-type' }] },
    { type: 'Slot', interaction: slotSearch ? [{ code: 'search-type' }] : [{ code: 'read' }] },
    { type: 'Appointment', interaction: [{ code: 'create' }] },
  ] }],
});

function agenda(prefix: string): ServedSlot[] {
  const day = new Date();
  day.setUTCDate(day.getUTCDate() + 1);
  day.setUTCHours(9, 0, 0, 0);
  return Array.from({ length: 8 }, (_, i) => ({
    id: `${prefix}-${i}`, status: i === 2 ? 'busy' as const : 'free' as const,
    start: new Date(day.getTime() + i * 1_800_000).toISOString(), end: new Date(day.getTime() + (i + 1) * 1_800_000).toISOString(),
  }));
}

const outcome = (code: string, diagnostics?: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] });
const bundle = (resources: unknown[]) => ({ resourceType: 'Bundle', type: 'searchset', total: resources.length, entry: resources.map((resource) => ({ resource })) });

/** FHIR date search on `start` (eq by default; ge, gt, le, lt), to the second. */
function startMatches(start: string, filters: string[]): boolean {
  const at = Date.parse(start);
  return filters.every((filter) => {
    const [, prefix = 'eq', value] = /^(eq|ge|gt|le|lt)?(.+)$/.exec(filter) ?? [];
    const bound = Date.parse(value);
    return { eq: at === bound, ge: at >= bound, gt: at > bound, le: at <= bound, lt: at < bound }[prefix as 'eq'];
  });
}

function handler(servers: BookingSystemServers): http.RequestListener {
  const { hits } = servers;
  return (req, res) => {
    if (servers.down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const json = (status: number, body: unknown, type = 'application/fhir+json', headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(JSON.stringify(body));
    };
    const ndjson = (lines: unknown[]) => {
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson', 'cache-control': `max-age=${SMART_MAX_AGE_SECONDS}` });
      res.end(lines.map((line) => JSON.stringify(line)).join('\n'));
    };
    const authorised = req.headers.authorization === `Bearer ${FHIR_KEY}`;
    if (path === '/fhir/Slot' && req.method === 'GET') {
      if (!authorised) return json(401, outcome('login'));
      if (url.searchParams.get('schedule') !== `Schedule/${FHIR_SCHEDULE}`) return json(200, bundle([]));
      const slots = servers.fhirSlots.filter((slot) => startMatches(slot.start, url.searchParams.getAll('start')));
      return json(200, bundle(slots.map((slot) => ({ resourceType: 'Slot', schedule: { reference: `Schedule/${FHIR_SCHEDULE}` }, ...slot }))));
    }
    if (path === '/fhir/Appointment' && req.method === 'GET') {
      if (!authorised) return json(401, outcome('login'));
      const value = url.searchParams.get('identifier')?.split('|')[1];
      return json(200, bundle([...servers.fhirAppointments.values()].filter((appointment) => identifierOf(appointment) === value)));
    }
    if (path === '/fhir/Appointment' && req.method === 'POST') {
      return readBody(req, (body) => {
        if (!authorised) return json(401, outcome('login'));
        const asked = body as { slot?: Array<{ reference?: string }> };
        const existing = /identifier=[^|]*\|(.+)$/.exec(decodeURIComponent(String(req.headers['if-none-exist'] ?? '')));
        const prior = existing && [...servers.fhirAppointments.values()].find((appointment) => identifierOf(appointment) === existing[1]);
        if (prior) return json(200, prior);
        const slot = servers.fhirSlots.find((candidate) => `Slot/${candidate.id}` === asked.slot?.[0]?.reference);
        if (!slot) return json(422, outcome('invalid', 'unknown slot'));
        if (slot.status !== 'free') return json(409, outcome('conflict', 'the slot is busy'));
        slot.status = 'busy';
        const id = `appt-${servers.fhirAppointments.size + 1}`;
        const created = { ...(body as object), id, start: slot.start, end: slot.end };
        servers.fhirAppointments.set(id, created);
        return json(201, created, 'application/fhir+json', { location: `/fhir/Appointment/${id}` });
      });
    }
    if (path.startsWith('/fhir/Appointment/') && req.method === 'PUT') {
      return readBody(req, (body) => {
        if (!authorised) return json(401, outcome('login'));
        const id = decodeURIComponent(path.slice('/fhir/Appointment/'.length));
        const updated = body as { status?: string; slot?: Array<{ reference?: string }> };
        if (!servers.fhirAppointments.has(id)) return json(404, outcome('not-found'));
        servers.fhirAppointments.set(id, updated as Record<string, unknown>);
        const slot = servers.fhirSlots.find((candidate) => `Slot/${candidate.id}` === updated.slot?.[0]?.reference);
        if (slot && updated.status === 'cancelled') slot.status = 'free';
        return json(200, updated);
      });
    }
    if (path === '/fhir/metadata') return json(200, capability('4.0.1'));
    if (path === '/stu3/metadata') return json(200, capability('3.0.2'));
    if (path === '/noslot/metadata') return json(200, capability('4.0.1', false));
    if (path === '/big/metadata') return json(200, { resourceType: 'CapabilityStatement', padding: 'x'.repeat(256 * 1024) });
    if (path === '/slow/metadata') return; // never answers
    if (path.startsWith('/fhir/Schedule/')) {
      if (req.headers.authorization !== `Bearer ${FHIR_KEY}`) return json(401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
      const id = decodeURIComponent(path.slice('/fhir/Schedule/'.length));
      if (id !== FHIR_SCHEDULE) return json(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
      return json(200, { resourceType: 'Schedule', id, active: true, comment: 'Fysioterapi Sentrum', actor: [{ reference: `Location/${FHIR_DEPARTMENT}`, display: 'Sentrum' }] });
    }
    if (path === '/smart/$bulk-publish') {
      return json(200, {
        transactionTime: new Date().toISOString(), request: 'http://x/smart/$bulk-publish',
        output: [{ type: 'Location', url: '/smart/locations.ndjson' }, { type: 'Schedule', url: '/smart/schedules.ndjson' }, { type: 'Slot', url: '/smart/slots.ndjson' }],
        error: [],
      }, 'application/json', { 'cache-control': `max-age=${SMART_MAX_AGE_SECONDS}` });
    }
    if (path === '/smart/locations.ndjson') {
      return ndjson([{ resourceType: 'Location', id: SMART_LOCATION, name: 'Oslo Sentrum Klinikk' }, { resourceType: 'Location', id: 'loc-43', name: 'Bergen' }]);
    }
    if (path === '/smart/schedules.ndjson') {
      return ndjson([
        { resourceType: 'Schedule', id: 'sch-1', actor: [{ reference: `Location/${SMART_LOCATION}` }] },
        { resourceType: 'Schedule', id: 'sch-2', actor: [{ reference: 'Location/loc-43' }] },
      ]);
    }
    if (path === '/smart/slots.ndjson') {
      const published = (schedule: string, slots: ServedSlot[]) => slots.map((slot) => ({
        resourceType: 'Slot', schedule: { reference: `Schedule/${schedule}` }, ...slot,
        extension: [{ url: DEEP_LINK_EXTENSION, valueUrl: `${SMART_DEEP_LINK}?slot=${slot.id}` }],
      }));
      return ndjson([...published('sch-1', servers.smartSlots), ...published('sch-2', agenda('bergen'))]);
    }
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>Not a FHIR server</body></html>');
  };
}

function identifierOf(appointment: Record<string, unknown>): string | undefined {
  return (appointment.identifier as Array<{ value?: string }> | undefined)?.[0]?.value;
}

function readBody(req: http.IncomingMessage, then: (body: unknown) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => then(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null')));
}

export async function startBookingSystemServers(): Promise<BookingSystemServers> {
  const servers: BookingSystemServers = {
    url: '', httpsUrl: '', hits: new Map(), fhirSlots: agenda('slot'), smartSlots: agenda('smart'), fhirAppointments: new Map(), down: false,
    close: () => Promise.resolve(),
  };
  const plain = http.createServer(handler(servers));
  // A certificate of a throw-away CA nothing trusts: a TLS failure on purpose.
  const untrusted = createCertificateAuthority('untrusted test CA');
  const secure = https.createServer(untrusted.issue('localhost', 'server'), handler(servers));
  untrusted.dispose();
  const listen = (server: http.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const [port, securePort] = [await listen(plain), await listen(secure)];
  const close = (server: http.Server) => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return Object.assign(servers, {
    url: `http://127.0.0.1:${port}`, httpsUrl: `https://localhost:${securePort}`, close: async () => { await close(plain); await close(secure); },
  });
}
