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

/** One booking system's protocol, as a connection test. */
export interface BookingSystemConnector {
  code: BookingSystemCode;
  /** Really connects with these fields (all required ones present): success, or what is wrong. */
  test(fields: ConnectionFields): Promise<ConnectionTest>;
}

/** A saved connection's fields, the API key unsealed: what an external schedule's calls need. */
export type SavedFields = ConnectionFields;

/** One slot of an external schedule; instants as UTC text (`YYYY-MM-DDThh:mm:ssZ`), as availability writes them. */
export interface ExternalSlot {
  start: string;
  end: string;
  free: boolean;
  /** SMART Scheduling Links: where the patient books this slot at the publisher. */
  bookingLink: string | null;
  /** The slot's id in the system (a FHIR Slot), when booking needs it. */
  ref: string | null;
}

export type SlotsAnswer = { ok: true; slots: ExternalSlot[] } | { ok: false; problem: ConnectionProblem };

/** What the booking system is told of a booking: our appointment's id (the idempotency key there) and whom it is for. */
export interface ExternalBookingRequest {
  start: Date;
  reference: string;
  patient: { familyName: string; givenName: string; phone: string | null; personalIdentityNumber: string | null };
  note: string | null;
}

export type ExternalBookingAnswer =
  | { kind: 'BOOKED'; ref: string; start: string; end: string }
  /** A read-only publisher: the patient books at this link. */
  | { kind: 'BOOK_AT_LINK'; bookingLink: string }
  | { kind: 'SLOT_UNAVAILABLE' | 'OFF_SLOT_GRID' }
  /** The call failed; `ambiguous` when the system may have booked without our hearing of it. */
  | { kind: 'PROBLEM'; problem: ConnectionProblem; ambiguous: boolean };

/** A booking system whose agenda stands as an external schedule here (FHIR R4, SMART Scheduling Links). */
export interface ExternalScheduleConnector extends BookingSystemConnector {
  /** Free and busy slots starting in [from, to). */
  slots(fields: SavedFields, from: Date, to: Date): Promise<SlotsAnswer>;
  /** Books the slot starting at `start`, idempotently by the request's reference; or where to book it. */
  book(fields: SavedFields, request: ExternalBookingRequest): Promise<ExternalBookingAnswer>;
  /** Cancels a booking made through `book` (by our reference); true once it is cancelled there (or gone). */
  cancel(fields: SavedFields, reference: string): Promise<{ ok: true } | { ok: false; problem: ConnectionProblem }>;
}

/** Instants as availability writes them: UTC to the second. */
export const utcText = (instant: Date | string): string => new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');
