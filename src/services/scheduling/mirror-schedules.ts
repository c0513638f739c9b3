import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';
import { notFound } from '../../platform/errors';
import type { AppointmentRow, BookingOutcome, BookingRequest, HoldOutcome, SlotProblem } from './appointment.model';
import type { HoldBooking, ReleasedHold } from './holds.sql';
import type { AvailabilityFilter, AvailabilityRow, RemoteSource } from './availability.model';
import type { ShareLinkStatus } from '../../entities';

/**
 * Schedules that live on another server, as scheduling sees them: a schedule may be the mirror of a
 * shared schedule, and then its sharing server decides. Sharing implements these; scheduling never
 * imports sharing. The sharing side of a share, which books only in its own schedules, is given
 * OWN_SCHEDULES_ONLY.
 */
export interface MirrorBooking {
  /**
   * SQL answering one row (or none, when the schedule is no live mirror) of what booking in a mirror
   * needs: the booking statement reads it in the same round trip, for the STAFF and PARTNER doors.
   * $1 is the tenant; the schedule and patient come as the given parameters; the booking
   * statement's $3 (service), $4 (start), $21 (door) and $22 (partner) may be read. A `problem`
   * column, when not null, is the refusal answered instead of booking (the booking statement's codes).
   */
  planSql(scheduleParam: string, patientParam: string): string;
  /** Books through the sharing server, with the plan the booking statement read (as JSON). */
  book(ctx: RequestContext, request: BookingRequest, plan: MirrorPlanJson): Promise<BookingOutcome>;
  /** Holds through the sharing server (its twin expires there by itself); the hold is recorded here, with this request hash, once it confirmed. */
  hold(ctx: RequestContext, request: BookingRequest, plan: MirrorPlanJson, requestHash: string): Promise<HoldOutcome>;
}

/** Holds in mirror schedules: booked and given back through their sharing server. */
export interface MirrorHolds {
  /** The sharing server books the hold's twin; then `recordHere` turns the hold here into the appointment. */
  bookOnHold(ctx: RequestContext, request: HoldBooking, recordHere: () => Promise<HoldOutcome>): Promise<HoldOutcome>;
  /** Inside the releasing transaction: the twin's release is queued. */
  onReleased(tx: Tx, hold: ReleasedHold): Promise<void>;
}

/** The plan row as row_to_json gives it: only the side that wrote planSql reads it. */
export type MirrorPlanJson = Readonly<Record<string, unknown>>;

/** What another server decided about a move in one of its schedules (a shared schedule's mirror here). */
export type RemoteMoveOutcome = { kind: 'MOVED'; start: Date; end: Date } | { kind: SlotProblem };

/** Appointments in mirror schedules: their changes are decided by, or sent to, the sharing server. */
export interface MirrorAppointments {
  /** Inside the cancelling transaction: the twin's cancellation is queued. */
  onCancelled(tx: Tx, appointment: AppointmentRow): Promise<void>;
  /** The sharing server moves the twin, or says why not; nothing is changed here. */
  reschedule(ctx: RequestContext, input: { appointmentId: string; start: Date; idempotencyKey?: string }): Promise<RemoteMoveOutcome>;
}

/** A remote schedule whose server (a share's sharing server, an external booking system) did not answer: named, with why, instead of left out. */
export interface UnavailableSchedule {
  scheduleId: string;
  /** The share link, for a mirror; null for an external schedule. */
  linkId: string | null;
  source: RemoteSource;
  status: ShareLinkStatus;
  problem: string;
}

/** The agenda of mirror schedules, from their sharing servers. */
export interface MirrorAvailability {
  availability(ctx: RequestContext, mirrors: AvailabilityRow[], filter: AvailabilityFilter): Promise<{ schedules: AvailabilityRow[]; unavailable: UnavailableSchedule[] }>;
}

/** For a server's own sharing side: a share lends only schedules of its own, never a mirror of someone else's. */
export const OWN_SCHEDULES_ONLY: MirrorBooking & MirrorAppointments & MirrorHolds = {
  planSql: () => 'SELECT WHERE false',
  book: () => Promise.reject(notFound('Schedule')),
  hold: () => Promise.reject(notFound('Schedule')),
  bookOnHold: () => Promise.reject(notFound('Hold')),
  onReleased: () => Promise.resolve(),
  onCancelled: () => Promise.resolve(),
  reschedule: () => Promise.resolve({ kind: 'NOT_BOOKABLE_THROUGH_SHARE' }),
};
