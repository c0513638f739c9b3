import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';
import { notFound } from '../../platform/errors';
import type { AppointmentRow, BookingOutcome, BookingRequest, SlotProblem } from './appointment.model';
import type { AvailabilityFilter, AvailabilityRow } from './availability.model';
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
   * needs: the booking statement reads it in the same round trip. $1 is the tenant; the schedule and
   * patient come as the given parameters.
   */
  planSql(scheduleParam: string, patientParam: string): string;
  /** Books through the sharing server, with the plan the booking statement read (as JSON). */
  book(ctx: RequestContext, request: BookingRequest, plan: MirrorPlanJson): Promise<BookingOutcome>;
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

/** A mirror schedule whose sharing server did not answer: named, with why, instead of left out. */
export interface UnavailableSchedule {
  scheduleId: string;
  linkId: string;
  status: ShareLinkStatus;
  problem: string;
}

/** The agenda of mirror schedules, from their sharing servers. */
export interface MirrorAvailability {
  availability(ctx: RequestContext, mirrors: AvailabilityRow[], filter: AvailabilityFilter): Promise<{ schedules: AvailabilityRow[]; unavailable: UnavailableSchedule[] }>;
}

/** For a server's own sharing side: a share lends only schedules of its own, never a mirror of someone else's. */
export const OWN_SCHEDULES_ONLY: MirrorBooking & MirrorAppointments = {
  planSql: () => 'SELECT WHERE false',
  book: () => Promise.reject(notFound('Schedule')),
  onCancelled: () => Promise.resolve(),
  reschedule: () => Promise.resolve({ kind: 'NOT_BOOKABLE_THROUGH_SHARE' }),
};
