import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { OutboundGuard } from './outbound-guard';
import { PeerError, type PeerClient, type PeerFailure, type PeerWatch, type PeerWatchListener } from './peer-client';
import type { PeerHttpTransport } from './peer-http-transport';
import { PEER_AVAILABILITY, PEER_BOOK, PEER_CANCEL, PEER_HOLD, PEER_OCCUPANCY, PEER_RESCHEDULE, PEER_SHARE, PEER_TWINS } from './peer-documents';
import type {
  PeerAvailabilityRequest, PeerBookOutcome, PeerBookRequest, PeerCancelOutcome, PeerHoldOutcome, PeerHoldRequest, PeerCancelRequest, PeerOccupancyEvent,
  PeerRescheduleOutcome, PeerRescheduleRequest, PeerScheduleAvailability, PeerShareInfo, PeerTwin, ShareRefusal, SlotProblem,
} from './peer-protocol';

export interface HttpPeerOptions {
  baseUrl: string;
  token: string;
  guard: OutboundGuard;
  /** Kept-alive connections to peers, shared by every client of one server. */
  transport: PeerHttpTransport;
  timeoutMs: number;
  maxResponseBytes: number;
}

type Interval = { start: string; end: string };

type BookingAnswer = { __typename: string; appointmentId?: string; holdId?: string; start?: string; end?: string; expiresAt?: string; reason?: ShareRefusal };

/** The sharing server closed the socket because the token is not (or no longer) accepted. */
const isRefusal = (event: unknown): boolean => (event as { code?: number } | undefined)?.code === 4403;

const KEEP_ALIVE_MS = 10_000;

/** The ws client with a deadline on its HTTP upgrade (graphql-ws's own deadline starts only once the socket is open). */
function webSocketWithHandshakeDeadline(handshakeTimeout: number): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout });
    }
  } as typeof WebSocket;
}

/** 0 to 500 ms for the first retry, then doubling, with jitter, at most 15 s. */
export function reconnectDelayMs(retries: number): number {
  return Math.min(15_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2);
}

/** A booking (or a move) as the sharing server answered it. */
function outcomeOf(result: BookingAnswer): PeerBookOutcome {
  if (result.__typename === 'PeerBooking') return { kind: 'BOOKED', appointmentId: result.appointmentId!, start: result.start!, end: result.end! };
  if (result.__typename === 'ShareRefused') return { kind: 'SHARE_REFUSED', reason: result.reason! };
  const problem = FAILURE_TYPES[result.__typename];
  if (!problem) throw new PeerError('INVALID_RESPONSE', `unknown result ${result.__typename}`);
  return { kind: problem };
}

const FAILURE_TYPES: Record<string, SlotProblem | 'HOLD_EXPIRED'> = {
  SlotUnavailable: 'SLOT_UNAVAILABLE', OutsideOpeningHours: 'OUTSIDE_OPENING_HOURS', OffSlotGrid: 'OFF_SLOT_GRID',
  InThePast: 'IN_THE_PAST', ServiceNotOffered: 'SERVICE_NOT_OFFERED', PatientNotFound: 'PATIENT_NOT_FOUND', HoldExpired: 'HOLD_EXPIRED',
};

/** A hold as the sharing server answered it. */
function holdOutcomeOf(result: BookingAnswer): PeerHoldOutcome {
  if (result.__typename === 'PeerHold') return { kind: 'HELD', holdId: result.holdId!, start: result.start!, end: result.end!, expiresAt: result.expiresAt! };
  if (result.__typename === 'PeerBooking') throw new PeerError('INVALID_RESPONSE', 'a booking where a hold was asked for');
  return outcomeOf(result) as PeerHoldOutcome;
}

/**
 * The peer API of another careslot server: GraphQL over HTTP with a deadline, a response size cap,
 * no redirects, and the outbound address guard; occupancy over graphql-ws with reconnects.
 * The token travels only in the Authorization header / connectionParams, never in a URL or a log.
 */
export class HttpPeerClient implements PeerClient {
  private readonly endpoint: URL;

  constructor(private readonly options: HttpPeerOptions) {
    this.endpoint = new URL('/graphql', options.baseUrl);
  }

  async share(): Promise<PeerShareInfo> {
    return (await this.request<{ peerShare: PeerShareInfo }>(PEER_SHARE, {})).peerShare;
  }

  async availability(request: PeerAvailabilityRequest): Promise<PeerScheduleAvailability[]> {
    const data = await this.request<{ peerAvailability: Array<{ scheduleId: string; free: Interval[]; occupied: Interval[]; slots: Array<Interval & { state: 'FREE' | 'OCCUPIED' }> }> }>(
      PEER_AVAILABILITY, { from: request.from.toISOString(), to: request.to.toISOString(), serviceId: request.serviceId ?? null, slots: request.includeSlots },
    );
    return data.peerAvailability.map((schedule) => ({
      scheduleId: schedule.scheduleId,
      free: schedule.free.map((i) => [i.start, i.end] as [string, string]),
      occupied: schedule.occupied.map((i) => [i.start, i.end] as [string, string]),
      slots: request.includeSlots ? schedule.slots.map((s) => [s.start, s.end, s.state] as [string, string, 'FREE' | 'OCCUPIED']) : null,
    }));
  }

