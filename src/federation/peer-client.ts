import type {
  PeerAvailabilityRequest, PeerBookOutcome, PeerBookRequest, PeerHoldOutcome, PeerHoldRequest, PeerCancelOutcome, PeerCancelRequest, PeerOccupancyEvent,
  PeerRescheduleOutcome, PeerRescheduleRequest, PeerScheduleAvailability, PeerShareInfo, PeerTwin,
} from './peer-protocol';

/** Why a peer call failed, named so a person can act on it. */
export type PeerFailure =
  | 'UNREACHABLE' | 'DNS' | 'TIMEOUT' | 'TLS' | 'ADDRESS_NOT_ALLOWED' | 'BAD_TOKEN' | 'REVOKED' | 'UNKNOWN_CENTRE'
  | 'INVALID_RESPONSE' | 'RESPONSE_TOO_LARGE' | 'REDIRECTED' | 'REFUSED';

export const PEER_FAILURE_MESSAGES: Record<PeerFailure, string> = {
  UNREACHABLE: 'The sharing server could not be reached at this URL',
  DNS: 'The host name of this URL does not resolve (check its spelling)',
  TIMEOUT: 'The sharing server did not answer in time',
  TLS: 'The TLS connection to the sharing server failed (certificate or protocol)',
  ADDRESS_NOT_ALLOWED: 'This URL points to an address careslot may not call',
  BAD_TOKEN: 'The sharing server does not accept this shared link token',
  REVOKED: 'The share has been revoked or its token rotated by the sharing centre',
  UNKNOWN_CENTRE: 'The token is valid, but it does not belong to this centre ID',
  INVALID_RESPONSE: 'The server at this URL does not answer like a careslot server',
  RESPONSE_TOO_LARGE: 'The sharing server answered with more data than allowed',
  REDIRECTED: 'The URL redirects elsewhere; give the sharing server\'s URL itself',
  REFUSED: 'The sharing server refused the operation in the twin\'s current state',
};

export class PeerError extends Error {
  constructor(readonly failure: PeerFailure, detail?: string) {
    super(detail ? `${PEER_FAILURE_MESSAGES[failure]} (${detail})` : PEER_FAILURE_MESSAGES[failure]);
    this.name = 'PeerError';
  }
}

export interface PeerWatch {
  close(): void;
}

/** What a live watch tells its owner. */
export interface PeerWatchListener {
  /** A change in a shared schedule (never LIVE: that is `connected`). */
  event(event: PeerOccupancyEvent & { scheduleId: string }): void;
  /** The subscription is (again) live: from now on nothing is missed; changes before may have been. */
  connected(): void;
  /** The connection dropped; the watch reconnects by itself. */
  lost(failure: PeerFailure): void;
  /** The watch is over for good (the share was revoked, the token is not accepted). */
  ended(failure: PeerFailure): void;
}

/** One sharing server as a client centre sees it: over HTTP + graphql-ws, or in-process. */
export interface PeerClient {
  share(): Promise<PeerShareInfo>;
  availability(request: PeerAvailabilityRequest): Promise<PeerScheduleAvailability[]>;
  hold(request: PeerHoldRequest): Promise<PeerHoldOutcome>;
  book(request: PeerBookRequest): Promise<PeerBookOutcome>;
  reschedule(request: PeerRescheduleRequest): Promise<PeerRescheduleOutcome>;
  cancel(request: PeerCancelRequest): Promise<PeerCancelOutcome>;
  twins(from: Date, clientReference?: string): Promise<PeerTwin[]>;
  /** Occupancy changes, reconnecting quickly and then with backoff. */
  watch(listener: PeerWatchListener): PeerWatch;
}
