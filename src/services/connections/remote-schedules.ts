import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';
import type { AppointmentRow, BookingOutcome, BookingRequest, HoldOutcome } from '../scheduling/appointment.model';
import type { AvailabilityFilter, AvailabilityRow } from '../scheduling/availability.model';
import type { HoldBooking, ReleasedHold } from '../scheduling/holds.sql';
import type {
  MirrorAppointments, MirrorAvailability, MirrorBooking, MirrorHolds, MirrorPlanJson, RemoteMoveOutcome, UnavailableSchedule,
} from '../scheduling/mirror-schedules';
import type { SharedSchedulesService } from '../sharing/shared-schedules.service';
import type { ExternalSchedulesService } from './external-schedules.service';
import { externalBookingPlanSql } from './external-schedules.sql';

/** The plan the booking statement read: which kind of remote schedule, its refusal if any, and its own plan. */
interface RemotePlan {
  via: 'LINK' | 'EXTERNAL';
  problem: string | null;
  /** Not named plan: the booking statement reads the whole row as `plan`. */
  detail: MirrorPlanJson;
}

/**
 * Every schedule whose agenda lives elsewhere, as scheduling sees them (seed 004: a careslot server
 * is one booking system among others, and a share link that kind of connection): a share's mirror
 * goes to its sharing server, an external schedule to the centre's booking system. One booking
 * statement, one availability path; this only says which side answers.
 */
export class RemoteSchedules implements MirrorBooking, MirrorAvailability, MirrorHolds, MirrorAppointments {
  constructor(private readonly shared: SharedSchedulesService, private readonly external: ExternalSchedulesService) {}

  planSql(scheduleParam: string, patientParam: string): string {
    return `SELECT 'LINK' AS via, NULL::text AS problem, row_to_json(link) AS detail FROM (${this.shared.planSql(scheduleParam, patientParam)}) link
            UNION ALL
            SELECT 'EXTERNAL', external.problem, row_to_json(external) FROM (${externalBookingPlanSql(scheduleParam, patientParam)}) external`;
  }

  book(ctx: RequestContext, request: BookingRequest, planJson: MirrorPlanJson): Promise<BookingOutcome> {
    const { via, detail: plan } = planJson as unknown as RemotePlan;
    return via === 'LINK' ? this.shared.book(ctx, request, plan) : this.external.book(ctx, request, plan);
  }

  /** Only a share's sharing server holds slots for us; another booking system offers no holds. */
  async hold(ctx: RequestContext, request: BookingRequest, planJson: MirrorPlanJson, requestHash: string): Promise<HoldOutcome> {
    const { via, detail: plan } = planJson as unknown as RemotePlan;
    return via === 'LINK' ? this.shared.hold(ctx, request, plan, requestHash) : { kind: 'NOT_BOOKABLE_THROUGH_SHARE' };
  }

  async availability(ctx: RequestContext, rows: AvailabilityRow[], filter: AvailabilityFilter): Promise<{ schedules: AvailabilityRow[]; unavailable: UnavailableSchedule[] }> {
    const mirrors = rows.filter((row) => row.linkId);
    const external = rows.filter((row) => row.external);
    const none = { schedules: [], unavailable: [] };
    const [fromShares, fromSystems] = await Promise.all([
      mirrors.length > 0 ? this.shared.availability(ctx, mirrors, filter) : none,
      external.length > 0 ? this.external.availability(ctx, external, filter) : none,
    ]);
    return { schedules: [...fromShares.schedules, ...fromSystems.schedules], unavailable: [...fromShares.unavailable, ...fromSystems.unavailable] };
  }

  bookOnHold(ctx: RequestContext, request: HoldBooking, recordHere: () => Promise<HoldOutcome>): Promise<HoldOutcome> {
    return this.shared.bookOnHold(ctx, request, recordHere);
  }

  onReleased(tx: Tx, hold: ReleasedHold): Promise<void> {
    return this.shared.onReleased(tx, hold);
  }

  /** A local appointment's cancellation asks nothing of either (no statement of its own). */
  async onCancelled(tx: Tx, appointment: AppointmentRow): Promise<void> {
    if (appointment.remoteAppointmentId) await this.shared.onCancelled(tx, appointment);
    else if (appointment.externalAppointmentRef) await this.external.onCancelled(tx, appointment);
  }

  reschedule(ctx: RequestContext, input: { appointmentId: string; start: Date; idempotencyKey?: string }): Promise<RemoteMoveOutcome> {
    return this.shared.reschedule(ctx, input);
  }
}
