/**
 * The floors: the least a server could do for the same answer, measured in the same run on the
 * same database. Each runs in its own process; `node dist/bench/floors.js <kind>` is the child
 * side, the exported functions the parent side.
 *
 *  http     bare node:http + pg: the product's availability SQL (same BEGIN/set_config round trip,
 *           same statement, COMMIT) as JSON, also with a service and a partner (scenario 11),
 *           or with held slots as staff see them (scenario 14); the agenda as one hand-written
 *           JOIN; booking statistics as one hand-written GROUP BY (scenario 12); a partner's sync
 *           of the shared appointments as one hand-written keyset query (scenario 15); the product's
 *           partner feed page with and without its sharing filter, and the agenda JOIN with and
 *           without it (scenario 17); a constant JSON answer.
 *           Statements run as named prepared statements, as careslot's hot statements do.
 *  ws       a bare `ws` server speaking just enough graphql-transport-ws to accept the same
 *           subscribers, broadcasting one pre-serialised message to every socket.
 *  book     bare node:http + pg, JSON in and out: careslot's own booking statement (bookingStatement
 *           of the build, with the remote schedules' plan as server.ts composes it) with the parameters
 *           runBookingStatement passes, as the bench admin, in careslot's one-round-trip tenant scope
 *           (inTenantStatement) on the app role: what bookAppointment does in the database, without GraphQL.
 *  booking  a bare pg client (no HTTP) running the booking INSERT (exclusion constraint, RLS,
 *           set_config) 32 at a time over a pool as large as careslot's (20): a reference line.
 *  notify   one event from one process to another: NOTIFY on one connection, received by a
 *           listening connection (the least an event can cost to leave the process that committed).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Tx } from '../src/db/unit-of-work';
import type { FeedPosition } from '../src/services/partners/partner-feed.model';
import { notSharedBecauseSql, partnerFeedRepository } from '../src/services/partners/partner-feed.sql';
import { inTenantStatement } from '../src/db/statement-transaction';
import type { BookingRequest } from '../src/services/scheduling/appointment.model';
import type { BookingDoor } from '../src/services/scheduling/booking-door';
import { APPOINTMENT_PERIOD_FROM } from '../src/services/scheduling/appointments.sql';
import { bookingStatement, runBookingStatement } from '../src/services/scheduling/booking.sql';
import { ExternalSchedulesService } from '../src/services/connections/external-schedules.service';
import { RemoteSchedules } from '../src/services/connections/remote-schedules';
import { SharedSchedulesService } from '../src/services/sharing/shared-schedules.service';
import { requestHash } from '../src/services/scheduling/request-hash';
import { serveApolloReference } from './lib/apollo-reference';
import { ROOT } from './lib/careslot';
import { installProbe } from './lib/probe';
import { freePort, measuredServer, runWorker, serveWorker, type MeasuredServer } from './lib/processes';
import { summarize, type Latency } from './lib/stats';

export interface FloorConfig {
  appUrl: string;
  tenantId: string;
  centreId: string;
  poolSize: number;
}

/** A floor server: measured as careslot is. */
export type FloorServer = MeasuredServer;

/**
 * The product's availability statement, copied from the same build careslot runs
 * (dist/src/services/scheduling/availability.sql.js), so the floor always runs exactly its SQL.
 */
export function productAvailabilitySql(): string {
  const compiled = readFileSync(join(ROOT, 'dist', 'src', 'services', 'scheduling', 'availability.sql.js'), 'utf8');
  const match = /const AVAILABILITY_SQL = `([\s\S]*?)`;/.exec(compiled);
  if (!match || match[1].includes('${')) throw new Error('could not copy AVAILABILITY_SQL from dist/src/services/scheduling/availability.sql.js');
  return match[1];
}

/**
 * What a partner's green slots add (scenario 11): the service ($5) and the partner ($10), as
 * queryAvailability passes them; and what staff's per-slot list adds (scenario 14): held slots as
 * HELD with their expiry ($11, showHolds).
 */
export interface AvailabilityFilters {
  serviceId?: string | null;
  partnerId?: string | null;
  showHolds?: boolean;
}

