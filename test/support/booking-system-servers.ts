import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Small real servers speaking the protocols careslot connects to (seed 004): a FHIR R4 endpoint
 * with a Schedule and an API-key check, and a SMART Scheduling Links publisher. Variants under
 * their own paths answer wrongly on purpose: another FHIR version, no Slot search, an HTML page, an
 * oversized body, silence. Every request is counted by path.
 */
export const FHIR_KEY = 'fhir-api-key-7Qx93sSecret';
export const FHIR_SCHEDULE = 'sched-1';
export const FHIR_DEPARTMENT = 'dept-7';
export const SMART_LOCATION = 'loc-42';

export interface BookingSystemServers {
  url: string;
  httpsUrl: string;
  /** Requests seen, by path. */
  hits: Map<string, number>;
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

function handler(hits: Map<string, number>): http.RequestListener {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const json = (status: number, body: unknown, type = 'application/fhir+json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(body));
    };
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
      }, 'application/json');
    }
    if (path === '/smart/locations.ndjson') {
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
      return res.end([{ resourceType: 'Location', id: SMART_LOCATION, name: 'Oslo Sentrum Klinikk' }, { resourceType: 'Location', id: 'loc-43', name: 'Bergen' }]
        .map((line) => JSON.stringify(line)).join('\n'));
    }
    if (path === '/smart/schedules.ndjson') {
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
      return res.end(JSON.stringify({ resourceType: 'Schedule', id: 'sch-1', actor: [{ reference: `Location/${SMART_LOCATION}` }] }));
    }
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>Not a FHIR server</body></html>');
  };
}

/** A throwaway self-signed certificate for localhost (nothing trusts it: a TLS failure on purpose). */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'careslot-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

export async function startBookingSystemServers(): Promise<BookingSystemServers> {
  const hits = new Map<string, number>();
  const plain = http.createServer(handler(hits));
  const secure = https.createServer(selfSigned(), handler(hits));
  const listen = (server: http.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const [port, securePort] = [await listen(plain), await listen(secure)];
  const close = (server: http.Server) => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return { url: `http://127.0.0.1:${port}`, httpsUrl: `https://localhost:${securePort}`, hits, close: async () => { await close(plain); await close(secure); } };
}
