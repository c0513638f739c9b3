import type { PeerShareInfo } from '../../../federation/peer-protocol';
import type { BookingSystemCode, ConnectionFields } from '../booking-systems';
import type { ConnectionProblem } from '../connection-problems';

/** What a successful test learned about the other side, for the admin to recognise it. */
export interface ConnectionFound {
  /** The name the system gives the location or schedule. */
  remoteName: string | null;
  /** A careslot server's share (a careslot connection is saved as a share link, with mirrors of it). */
  share?: PeerShareInfo;
}

export type ConnectionTest = { ok: true; found: ConnectionFound } | { ok: false; problem: ConnectionProblem };

/** One booking system's protocol, as a connection test and (later) its availability and bookings. */
export interface BookingSystemConnector {
  code: BookingSystemCode;
  /** Really connects with these fields (all required ones present): success, or what is wrong. */
  test(fields: ConnectionFields): Promise<ConnectionTest>;
}