/** Parameters as queryAvailability passes them: tenant, centre, from, to, service, no other filters, includeSlots; later ones null (false) but the partner and showHolds. */
export function availabilityParameters(sql: string, tenantId: string, centreId: string, from: string, to: string, slots: boolean, filters: AvailabilityFilters = {}): unknown[] {
  const count = Math.max(...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const parameters: unknown[] = [tenantId, centreId, from, to, filters.serviceId ?? null, null, null, slots];
  while (parameters.length < count) parameters.push(null);
  if (filters.partnerId) {
    // queryAvailability's 10th parameter: refuse to guess if the statement no longer filters by partner there.
    if (!sql.includes('tc.partner_id = $10::uuid')) throw new Error('the availability SQL no longer takes the partner as $10: update availabilityParameters');
    parameters[9] = filters.partnerId;
  }
  if (filters.showHolds) {
    // queryAvailability's 11th parameter: refuse to guess if the statement no longer takes showHolds there.
    if (!sql.includes('$11::boolean')) throw new Error('the availability SQL no longer takes showHolds as $11: update availabilityParameters');
    parameters[10] = true;
  }
  return parameters;
}

/**
 * careslot's agenda bounds the start from below as well as the end (APPOINTMENT_PERIOD_FROM, in the WHERE
 * of every list of appointments and of the agenda statement: `a.ends_at > from AND a.starts_at >
 * from − 1 day`), so the (tenant_id, starts_at) index reads only the period: the floor bounds it the
 * same way, or it is no floor (without the bound its JOIN took 9.1 ms at default scale where
 * careslot's took 2.4).
 */
export const AGENDA_START_BOUND = "a.starts_at > $3::timestamptz - interval '1 day'";

/** The bound as careslot writes it ($5 is its `from`). */
const PRODUCT_AGENDA_START_BOUND = "a.starts_at > $5::timestamptz - interval '1 day'";

/** Refuses to measure against a floor whose bound is no longer careslot's (APPOINTMENT_PERIOD_FROM of the build). */
export function assertProductAgendaBound(): void {
  if (!APPOINTMENT_PERIOD_FROM.includes(PRODUCT_AGENDA_START_BOUND)) {
    throw new Error(`careslot's APPOINTMENT_PERIOD_FROM no longer bounds ${PRODUCT_AGENDA_START_BOUND}: update AGENDA_START_BOUND in bench/floors.ts`);
  }
}

/**
 * Scenario 5's floor: a centre's appointments in a period with schedule, practitioner and patient,
 * one hand-written JOIN reading only the values the answer holds, with careslot's WHERE (no holds,
 * the period with its index bound) and order; `condition`, when given, is ANDed to it (scenario 17).
 */
function agendaJoinSql(condition = ''): string {
  return `
SELECT a.id, a.starts_at AS start, s.name AS "scheduleName", pr.name AS "practitionerName", p.family_name AS "familyName"
FROM appointments a
JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
LEFT JOIN practitioners pr ON pr.tenant_id = s.tenant_id AND pr.id = s.practitioner_id
LEFT JOIN patients p ON p.tenant_id = a.tenant_id AND p.id = a.patient_id
WHERE a.tenant_id = $1 AND a.status <> 'HELD' AND s.centre_id = $2
  AND a.ends_at > $3 AND ${AGENDA_START_BOUND} AND a.starts_at < $4${condition}
ORDER BY a.starts_at, a.id LIMIT $5`;
}

export const AGENDA_JOIN_SQL = agendaJoinSql();

/**
 * Scenario 12's floor: a tenant's appointments starting in [from, to) counted per partner and
 * service, straight from appointments (no join: neither key needs one); an index-only scan of
 * appointments_statistics_idx (tenant_id, starts_at) INCLUDE (…, service_id, status, origin, partner_id).
 */
export const STATISTICS_GROUP_BY_SQL = `
SELECT a.partner_id AS "partnerId", a.service_id AS "serviceId", count(*)::int AS booked,
       (count(*) FILTER (WHERE a.status = 'CANCELLED'))::int AS cancelled,
       (count(*) FILTER (WHERE a.status = 'NO_SHOW'))::int AS "noShow",
       (count(*) FILTER (WHERE a.status = 'FULFILLED'))::int AS fulfilled
FROM appointments a
WHERE a.tenant_id = $1 AND a.starts_at >= $2::timestamptz AND a.starts_at < $3::timestamptz
GROUP BY a.partner_id, a.service_id
ORDER BY a.partner_id, a.service_id`;

/**
 * Seed 002's rule for what a partner sees, written by hand (not the product's SQL): the patient
 * refused nothing, the appointment is not anonymous, its schedule's practitioner (if any) is not
 * banned from data sharing, it starts 45 days back to 30 days ahead, and it is no hold. Aliases: `a`
 * appointments, `s` schedules, `pr` practitioners (LEFT JOIN), `p` patients (JOIN).
 */
export const SHAREABLE_SQL = `a.status <> 'HELD' AND NOT a.anonymous
  AND NOT (p.data_processing_refused OR p.all_notifications_refused OR p.advertising_refused)
  AND NOT coalesce(pr.data_sharing_banned, false)
  AND a.starts_at >= now() - interval '45 days' AND a.starts_at <= now() + interval '30 days'`;

/**
 * Scenario 15's floor: a page of the tenant's shareable appointments after a (start, id), with the
 * fields the partner app reads. A plain keyset on the start (the index on (tenant_id, starts_at)
 * reads only the window; on the primary key instead, the page read 4× as long here); the start
 * goes out as text and comes back as the next page's key, exact to the microsecond.
 */
export const PARTNER_SYNC_SQL = `
SELECT a.id, a.starts_at AS start, a.ends_at AS end, a.status, s.centre_id AS "centreId", a.service_id AS "serviceId",
       pr.name AS "practitionerName", p.id AS "patientId", p.family_name AS "familyName", p.given_name AS "givenName", p.patronymic, p.phone,
       a.starts_at::text AS "startKey"
FROM appointments a
JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
LEFT JOIN practitioners pr ON pr.tenant_id = s.tenant_id AND pr.id = s.practitioner_id
JOIN patients p ON p.tenant_id = a.tenant_id AND p.id = a.patient_id
WHERE a.tenant_id = $1 AND (a.starts_at, a.id) > ($2::timestamptz, $3::uuid) AND ${SHAREABLE_SQL}
ORDER BY a.starts_at, a.id LIMIT $4`;

/**
 * The statement partnerFeedRepository.page sends for a position (scenario 17), caught from the
 * build's own repository with a stand-in transaction: exactly careslot's SQL and parameters.
 */
export async function productFeedPage(tenantId: string, position: FeedPosition, first: number): Promise<{ text: string; values: unknown[] }> {
  let sent: { text: string; values: unknown[] } | undefined;
  const tx: Tx = {
    tenantId,
    prepared: async <Row>(_name: string, text: string, values: unknown[]) => {
      sent = { text, values };
      return [] as Row[];
    },
    query: async <Row>() => [{ xmin: '0' }] as Row[],
    afterCommit: () => undefined,
  };
  await partnerFeedRepository.page(tx, position, first);
  if (!sent) throw new Error('partnerFeedRepository.page sent no prepared statement: update productFeedPage');
  return sent;
}

/** Reasons of the product's filter that are the partner sharing rules proper (the rest: a row gone, or outside the window). */
const SHARING_REASONS = ['CONSENT_CHANGED', 'ANONYMOUS', 'PRACTITIONER_BANNED'];

/**
 * The product's feed page without its sharing filter (scenario 17): the CASE lines that withhold a
 * row for the patient's consents, an anonymous appointment or a banned practitioner, and the branch
 * that reads the patients who refused (their tombstones), taken out; the rest (the order, the
 * window, the joins, the fields) as careslot sends it. Refuses to guess when the SQL changed shape.
 */
export function withoutSharingFilter(sql: string): string {
  const reasons = notSharedBecauseSql('h.now');
  if (!sql.includes(reasons)) throw new Error('the feed page no longer holds notSharedBecauseSql(\'h.now\'): update withoutSharingFilter');
  const lines = reasons.split('\n');
  const kept = lines.filter((line) => !SHARING_REASONS.some((reason) => line.includes(`THEN '${reason}'`)));
  if (lines.length - kept.length !== SHARING_REASONS.length) throw new Error('notSharedBecauseSql changed its lines: update withoutSharingFilter');
  const patientBranch = /\s*UNION ALL\s*\(SELECT 'PATIENT'[\s\S]*?LIMIT \$4\)/;
  if (!patientBranch.test(sql)) throw new Error('the feed page no longer reads refusing patients in a UNION ALL branch: update withoutSharingFilter');
  return sql.replace(reasons, kept.join('\n')).replace(patientBranch, '');
}

/**
 * Scenario 17's agenda: scenario 5's AGENDA_JOIN_SQL (practitioners `pr`, patients `p`, as the
 * product's filter names them); with `filtered`, only the rows the product's own sharing expression shares.
 */
export function sharedAgendaSql(filtered: boolean): string {
  return agendaJoinSql(filtered ? `\n  AND (${notSharedBecauseSql('careslot_now()')}) IS NULL` : '');
}

export const BOOKING_INSERT_SQL = `
INSERT INTO appointments (tenant_id, schedule_id, service_id, patient_id, starts_at, ends_at, origin, anonymous, note)
VALUES ($1, $2, $3, $4, $5, $6, 'LOCAL', false, $7)
RETURNING *`;

// ---------------------------------------------------------------- parent side

export function startHttpFloor(config: FloorConfig): Promise<FloorServer> {
  return startFloorProcess('http', config);
}

/** Apollo Server alone on node:http (bench/lib/apollo-reference.ts): scenario 6's bare Apollo Server. */
export function startApolloReference(): Promise<FloorServer> {
  return startFloorProcess('apollo', {});
}

export interface BookingHttpFloorConfig {
  appUrl: string;
  tenantId: string;
  /** careslot's DATABASE_POOL_SIZE. */
  poolSize: number;
  /** The user careslot books as for the bench token (the bench admin): the statement writes it into the history row. */
  actorId: string;
}

/** Scenario 3's floor: careslot's booking statement behind bare node:http (see `book` above). */
export function startBookingHttpFloor(config: BookingHttpFloorConfig): Promise<FloorServer> {
  return startFloorProcess('book', config);
}

export function startWsFloor(): Promise<FloorServer> {
  return startFloorProcess('ws', {});
}

export interface BookingFloorJob {
  appUrl: string;
  tenantId: string;
  /** Concurrent bookings (the product gets as many HTTP connections). */
  connections: number;
  /** Database connections: careslot's DATABASE_POOL_SIZE, so both sides get the same database concurrency. */
  poolSize: number;
  note: string;
  warmupRows: BookingRow[];
  rows: BookingRow[];
}

export interface BookingRow {
  scheduleId: string;
  serviceId: string;
  patientId: string;
  start: string;
  end: string;
}

export interface BookingFloorResult {
  latency: Latency;
  throughput: number;
  requests: number;
  failures: number;
  seconds: number;
}

export function runBookingFloor(job: BookingFloorJob): Promise<BookingFloorResult> {
  return runWorker<BookingFloorResult>(join(__dirname, 'floors.js'), job);
}

export interface NotifyFloorJob {
  kind: 'notify';
  url: string;
  /** Events sent one after another, each after the previous one arrived. */
  samples: number;
  /** Bytes of each payload (careslot's bus envelope of an agenda event is about this size). */
  payloadBytes: number;
}

/** Milliseconds from issuing `SELECT pg_notify(…)` (autocommit: delivered at its commit) to the listener's receipt. */
export function runNotifyFloor(job: Omit<NotifyFloorJob, 'kind'>): Promise<Latency> {
  return runWorker<Latency>(join(__dirname, 'floors.js'), { ...job, kind: 'notify' } satisfies NotifyFloorJob);
}

async function startFloorProcess(kind: string, config: object): Promise<FloorServer> {
  const port = await freePort();
  const child: ChildProcess = fork(join(__dirname, 'floors.js'), [kind, String(port), JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`floor ${kind} exited with ${code}`)));
  });
  return measuredServer(child, `http://127.0.0.1:${port}`);
}

