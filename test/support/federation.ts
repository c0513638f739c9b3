import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, connect as netConnect, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { withPgClient } from '../../src/db/pg-client';
import { createLogger, type Logger } from '../../src/platform/logger';
import { createServer } from '../../src/server';
import { gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { allNodes, type Connection } from '../helpers/pages';
import { startTestServer, TEST_SECRET_KEY, type TestServer } from '../helpers/test-server';
import { connectWs, type WsConnection } from '../helpers/ws-client';
import { createCentre, createCentreWithSchedules, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createShareOk, type CreatedShareData, type RestrictionsSpec } from '../factories/sharing';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import {
  STOCKHOLM, agendaChanged, allAppointments, bookOk, localAt, sleep, subscribeQueued, type AgendaChangeData, type AppointmentData,
  type QueuedSubscription,
} from './scheduling';

/**
 * Schedule sharing between a sharing centre and a client centre (docs/federation-protocol.md),
 * in two topologies: both tenants on ONE server (the link's URL is the server's own URL, so the
 * peer calls are served in-process), or on TWO real servers with two databases (HTTP + graphql-ws).
 * Everything goes through the public API; the database is read (as its owner) only to find ids the
 * API does not show (mirror ↔ remote ids) and to look at what is stored (audit, ciphertext).
 */

// ---------------------------------------------------------------------------------------------
// Topologies

/**
 * Small connection pools: these files start many servers while other suites share the same
 * PostgreSQL server (max_connections). A server that runs no job worker saves its pool too.
 */
export const LEAN: Partial<Config> = { DATABASE_POOL_SIZE: 5 };
export const LEAN_NO_JOBS: Partial<Config> = { ...LEAN, JOBS_RUN: false };

export type TopologyName = 'one server' | 'two servers';
export const TOPOLOGIES: TopologyName[] = ['one server', 'two servers'];

export interface TopologyOptions {
  /** For both servers (or the one). */
  config?: Partial<Config>;
  /** For the client server only (one server: merged into its config). */
  clientConfig?: Partial<Config>;
  /** The client server's logger (one server: that server's). */
  clientLogger?: Logger;
}

export interface Topology {
  name: TopologyName;
  sharing: TestServer;
  client: TestServer;
  close(): Promise<void>;
}

export async function startTopology(name: TopologyName, options: TopologyOptions = {}): Promise<Topology> {
  const logger = options.clientLogger ? { logger: options.clientLogger } : {};
  if (name === 'one server') {
    const server = await startTestServer({ config: { ...LEAN, ...options.config, ...options.clientConfig }, ...logger });
    return { name, sharing: server, client: server, close: () => server.close() };
  }
  // The sharing side never queues jobs (the client queues its twins' cancellations).
  const sharing = await startTestServer({ config: { ...LEAN_NO_JOBS, ...options.config } });
  const client = await startTestServer({ config: { ...LEAN, ...options.config, ...options.clientConfig }, ...logger });
  return {
    name, sharing, client,
    close: async () => {
      await client.close();
      await sharing.close();
    },
  };
}

/**
 * A careslot server on a port of our choosing, on a database the caller manages (close() leaves
 * it): a sharing server that can be stopped and started again at the same URL.
 */
export async function startServerAt(options: { port: number; databaseUrl: string; config?: Partial<Config>; logger?: Logger }): Promise<TestServer> {
  const config = loadConfig(
    { NODE_ENV: 'test' },
    {
      DATABASE_URL: options.databaseUrl, MIGRATIONS_RUN: false, DEMO_DATA: false,
      LOG_LEVEL: (process.env.TEST_LOG_LEVEL as Config['LOG_LEVEL'] | undefined) ?? 'silent',
      SECRET_KEY: TEST_SECRET_KEY, DEBUG_SQL_COUNT: true, PORT: options.port, DATA_DIR: '.data/test',
      ...LEAN_NO_JOBS, ...options.config,
    },
  );
  const server = await createServer(config, { logger: options.logger ?? createLogger(config) });
  const url = await server.listen(options.port, '127.0.0.1');
  return { server, url, databaseUrl: options.databaseUrl, close: () => server.close() };
}

// ---------------------------------------------------------------------------------------------
// The two centres

export const SHARING_TIME_ZONE = STOCKHOLM;

export interface Sides {
  topology: Topology;
  sharingTenant: TestTenant;
  clientTenant: TestTenant;
  /**
   * Three schedules open 08:00–17:00 every day on a 15-minute grid, each offering a 30- and a
   * 60-minute service. Tests share schedule 0 (bookings) and 1 (restrictions); 2 is never shared.
   */
  sharingCentre: CentreWithSchedules & { name: string };
}

export async function setUpSides(topology: Topology): Promise<Sides> {
  const sharingTenant = await createTenant(topology.sharing);
  const clientTenant = await createTenant(topology.client);
  const name = `Sharing Centre ${randomUUID().slice(0, 8)}`;
  const centre = await createCentreWithSchedules(topology.sharing, sharingTenant, {
    name, timeZone: SHARING_TIME_ZONE, schedules: 3, slotMinutes: 15, openingHours: everyDay('08:00', '17:00'),
    services: [{ durationMinutes: 30 }, { durationMinutes: 60 }],
  });
  return { topology, sharingTenant, clientTenant, sharingCentre: { ...centre, name } };
}

export interface ClientCentre {
  centreId: string;
  name: string;
}

/** A centre of the client tenant with no schedules of its own: its agenda is the shared one. */
export async function newClientCentre(sides: Sides): Promise<ClientCentre> {
  const name = `Client Clinic ${randomUUID().slice(0, 8)}`;
  return { centreId: await createCentre(sides.topology.client, sides.clientTenant, { name, timeZone: SHARING_TIME_ZONE }), name };
}

export interface Linked {
  share: CreatedShareData;
  token: string;
  shareId: string;
  linkId: string;
  client: ClientCentre;
  /** The client's mirror schedule of each shared schedule (by the sharing centre's schedule id). */
  mirrorOf: Record<string, string>;
  /** The client's mirror service of each shared service (by the sharing centre's service id). */
  mirrorServiceOf: Record<string, string>;
}

/** A share at the sharing centre and, with its token, a link of a (fresh) client centre to it. */
export async function shareAndLink(
  sides: Sides,
  options: { scheduleIds?: string[]; restrictions?: RestrictionsSpec; url?: string; client?: ClientCentre } = {},
): Promise<Linked> {
  const share = await createShareOk(sides.topology.sharing, sides.sharingTenant, {
    centreId: sides.sharingCentre.centreId, scheduleIds: options.scheduleIds ?? [sides.sharingCentre.scheduleIds[0]], restrictions: options.restrictions,
  });
  const client = options.client ?? await newClientCentre(sides);
  const linkId = await linkOk(sides.topology.client, sides.clientTenant.adminToken, {
    centreId: client.centreId, url: options.url ?? share.serverUrl, remoteCentreId: share.centreId, token: share.token, label: 'shared',
  });
  return { share, token: share.token, shareId: share.share.id, linkId, client, ...(await mirrorsOf(sides.topology.client, sides.clientTenant, linkId)) };
}

/** createShareLink that must succeed; answers the link id. */
export async function linkOk(server: TestServer, token: string, input: LinkInput & { centreId: string; label: string }): Promise<string> {
  const result = (await gqlOk<{ createShareLink: LinkResult }>(server, CREATE_LINK, { input }, token)).createShareLink;
  if (result.__typename !== 'ShareLinkOk' || !result.link) throw new Error(`createShareLink failed: ${JSON.stringify(result)}`);
  return result.link.id;
}

/** Mirror ids are not in the API's answers (they are ordinary schedules there): read them as the owner. */
export async function mirrorsOf(server: TestServer, tenant: TestTenant, linkId: string): Promise<Pick<Linked, 'mirrorOf' | 'mirrorServiceOf'>> {
  return withPgClient(server.databaseUrl, async (db) => {
    const schedules = await db.query('SELECT id, remote_schedule_id FROM schedules WHERE tenant_id = $1 AND link_id = $2', [tenant.tenantId, linkId]);
    const services = await db.query('SELECT id, remote_service_id FROM services WHERE tenant_id = $1 AND link_id = $2', [tenant.tenantId, linkId]);
    return {
      mirrorOf: Object.fromEntries(schedules.rows.map((row) => [row.remote_schedule_id, row.id])),
      mirrorServiceOf: Object.fromEntries(services.rows.map((row) => [row.remote_service_id, row.id])),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Documents and calls

export interface LinkInput {
  url: string;
  remoteCentreId: string;
  token: string;
}

export interface ShareLinkData {
  id: string;
  centreId: string;
  remoteUrl: string;
  remoteCentreId: string;
  remoteCentreName: string;
  label: string;
  createdAt: string;
}

export interface LinkResult {
  __typename: 'ShareLinkOk' | 'ShareLinkProblem';
  remoteCentreName?: string;
  timeZone?: string;
  schedules?: Array<{ name: string; slotMinutes: number; services: Array<{ code: string; name: string; durationMinutes: number }> }>;
  restrictions?: { earliestDaysAhead: number; latestDaysAhead: number; weeklyWindows: Array<{ weekday: number; startTime: string; endTime: string }>; dailyQuota: number | null };
  link?: ShareLinkData | null;
  reason?: string;
  message?: string;
}

const LINK_FIELDS = 'id centreId remoteUrl remoteCentreId remoteCentreName label createdAt';
const LINK_RESULT = `__typename
  ... on ShareLinkOk {
    remoteCentreName timeZone schedules { name slotMinutes services { code name durationMinutes } }
    restrictions { earliestDaysAhead latestDaysAhead weeklyWindows { weekday startTime endTime } dailyQuota }
    link { ${LINK_FIELDS} }
  }
  ... on ShareLinkProblem { reason message }`;

export const TEST_LINK = `mutation TestLink($input: TestShareLinkInput!) { testShareLink(input: $input) { ${LINK_RESULT} } }`;
export const CREATE_LINK = `mutation CreateLink($input: CreateShareLinkInput!) { createShareLink(input: $input) { ${LINK_RESULT} } }`;
export const SHARE_LINKS = `query Links($centreId: ID, $first: Int!, $after: String) {
  shareLinks(centreId: $centreId, first: $first, after: $after) { nodes { ${LINK_FIELDS} } pageInfo { hasNextPage endCursor } }
}`;
export const REMOVE_LINK = `mutation RemoveLink($input: RemoveShareLinkInput!) { removeShareLink(input: $input) { ${LINK_FIELDS} } }`;

export const testLink = (server: TestServer, token: string, input: LinkInput) =>
  gql<{ testShareLink: LinkResult }>(server, TEST_LINK, { input }, token);
export const createLink = (server: TestServer, token: string, input: LinkInput & { centreId: string; label?: string }) =>
  gql<{ createShareLink: LinkResult }>(server, CREATE_LINK, { input: { label: 'link', ...input } }, token);
/** One page of shareLinks (oldest first). */
export const linksPage = async (server: TestServer, token: string, centreId?: string, page: { first?: number; after?: string | null } = {}) =>
  (await gqlOk<{ shareLinks: Connection<ShareLinkData> }>(server, SHARE_LINKS, { centreId, first: page.first ?? 20, after: page.after }, token)).shareLinks;
/** Every link, page after page (oldest first). */
export const listLinks = (server: TestServer, token: string, centreId?: string): Promise<ShareLinkData[]> =>
  allNodes((after) => linksPage(server, token, centreId, { first: 100, after }));

export interface Interval {
  start: string;
  end: string;
}

export interface ScheduleAvailabilityData {
  scheduleId: string;
  free: Interval[];
  occupied: Interval[];
  slots: Array<Interval & { state: 'FREE' | 'OCCUPIED' }>;
}

export const AVAILABILITY = `query Availability($centreId: ID!, $from: Instant!, $to: Instant!, $serviceId: ID) {
  availability(centreId: $centreId, from: $from, to: $to, serviceId: $serviceId) {
    centreId from to schedules { scheduleId free { start end } occupied { start end } slots { start end state } }
  }
}`;

export async function availabilityOk(server: TestServer, token: string, args: { centreId: string; from: string; to: string; serviceId?: string }): Promise<ScheduleAvailabilityData[]> {
  return (await gqlOk<{ availability: { schedules: ScheduleAvailabilityData[] } }>(server, AVAILABILITY, args, token)).availability.schedules;
}

/** The client's view of one mirror schedule (undefined when the availability leaves it out). */
export async function mirrorAvailability(sides: Sides, linked: Linked, remoteScheduleId: string, from: string, to: string, serviceId?: string) {
  const rows = await availabilityOk(sides.topology.client, sides.clientTenant.adminToken, { centreId: linked.client.centreId, from, to, serviceId });
  return rows.find((row) => row.scheduleId === linked.mirrorOf[remoteScheduleId]);
}

/** Every appointment of the tenant, read through the API. */
export const appointmentsOf = async (server: TestServer, token: string, filter: Record<string, unknown> = {}): Promise<AppointmentData[]> =>
  (await allAppointments(server, token, filter)).nodes;

export interface SharingAppointmentData {
  id: string;
  scheduleId: string;
  start: string;
  end: string;
  status: string;
  origin: string;
  clientCentreName: string | null;
  displayMarker: string | null;
  note: string | null;
  cancellation: { reasonCode: string; reasonText: string | null } | null;
  patient: { familyName: string; givenName: string; phone: string | null; personalIdentityNumber: string | null } | null;
  history: Array<{ action: string; actorKind: string; fromStatus: string | null; toStatus: string }>;
}

/** The sharing centre's appointments in one of its schedules, as its ADMIN sees them. */
export async function sharingAppointments(sides: Sides, scheduleId: string): Promise<SharingAppointmentData[]> {
  const data = await gqlOk<{ appointments: { nodes: SharingAppointmentData[] } }>(sides.topology.sharing, `query($filter: AppointmentFilterInput) {
    appointments(first: 100, filter: $filter) { nodes { id scheduleId start end status origin clientCentreName displayMarker note
      cancellation { reasonCode reasonText } patient { familyName givenName phone personalIdentityNumber } history { action actorKind fromStatus toStatus } } }
  }`, { filter: { scheduleId } }, sides.sharingTenant.adminToken);
  return data.appointments.nodes;
}

/** A booking by the sharing centre's own staff (its ADMIN), for a patient of its own. */
export function bookAtSharing(sides: Sides, input: { scheduleId: string; start: string; serviceId?: string; patient?: Record<string, unknown>; note?: string }) {
  return bookOk(sides.topology.sharing, sides.sharingTenant.adminToken, {
    scheduleId: input.scheduleId, serviceId: input.serviceId ?? sides.sharingCentre.serviceIds[0], start: input.start,
    newPatient: input.patient ?? { familyName: 'Own', givenName: 'Patient' }, note: input.note,
  });
}

/** A booking by the client centre's ADMIN in a mirror schedule (30-minute service unless told). */
export function bookAtClientInput(sides: Sides, linked: Linked, start: string, options: { remoteScheduleId?: string; remoteServiceId?: string; idempotencyKey?: string; patient?: Record<string, unknown> } = {}) {
  return {
    scheduleId: linked.mirrorOf[options.remoteScheduleId ?? sides.sharingCentre.scheduleIds[0]],
    serviceId: linked.mirrorServiceOf[options.remoteServiceId ?? sides.sharingCentre.serviceIds[0]],
    start, newPatient: options.patient ?? { familyName: 'Client', givenName: 'Patient' },
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
  };
}

/** Audit events of one entity, oldest first, read as the database owner. */
export async function auditOf(server: TestServer, tenant: TestTenant, entityId: string): Promise<Array<{ action: string; actorKind: string; details: Record<string, unknown> }>> {
  return withPgClient(server.databaseUrl, async (db) => (await db.query(
    'SELECT action, actor_kind AS "actorKind", details FROM audit_events WHERE tenant_id = $1 AND entity_id = $2 ORDER BY occurred_at, id',
    [tenant.tenantId, entityId],
  )).rows);
}

/** Another ADMIN of the tenant: attempt limits are per user, so each test that fails on purpose takes a fresh one. */
export async function freshAdmin(server: TestServer, tenant: TestTenant): Promise<string> {
  return (await createStaff(server, tenant, ['ADMIN'])).token;
}

/** A token of the right shape for this share, with a wrong secret. */
export function wrongSecret(token: string): string {
  const [kind, ids] = token.split('_');
  return `${kind}_${ids}_${randomBytes(32).toString('base64url')}`;
}

export const codeOf = (response: GraphQLResponse): string | undefined => response.errors?.[0]?.extensions?.code;

// ---------------------------------------------------------------------------------------------
// Time

/** The ISO weekday (1–7) of the local day `daysAhead` days from today in the sharing centre's zone. */
export const weekdayIn = (daysAhead: number): number => DateTime.fromISO(localAt(daysAhead, 12)).setZone(SHARING_TIME_ZONE).weekday;

/** The same instant, as epoch milliseconds (the API may or may not print milliseconds). */
export const ms = (instant: string): number => Date.parse(instant);

/** Intervals normalised to ISO strings with milliseconds, for comparisons. */
export const normalised = (intervals: readonly Interval[]): Interval[] =>
  intervals.map((i) => ({ start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString() }));

/** Polls `probe` until `done` accepts its value or `timeoutMs` pass; answers the last value. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await sleep(intervalMs);
    value = await probe();
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Live agenda of the client centre

export type AgendaEvent = { data?: { agendaChanged: AgendaChangeData } | null; errors?: unknown[] };

export interface AgendaWatch {
  connection: WsConnection;
  events: QueuedSubscription<AgendaEvent>;
  close(): Promise<void>;
}

/** A graphql-ws subscriber to the client centre's agendaChanged (as the client's ADMIN). */
export function watchClientAgenda(sides: Sides, linked: Linked): AgendaWatch {
  const connection = connectWs(sides.topology.client.url, sides.clientTenant.adminToken);
  const events = subscribeQueued<AgendaEvent>(connection.client, agendaChanged(linked.client.centreId));
  return {
    connection, events,
    close: async () => {
      events.dispose();
      await connection.dispose().catch(() => undefined);
    },
  };
}

export const UPDATE_SHARE_LABEL = 'mutation($input: UpdateScheduleShareInput!) { updateScheduleShare(input: $input) { id } }';

/**
 * graphql-ws acknowledges no subscription, and the client server's watch of the sharing server
 * starts in the background: change the share's label (the sharing server announces
 * SCHEDULE_CHANGED) until the client's subscriber hears of it. Then both are live; drain.
 */
export async function untilAgendaLive(sides: Sides, linked: Linked, watch: AgendaWatch): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    await gqlOk(sides.topology.sharing, UPDATE_SHARE_LABEL, { input: { id: linked.shareId, label: `poke ${attempt}` } }, sides.sharingTenant.adminToken);
    if (!(await watch.events.nothingWithin(300))) {
      await sleep(150);
      while (!(await watch.events.nothingWithin(0))) await watch.events.next(10);
      return;
    }
    if (watch.events.completed || watch.events.errors.length > 0) break;
  }
  throw new Error(`the client's agenda never heard of the sharing centre (completed: ${watch.events.completed}, errors: ${JSON.stringify(watch.events.errors)})`);
}

/**
 * Removes a link once the client server's watch of its sharing server is connected. (Closing a
 * watch whose sharing server cannot be reached leaves an unhandled rejection behind — see
 * federation-links.test.ts — so tests that cut connections retire their links this way.)
 */
export async function removeLinkWhenLive(sides: Sides, linked: Linked): Promise<void> {
  const watch = watchClientAgenda(sides, linked);
  try {
    await untilAgendaLive(sides, linked, watch);
  } finally {
    await watch.close();
  }
  await gqlOk(sides.topology.client, REMOVE_LINK, { input: { id: linked.linkId } }, sides.clientTenant.adminToken);
}

/** The next event this subscriber receives that `matches` (others are skipped), within `timeoutMs`. */
export async function nextMatching(events: QueuedSubscription<AgendaEvent>, matches: (change: AgendaChangeData) => boolean, timeoutMs: number): Promise<AgendaChangeData> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no matching agenda event within ${timeoutMs} ms`);
    const event = await events.next(left);
    if (event.errors) throw new Error(`agenda event with errors: ${JSON.stringify(event.errors)}`);
    if (event.data && matches(event.data.agendaChanged)) return event.data.agendaChanged;
  }
}

// ---------------------------------------------------------------------------------------------
// Canaries and logs

export interface Canary {
  familyName: string;
  givenName: string;
  phone: string;
  personalIdentityNumber: string;
  note: string;
  /** Every string that must never reach the client centre. */
  needles: string[];
}

/** Random, unique patient details and a note: none of them may ever appear at the client. */
export function canary(): Canary {
  const tag = randomBytes(6).toString('hex');
  const digits = () => Array.from(randomBytes(9), (b) => String(b % 10)).join('');
  const value = {
    familyName: `Canaryfam${tag}`, givenName: `Canarygiv${tag}`, phone: `+46${digits()}`,
    personalIdentityNumber: `19${digits()}${digits().slice(0, 1)}`, note: `canary-note-${tag} for the client centre`,
  };
  return { ...value, needles: [value.familyName, value.givenName, value.phone, value.personalIdentityNumber, `canary-note-${tag}`, tag] };
}

/** The canary strings found in `value` (JSON text of it unless it is a string). */
export function canariesIn(value: unknown, canaries: readonly Canary[]): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return canaries.flatMap((c) => c.needles).filter((needle) => text.includes(needle));
}

export interface MemoryLog {
  logger: pino.Logger;
  text(): string;
}

/** A pino logger at debug level writing its JSON lines into memory. */
export function memoryLogger(): MemoryLog {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'debug', base: { service: 'careslot' } }, stream), text: () => chunks.join('') };
}

// ---------------------------------------------------------------------------------------------
// Network stand-ins for a sharing server

export interface Stoppable {
  url: string;
  close(): Promise<void>;
}

function listenOnLoopback(server: NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: NetServer, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never answers. */
export async function startHangingServer(): Promise<Stoppable> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server, sockets) };
}

/** An HTTP server answering every request with the given status and body. */
export async function startHttpStub(status: number, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Stoppable> {
  const sockets = new Set<Socket>();
  const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, headers);
      response.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server as unknown as NetServer);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server as unknown as NetServer, sockets) };
}

export type ProxyMode = 'pass' | 'hold' | 'blackhole' | 'refuse' | 'stall';

export interface Proxy extends Stoppable {
  /**
   * pass: forwards both ways. hold: forwards requests, keeps the answers until release() (a
   * sharing server that works but answers late). blackhole: open connections are cut, new ones
   * accepted and never forwarded (a server that never answers). refuse: open connections are cut,
   * new ones closed at once (a server that is down, while the test still reaches it directly).
   * stall: open connections are left alone, new ones accepted and never answered, and they stay
   * so whatever the mode becomes (a server that hangs), until unstall().
   */
  setMode(mode: ProxyMode): void;
  release(): void;
  /** Connections accepted in stall mode that are still open. */
  stalledCount(): number;
  /** Cuts the connections accepted in stall mode (the hanging server finally drops them). */
  unstall(): void;
}

/** A TCP proxy in front of a sharing server, whose behaviour the test switches. */
export async function startProxy(targetUrl: string): Promise<Proxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const swallowed = new Set<Socket>();
  const stalled = new Set<Socket>();
  const held: Array<() => void> = [];
  let mode: ProxyMode = 'pass';
  const track = (socket: Socket, into: Set<Socket> = sockets) => {
    into.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => into.delete(socket));
  };
  const server = createNetServer((client) => {
    if (mode === 'refuse') return void client.destroy();
    if (mode === 'blackhole') return track(client, swallowed);
    if (mode === 'stall') return track(client, stalled);
    track(client);
    const upstream = netConnect(Number(target.port), target.hostname);
    track(upstream);
    client.pipe(upstream);
    const deliver = (work: () => void) => (mode === 'hold' ? held.push(work) : work());
    upstream.on('data', (chunk: Buffer) => deliver(() => { if (!client.destroyed) client.write(chunk); }));
    upstream.on('end', () => deliver(() => client.end()));
    upstream.on('close', () => deliver(() => client.destroy()));
    client.on('close', () => upstream.destroy());
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    setMode: (next) => {
      // Pooled keep-alive connections would still pass: a black hole starts from fresh connections;
      // leaving it, the connections it swallowed fail, so their clients retry through the proxy.
      if (next === 'blackhole' || next === 'refuse') for (const socket of sockets) socket.destroy();
      if (mode === 'blackhole' && next !== 'blackhole') for (const socket of swallowed) socket.destroy();
      mode = next;
    },
    release: () => {
      mode = 'pass';
      for (const work of held.splice(0)) work();
    },
    stalledCount: () => stalled.size,
    unstall: () => {
      for (const socket of stalled) socket.destroy();
    },
    close: async () => {
      for (const socket of [...swallowed, ...stalled]) socket.destroy();
      await closeServer(server, sockets);
    },
  };
}

export interface LaggingProxy extends Stoppable {
  /** Cuts every open connection (the client reconnects through the proxy). */
  cut(): void;
}

/**
 * A TCP proxy in front of a sharing server that, on WebSocket connections only, delays what the
 * client sends once the server has answered twice (the upgrade, then graphql-ws's
 * connection_ack) by `lagMs`: the connection is acknowledged at once, the subscriptions sent on it
 * reach the server `lagMs` later. HTTP connections pass as they are.
 */
export async function startLaggingProxy(targetUrl: string, lagMs: number): Promise<LaggingProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createNetServer((client) => {
    track(client);
    const upstream = netConnect(Number(target.port), target.hostname);
    track(upstream);
    let websocket: boolean | undefined;
    let answers = 0;
    // Chunks delayed by the same lag keep their order.
    const send = (chunk: Buffer) => { if (!upstream.destroyed) upstream.write(chunk); };
    client.on('data', (chunk: Buffer) => {
      websocket ??= /^upgrade:\s*websocket/im.test(chunk.toString('latin1'));
      if (!websocket || answers < 2) return send(chunk);
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(chunk);
      }, lagMs);
      timers.add(timer);
    });
    upstream.on('data', (chunk: Buffer) => {
      answers += 1;
      if (!client.destroyed) client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      return closeServer(server, sockets);
    },
  };
}

export interface Restartable {
  /** The current instance (replaced by start()). */
  server: TestServer;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A sharing server on a fixed free port that can be stopped and started again at the same URL. */
export async function startRestartable(databaseUrl: string, config: Partial<Config> = {}): Promise<Restartable> {
  const port = await freePort();
  let running: TestServer | undefined = await startServerAt({ port, databaseUrl, config });
  const handle: Restartable = {
    server: running,
    url: running.url,
    stop: async () => {
      await running?.close();
      running = undefined;
    },
    start: async () => {
      if (running) return;
      running = await startServerAt({ port, databaseUrl, config });
      handle.server = running;
    },
  };
  return handle;
}
