import { actorOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { badInput, conflict, notFound } from '../../platform/errors';
import { publishAgendaChangeAfterCommit } from './appointment-events';
import type { BookInput, BookingOutcome, BookingRequest, HoldOutcome, PartnerRefusal, SlotProblem } from './appointment.model';
import type { HoldsService } from './holds.service';
import { appointmentsRepository } from './appointments.sql';
import { idempotencyConflict, replayPriorChange, type PriorChange } from './idempotency';
import { holderOf } from './holder';
import { holdsRepository } from './holds.sql';
import { DuplicatePatientIdentity, raceLost } from './scheduling-errors';
import { bookingStatement, runBookingStatement, type BookingStatement } from './booking.sql';
import { bookingDoorOf } from './booking-door';
import type { MirrorBooking } from './mirror-schedules';
import { requestHash } from './request-hash';

/** SQL verdicts → the typed outcomes clients switch on. */
export const SLOT_PROBLEMS: Record<string, SlotProblem> = {
  SERVICE_NOT_OFFERED: 'SERVICE_NOT_OFFERED',
  PATIENT_NOT_FOUND: 'PATIENT_NOT_FOUND',
  IN_THE_PAST: 'IN_THE_PAST',
  OFF_GRID: 'OFF_SLOT_GRID',
  OUTSIDE_HOURS: 'OUTSIDE_OPENING_HOURS',
};

/** The doors' refusals that are results: a share's, and a partner's (seed 001). */
const DOOR_REFUSALS: Record<string, SlotProblem | PartnerRefusal> = {
  NOT_BOOKABLE_THROUGH_SHARE: 'NOT_BOOKABLE_THROUGH_SHARE',
  SERVICE_NOT_ACTIVATED_FOR_PARTNER: 'SERVICE_NOT_ACTIVATED_FOR_PARTNER',
  CENTRE_OFFLINE: 'CENTRE_OFFLINE',
};

/** The door's refusals that are errors rather than results: the partner named is not there to act for. */
const PARTNER_ERRORS: Record<string, () => Error> = {
  PARTNER_NOT_FOUND: () => notFound('Partner'),
  PARTNER_INACTIVE: () => conflict('The partner is inactive: it books nothing until an ADMIN activates it again', { field: 'input.partnerId' }),
};

export class BookingService {
  private readonly statement: BookingStatement;

  /** `mirrors` books in mirror schedules, asked when the booking statement found one (with its plan, read in the same round trip). */
  constructor(private readonly bus: EventBus, private readonly mirrors: MirrorBooking, private readonly holds: HoldsService, private readonly holdSeconds = 300) {
    this.statement = bookingStatement((schedule, patient) => mirrors.planSql(schedule, patient));
  }

  /**
   * Books one appointment, for every door (local staff, staff for a partner, partner user, partner
   * app, peer through a share): the caller decides the door, and the door's policy is checked in
   * the booking statement. The database decides: the exclusion constraint refuses overlaps however
   * many servers race, and a repeated idempotency key returns the first booking.
   */
  async book(ctx: RequestContext, request: BookingRequest): Promise<BookingOutcome> {
    if ((request.patientId == null) === (request.newPatient == null)) {
      throw badInput([{ field: 'input.patientId', problems: ['give exactly one of patientId and newPatient'] }]);
    }
    // Only a hold's replay answers HOLD_EXPIRED, and a booking never replays as one.
    return this.place(ctx, request, 'CREATED') as Promise<BookingOutcome>;
  }

  /** A client's booking: on its hold (HoldsService), or of a slot (book). */
  async bookInput(ctx: RequestContext, input: BookInput): Promise<HoldOutcome> {
    const { holdId, scheduleId, serviceId, start, ...rest } = input;
    if (holdId) {
      if (scheduleId || serviceId || start) throw badInput([{ field: 'input.holdId', problems: ['give holdId, or scheduleId, serviceId and start: not both'] }]);
      // The caller must still open the door it asks for (a user who lost PARTNER_BOOKING is refused); the hold keeps the door it was placed through.
      bookingDoorOf(ctx.caller, input.partnerId);
      return this.holds.book(ctx, { holdId, patientId: rest.patientId, newPatient: rest.newPatient, note: rest.note, anonymous: rest.anonymous, idempotencyKey: rest.idempotencyKey });
    }
    if (!scheduleId || !serviceId || !start) throw badInput([{ field: 'input.scheduleId', problems: ['give scheduleId, serviceId and start, or holdId'] }]);
    return this.book(ctx, { ...rest, scheduleId, serviceId, start });
  }

  /**
   * Holds a slot for its holder (seed 001's "Start the reservation"): the same door, checks and
   * statement as a booking, written as a HELD row without a patient that expires after
   * `holdSeconds` (audited: the audit tells a gone hold from one never placed). In a shared
   * schedule's mirror the sharing server holds the slot (its rules, its expiry) and the hold is recorded here after.
   */
  async hold(ctx: RequestContext, request: Omit<BookingRequest, 'patientId' | 'newPatient' | 'note' | 'anonymous'>): Promise<HoldOutcome> {
    return this.place(ctx, { ...request, holdSeconds: this.holdSeconds, audit: { action: 'hold.placed', details: {} } }, 'HELD');
  }

  private async place(ctx: RequestContext, request: BookingRequest, event: 'CREATED' | 'HELD'): Promise<HoldOutcome> {
    const door = bookingDoorOf(ctx.caller, request.partnerId);
    const hash = requestHash(event === 'HELD' ? 'holdSlot' : 'bookAppointment', { ...request, idempotencyKey: undefined, audit: undefined });
    try {
      // The booking statement is the whole transaction: scope, statement and commit in one round trip.
      const result = await ctx.singleStatement(async (tx) => {
        const outcome = await runBookingStatement(tx, this.statement, request, door, actorOf(ctx.caller), hash, ctx.requestId);
        if (outcome.appointment) publishAgendaChangeAfterCommit(tx, this.bus, outcome.appointment, event);
        return outcome;
      });
      if (result.prior) return event === 'HELD' ? this.replayHold(ctx, result.prior, hash) : this.replay(ctx, result.prior, hash);
      if (!result.scheduleFound) {
        const plan = result.mirrorPlan;
        if (!plan) throw notFound('Schedule');
        // A schedule of another system whose plan found a refusal here (the door, the service, the patient, the time): answered as a local one.
        if (typeof plan.problem === 'string') return refusalOf(plan.problem);
        return event === 'HELD' ? await this.mirrors.hold(ctx, request, plan, hash) : await this.mirrors.book(ctx, request, plan);
      }
      if (result.problem) return refusalOf(result.problem);
      return { kind: 'BOOKED', appointment: result.appointment! };
    } catch (error) {
      const lost = raceLost(error);
      if (!lost) throw error;
      // A concurrent request with the same key may have won the race: it is then a replay, not a conflict.
      const prior = await ctx.transaction((tx) => appointmentsRepository.changeByKey(tx, request.idempotencyKey));
      if (prior) return event === 'HELD' ? this.replayHold(ctx, prior, hash) : this.replay(ctx, prior, hash);
      if (lost === 'SLOT') return { kind: 'SLOT_UNAVAILABLE' };
      if (lost === 'PATIENT_IDENTITY') throw new DuplicatePatientIdentity('input.newPatient.personalIdentityNumber');
      if (lost === 'CLIENT_REFERENCE') throw conflict('This client reference already has a booking through this share', { field: 'input.clientReference' });
      throw error;
    }
  }

  private async replay(ctx: RequestContext, prior: PriorChange, hash: string): Promise<BookingOutcome> {
    return { kind: 'BOOKED', appointment: await replayPriorChange(ctx, prior, hash) };
  }

  /** The same key gives the same hold while it holds; once it expired (or was released or booked) it holds nothing. */
  private async replayHold(ctx: RequestContext, prior: PriorChange, hash: string): Promise<HoldOutcome> {
    if (prior.requestHash !== hash) throw idempotencyConflict();
    const hold = await ctx.transaction((tx) => holdsRepository.liveHold(tx, prior.appointmentId, holderOf(ctx.caller)));
    return hold ? { kind: 'BOOKED', appointment: hold } : { kind: 'HOLD_EXPIRED' };
  }
}

/** A problem the booking statement (or a remote schedule's plan) named, as its typed answer or its error. */
function refusalOf(problem: string): HoldOutcome {
  const error = PARTNER_ERRORS[problem];
  if (error) throw error();
  return { kind: DOOR_REFUSALS[problem] ?? SLOT_PROBLEMS[problem] };
}