  async hold(request: PeerHoldRequest): Promise<PeerHoldOutcome> {
    const data = await this.request<{ peerHold: BookingAnswer }>(PEER_HOLD, { input: { ...request, start: request.start.toISOString() } });
    return holdOutcomeOf(data.peerHold);
  }

  async book(request: PeerBookRequest): Promise<PeerBookOutcome> {
    const data = await this.request<{ peerBook: BookingAnswer }>(PEER_BOOK, { input: { ...request, start: request.start.toISOString() } });
    return outcomeOf(data.peerBook);
  }

  async reschedule(request: PeerRescheduleRequest): Promise<PeerRescheduleOutcome> {
    const data = await this.request<{ peerReschedule: BookingAnswer }>(PEER_RESCHEDULE, { input: { ...request, start: request.start.toISOString() } });
    const outcome = outcomeOf(data.peerReschedule);
    if (outcome.kind === 'HOLD_EXPIRED') throw new PeerError('INVALID_RESPONSE', 'a hold\'s failure where a move was asked for');
    return outcome.kind === 'BOOKED' ? { ...outcome, kind: 'MOVED' } : outcome;
  }

  async cancel(request: PeerCancelRequest): Promise<PeerCancelOutcome> {
    return (await this.request<{ peerCancel: PeerCancelOutcome }>(PEER_CANCEL, { input: request })).peerCancel;
  }

  async twins(from: Date, clientReference?: string): Promise<PeerTwin[]> {
    return (await this.request<{ peerTwins: PeerTwin[] }>(PEER_TWINS, { from: from.toISOString(), clientReference: clientReference ?? null })).peerTwins;
  }

  /**
   * Occupancy over graphql-ws. A dropped connection is retried at once and then with backoff (the
   * first retry within half a second, doubling with jitter, at most 15 s apart), and every
   * subscription that is live again (its LIVE event) is told to the listener, which re-reads what
   * may have changed meanwhile. The upgrade and the handshake have deadlines, and a keep-alive ping
   * notices a connection that went silent, so a server that accepts but never answers is retried too.
   */
  watch(listener: PeerWatchListener): PeerWatch {
    let client: Client | undefined;
    let closed = false;
    let live = false;
    const timeoutMs = this.options.timeoutMs;
    this.options.guard.check(this.endpoint).then(() => {
      if (closed) return;
      client = createClient({
        url: this.endpoint.toString().replace(/^http/, 'ws'),
        webSocketImpl: webSocketWithHandshakeDeadline(timeoutMs),
        connectionParams: { authorization: `Bearer ${this.options.token}` },
        lazy: false,
        retryAttempts: Number.POSITIVE_INFINITY,
        retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
        connectionAckWaitTimeout: timeoutMs,
        // A connection that silently stops passing data is noticed (no pong) and replaced.
        keepAlive: KEEP_ALIVE_MS,
        shouldRetry: (event) => !isRefusal(event),
        on: {
          closed: (event) => {
            if (isRefusal(event)) return end('REVOKED');
            if (live && !closed) listener.lost('UNREACHABLE');
            live = false;
          },
        },
        onNonLazyError: () => undefined,
      });
      client.subscribe<{ peerOccupancyChanged: PeerOccupancyEvent }>({ query: PEER_OCCUPANCY }, {
        next: (message) => {
          const event = message.data?.peerOccupancyChanged;
          if (!event) return;
          // LIVE opens each subscription: from here on nothing is missed, what came before is re-read.
          if (event.kind === 'LIVE') {
            live = true;
            listener.connected();
          } else if (event.scheduleId) {
            listener.event({ ...event, scheduleId: event.scheduleId });
          }
        },
        error: () => end('REVOKED'),
        complete: () => end('REVOKED'),
      });
    }, () => end('ADDRESS_NOT_ALLOWED'));
    const end = (failure: PeerFailure): void => {
      if (closed) return;
      closed = true;
      // dispose() awaits a pending reconnect, which rejects while the server is down.
      void client?.dispose()?.catch(() => undefined);
      listener.ended(failure);
    };
    return {
      close: () => {
        closed = true;
        void client?.dispose()?.catch(() => undefined);
      },
    };
  }

  private async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const { status, body } = await this.options.transport.post({
      url: this.endpoint, timeoutMs: this.options.timeoutMs, maxResponseBytes: this.options.maxResponseBytes,
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${this.options.token}` },
      body: JSON.stringify({ query, variables }),
    });
    let payload: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }> };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      throw new PeerError('INVALID_RESPONSE', `HTTP ${status}`);
    }
    if (!payload || typeof payload !== 'object') throw new PeerError('INVALID_RESPONSE', `HTTP ${status}`);
    const error = payload.errors?.[0];
    if (error?.extensions?.code === 'UNAUTHENTICATED') throw new PeerError(error.extensions.reason === 'REVOKED' ? 'REVOKED' : 'BAD_TOKEN');
    if (error?.extensions?.code === 'CONFLICT') throw new PeerError('REFUSED');
    if (error || !payload.data) throw new PeerError('INVALID_RESPONSE', error?.extensions?.code ?? `HTTP ${status}`);
    if (Object.keys(payload.data as object).length === 0) throw new PeerError('INVALID_RESPONSE', 'empty data');
    return payload.data;
  }
}