// ---------------------------------------------------------------- child side

async function serveHttp(port: number, config: FloorConfig): Promise<void> {
  const pool = new Pool({ connectionString: config.appUrl, max: config.poolSize });
  const sql = productAvailabilitySql();
  // Named prepared statements (parsed and planned once per connection), as careslot runs its hot statements.
  // With a partner, scoped as careslot scopes a partner's transaction (the partner_scope policies apply).
  const inTenant = async <T>(work: (query: (name: string, text: string, values: unknown[]) => Promise<T[]>) => Promise<T[]>, partnerId?: string): Promise<T[]> => {
    const client = await pool.connect();
    try {
      const partnerScope = partnerId ? `, set_config('app.partner_id', '${uuidOf(partnerId)}', true)` : '';
      await client.query(`BEGIN; SELECT set_config('app.tenant_id', '${config.tenantId}', true)${partnerScope}`);
      const rows = await work(async (name, text, values) => (await client.query({ name, text, values })).rows as T[]);
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  const viewer = JSON.stringify({ data: { viewer: { kind: 'STAFF_USER' } } });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://floor');
    const answer = (body: string) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const fail = (error: Error) => {
      res.writeHead(500);
      res.end(error.message);
    };
    const from = url.searchParams.get('from');
    const to = url.searchParams.get('to');
    // Drain any request body (autocannon may send one) before answering.
    req.resume();
    if (url.pathname === '/viewer') return answer(viewer);
    if (url.pathname === '/availability') {
      const parameters = availabilityParameters(sql, config.tenantId, config.centreId, from!, to!, url.searchParams.get('slots') === '1', {
        serviceId: url.searchParams.get('serviceId'), partnerId: url.searchParams.get('partnerId'), showHolds: url.searchParams.get('holds') === '1',
      });
      inTenant((query) => query('availability', sql, parameters))
        .then((rows) => answer(JSON.stringify({ data: { availability: { schedules: rows } } })), fail);
      return;
    }
    if (url.pathname === '/agenda') {
      const parameters = [config.tenantId, config.centreId, from, to, Number(url.searchParams.get('first') ?? 100)];
      inTenant<any>((query) => query('agenda', AGENDA_JOIN_SQL, parameters))
        .then((rows) => answer(JSON.stringify({
          data: {
            appointments: {
              nodes: rows.map((r) => ({
                id: r.id, start: r.start,
                schedule: { name: r.scheduleName, practitioner: r.practitionerName === null ? null : { name: r.practitionerName } },
                patient: r.familyName === null ? null : { familyName: r.familyName },
              })),
            },
          },
        })), fail);
      return;
    }
    if (url.pathname === '/statistics') {
      inTenant<any>((query) => query('statistics', STATISTICS_GROUP_BY_SQL, [config.tenantId, from, to]))
        .then((rows) => answer(JSON.stringify({
          data: {
            bookingStatistics: {
              groups: rows.map((r) => ({
                key: { partnerId: r.partnerId, serviceId: r.serviceId },
                counts: { booked: r.booked, cancelled: r.cancelled, noShow: r.noShow, fulfilled: r.fulfilled },
              })),
              total: { booked: rows.reduce((sum, r) => sum + r.booked, 0) },
            },
          },
        })), fail);
      return;
    }
    // Scenarios 15 and 17: the ids and numbers from the query string go into SQL only in their exact shape (else a 500).
    const json = (work: () => Promise<unknown>) => {
      work().then((body) => answer(JSON.stringify(body)), fail);
    };
    if (url.pathname === '/partner-sync') {
      return json(async () => {
        const first = Number(url.searchParams.get('first') ?? 500);
        const after = url.searchParams.get('after') ?? `-infinity|${NIL_UUID}`;
        const [start, id] = after.split('|');
        const rows = await inTenant<any>((query) => query('partner_sync', PARTNER_SYNC_SQL, [config.tenantId, start, uuidOf(id ?? null), first]));
        return { data: { partnerAppointments: partnerSyncPage(rows, after, first) } };
      });
    }
    if (url.pathname === '/partner-feed-page') {
      // The product's page at a position (a cursor's xid, id and fullFrom), with its sharing filter or without it (filter=0).
      return json(async () => {
        const position: FeedPosition = {
          epoch: 1, xid: digitsOf(url.searchParams.get('xid')), id: uuidOf(url.searchParams.get('id')),
          fullFrom: url.searchParams.get('fullFrom') ? digitsOf(url.searchParams.get('fullFrom')) : null,
        };
        const { text, values } = await productFeedPage(config.tenantId, position, Number(url.searchParams.get('first') ?? 500));
        const filtered = url.searchParams.get('filter') !== '0';
        const rows = await inTenant<any>((query) => (filtered ? query('feed_page', text, values) : query('feed_page_unfiltered', withoutSharingFilter(text), values)),
          uuidOf(url.searchParams.get('partnerId')));
        return { data: { rows } };
      });
    }
    if (url.pathname === '/partner-agenda') {
      return json(async () => {
        const filtered = url.searchParams.get('filter') !== '0';
        const parameters = [config.tenantId, uuidOf(url.searchParams.get('centreId')), from, to, Number(url.searchParams.get('first') ?? 100)];
        const rows = await inTenant<any>((query) => query(filtered ? 'agenda_shared' : 'agenda_all', sharedAgendaSql(filtered), parameters));
        return { data: { appointments: { nodes: rows } } };
      });
    }
    res.writeHead(404);
    res.end();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Ids and numbers that go into SQL text (the scope's set_config) or a statement: only in their exact shape. */
function uuidOf(text: string | null): string {
  if (text === null || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)) throw new Error(`not a uuid: ${String(text).slice(0, 60)}`);
  return text;
}

function digitsOf(text: string | null): string {
  if (text === null || !/^\d{1,19}$/.test(text)) throw new Error(`not a transaction id: ${String(text).slice(0, 60)}`);
  return text;
}

/** The floor's sync page in the shape careslot answers (changes of kind UPSERT, a cursor, hasMore), its cursor the last start and id. */
function partnerSyncPage(rows: any[], after: string, first: number) {
  const keyOf = (r: any) => `${r.startKey}|${r.id}`;
  return {
    changes: rows.map((r) => ({
      kind: 'UPSERT', cursor: keyOf(r),
      appointment: {
        id: r.id, start: r.start, end: r.end, status: r.status, centreId: r.centreId, serviceId: r.serviceId, practitionerName: r.practitionerName,
        patient: { id: r.patientId, familyName: r.familyName, givenName: r.givenName, patronymic: r.patronymic, phone: r.phone },
      },
      removed: null,
    })),
    cursor: rows.length > 0 ? keyOf(rows[rows.length - 1]) : after,
    hasMore: rows.length === first,
  };
}

/** An instant as careslot's Instant scalar writes it (no milliseconds when there are none). */
const instantText = (date: Date) => date.toISOString().replace('.000Z', 'Z');

/** What the floor reads of careslot's bookAppointment request: its input, as the bench sends it. */
interface BookingInputJson {
  scheduleId: string;
  serviceId: string;
  start: string;
  patientId?: string;
  idempotencyKey: string;
  note?: string;
  anonymous?: boolean;
}

/**
 * careslot's booking statement exactly as the BookingService behind bookAppointment builds it:
 * bookingStatement with the plan of RemoteSchedules (shares' mirrors and external schedules), which
 * server.ts composes from SharedSchedulesService and ExternalSchedulesService. Their planSql is SQL
 * text only, so stand-ins without their connections compose the same text.
 */
function productBookingStatement() {
  const remote = new RemoteSchedules(Object.create(SharedSchedulesService.prototype) as SharedSchedulesService,
    Object.create(ExternalSchedulesService.prototype) as ExternalSchedulesService);
  return bookingStatement((schedule, patient) => remote.planSql(schedule, patient));
}

/**
 * The booking floor: careslot's request body in (the same bytes: the input is read from its
 * variables, the document is not looked at), careslot's answer out, and in between exactly what
 * careslot's BookingService does in the database for a staff booking: its booking statement
 * (productBookingStatement), run by runBookingStatement with the door, actor, request hash and
 * request id careslot passes, in careslot's single-statement transaction (tenant scope, statement
 * and commit in one round trip) on the app role. No authentication, no validation, no event after the commit.
 */
async function serveBookingHttp(port: number, config: BookingHttpFloorConfig): Promise<void> {
  const pool = new Pool({ connectionString: config.appUrl, max: config.poolSize, application_name: 'careslot-bench-floor' });
  const statement = productBookingStatement();
  const door: BookingDoor = { kind: 'STAFF', origin: 'LOCAL' };
  const actor = { kind: 'STAFF_USER', id: config.actorId };
  const book = async (body: Buffer) => {
    const { input } = (JSON.parse(body.toString('utf8')) as { variables: { input: BookingInputJson } }).variables;
    // As BookingService.bookInput hands it on: the input but its holdId, the start as a Date.
    const request: BookingRequest = { ...input, anonymous: input.anonymous ?? false, start: new Date(input.start) };
    const hash = requestHash('bookAppointment', { ...request, idempotencyKey: undefined, audit: undefined });
    try {
      const outcome = await inTenantStatement(pool, config.tenantId, (tx) => runBookingStatement(tx, statement, request, door, actor, hash, randomUUID()));
      const booked = outcome.appointment;
      if (booked) return { __typename: 'Appointment', id: booked.id, start: instantText(booked.startsAt), end: instantText(booked.endsAt) };
      return { __typename: outcome.problem ?? (outcome.prior ? 'Replay' : 'ScheduleNotFound') };
    } catch (error) {
      if ((error as { code?: string }).code === '23P01') return { __typename: 'SlotUnavailable', message: 'The slot is no longer available' };
      throw error;
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      book(Buffer.concat(chunks)).then((result) => {
        const text = JSON.stringify({ data: { bookAppointment: result } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      }, (error: Error) => {
        res.writeHead(500);
        res.end(error.message);
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

async function serveWs(port: number): Promise<void> {
  const subscribers = new Set<WebSocket>();
  const server = createServer((req, res) => {
    if (req.url !== '/broadcast') {
      res.writeHead(404);
      return res.end();
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // The same bytes for every socket: serialised once, sent N times.
      const message = Buffer.concat(chunks);
      for (const socket of subscribers) socket.send(message, { binary: false });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sent: subscribers.size }));
    });
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"connection_init"')) socket.send('{"type":"connection_ack"}');
      else if (text.includes('"subscribe"')) subscribers.add(socket);
      else if (text.includes('"ping"')) socket.send('{"type":"pong"}');
    });
    socket.on('close', () => subscribers.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

async function bookingFloor(job: BookingFloorJob): Promise<BookingFloorResult> {
  const pool = new Pool({ connectionString: job.appUrl, max: job.poolSize });
  const book = async (row: BookingRow) => {
    const client = await pool.connect();
    try {
      await client.query(`BEGIN; SELECT set_config('app.tenant_id', '${job.tenantId}', true)`);
      await client.query({ name: 'book', text: BOOKING_INSERT_SQL, values: [job.tenantId, row.scheduleId, row.serviceId, row.patientId, row.start, row.end, job.note] });
      await client.query('COMMIT');
      return true;
    } catch {
      await client.query('ROLLBACK').catch(() => undefined);
      return false;
    } finally {
      client.release();
    }
  };
  const run = async (rows: BookingRow[]) => {
    const samples: number[] = [];
    let next = 0;
    let failures = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: job.connections }, async () => {
      while (next < rows.length) {
        const row = rows[next++];
        const t = performance.now();
        if (await book(row)) samples.push(performance.now() - t);
        else failures += 1;
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    return { latency: summarize(samples), throughput: samples.length / seconds, requests: rows.length, failures, seconds };
  };
  try {
    await run(job.warmupRows);
    return await run(job.rows);
  } finally {
    await pool.end();
  }
}

async function notifyFloor(job: NotifyFloorJob): Promise<Latency> {
  const channel = `bench_notify_floor_${process.pid}`;
  const listener = new Client({ connectionString: job.url, application_name: 'careslot-bench-notify-listener' });
  const sender = new Client({ connectionString: job.url, application_name: 'careslot-bench-notify-sender' });
  await Promise.all([listener.connect(), sender.connect()]);
  try {
    await listener.query(`LISTEN ${channel}`);
    let arrived: (() => void) | undefined;
    listener.on('notification', () => arrived?.());
    const payload = 'x'.repeat(job.payloadBytes);
    const samples: number[] = [];
    for (let i = 0; i < job.samples + 10; i++) {
      const received = new Promise<void>((resolve) => (arrived = resolve));
      const t = performance.now();
      await sender.query({ name: 'notify', text: 'SELECT pg_notify($1, $2)', values: [channel, payload] });
      await received;
      if (i >= 10) samples.push(performance.now() - t);
    }
    return summarize(samples);
  } finally {
    await Promise.all([listener.end(), sender.end()]);
  }
}

if (require.main === module) {
  const [kind, port, config] = process.argv.slice(2);
  const servers: Record<string, (port: number, config: any) => Promise<void>> = {
    http: serveHttp, book: serveBookingHttp, ws: serveWs, apollo: serveApolloReference,
  };
  const serve = servers[kind];
  if (serve) {
    installProbe();
    serve(Number(port), JSON.parse(config))
      .then(() => process.send!({ type: 'listening' }))
      .catch((error: unknown) => {
        process.stderr.write(`floor ${kind} failed: ${String(error)}\n`);
        process.exit(1);
      });
  } else {
    serveWorker<BookingFloorJob | NotifyFloorJob, BookingFloorResult | Latency>((job) => ('kind' in job && job.kind === 'notify' ? notifyFloor(job) : bookingFloor(job as BookingFloorJob)));
  }
}

export function floorConfigOf(appUrl: string, data: { tenantId: string; centreId: string }): FloorConfig {
  // The same pool size as careslot's default DATABASE_POOL_SIZE.
  return { appUrl, tenantId: data.tenantId, centreId: data.centreId, poolSize: 20 };
}
