import { actorOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { badInput, notFound } from '../../platform/errors';
import { instant, publishAgendaChangeAfterCommit } from './appointment-events';
import { publishAgendaEventAfterCommit } from '../common/agenda-topic';
import type { HoldOutcome } from './appointment.model';
import type { MirrorHolds } from './mirror-schedules';
import { appointmentsRepository } from './appointments.sql';
import { holderOf } from './holder';
import { holdsRepository, type HoldBooking } from './holds.sql';
import { idempotencyConflict, replayPriorChange } from './idempotency';
import { requestHash } from './request-hash';
import { DuplicatePatientIdentity, raceLost } from './scheduling-errors';

/**
 * Finishing and giving back holds (placing one is a booking in hold mode: BookingService.hold).
 * Only the principal that placed a hold may use it; it is read as free from its expiry on.
 */
export class HoldsService {
  /** `mirrors` books and gives back holds in mirror schedules through their sharing servers. */
  constructor(private readonly bus: EventBus, private readonly mirrors: MirrorHolds) {}

  /** The hold becomes the appointment in one statement; a gone or foreign-principal hold is HOLD_EXPIRED, an id never held NOT_FOUND. */
  async book(ctx: RequestContext, request: HoldBooking): Promise<HoldOutcome> {
    if ((request.patientId == null) === (request.newPatient == null)) {
      throw badInput([{ field: 'input.patientId', problems: ['give exactly one of patientId and newPatient'] }]);
    }
    return this.bookHere(ctx, request, requestHash('bookOnHold', { ...request, idempotencyKey: undefined }), false);
  }

  /** The booking statement on the hold; a hold in a mirror is first booked by its sharing server, then here with `remoteConfirmed`. */
  private async bookHere(ctx: RequestContext, request: HoldBooking, hash: string, remoteConfirmed: boolean): Promise<HoldOutcome> {
    try {
      const result = await ctx.singleStatement(async (tx) => {
        const outcome = await holdsRepository.bookOnHold(tx, request, actorOf(ctx.caller), hash, remoteConfirmed);
        if (outcome.appointment) publishAgendaChangeAfterCommit(tx, this.bus, outcome.appointment, 'CREATED');
        return outcome;
      });
      if (result.prior) return { kind: 'BOOKED', appointment: await replayPriorChange(ctx, result.prior, hash) };
      if (result.problem === 'REMOTE_HOLD') return await this.mirrors.bookOnHold(ctx, request, () => this.bookHere(ctx, request, hash, true));
      if (!result.holdFound) {
        if (result.wasHold) return { kind: 'HOLD_EXPIRED' };
        throw notFound('Hold');
      }
      if (result.problem === 'HOLD_EXPIRED') return { kind: 'HOLD_EXPIRED' };
      if (result.problem === 'PATIENT_NOT_FOUND') return { kind: 'PATIENT_NOT_FOUND' };
      return { kind: 'BOOKED', appointment: result.appointment! };
    } catch (error) {
      const lost = raceLost(error);
      if (lost === 'PATIENT_IDENTITY') throw new DuplicatePatientIdentity('input.newPatient.personalIdentityNumber');
      if (lost !== 'IDEMPOTENCY_KEY') throw error;
      const prior = await ctx.transaction((tx) => appointmentsRepository.changeByKey(tx, request.idempotencyKey));
      if (!prior) throw error;
      if (prior.requestHash !== hash) throw idempotencyConflict();
      return { kind: 'BOOKED', appointment: await replayPriorChange(ctx, prior, hash) };
    }
  }

  /** Gives the slot back at once. False when the hold no longer held it (expired, booked, released) or is another's. */
  async release(ctx: RequestContext, holdId: string): Promise<boolean> {
    return ctx.transaction(async (tx) => {
      const released = await holdsRepository.release(tx, holdId, holderOf(ctx.caller));
      if (released?.linkId) await this.mirrors.onReleased(tx, released);
      if (released) {
        publishAgendaEventAfterCommit(tx, this.bus, {
          centreId: released.centreId, scheduleId: released.scheduleId, appointmentId: released.id, kind: 'RELEASED',
          start: instant(released.startsAt), end: instant(released.endsAt),
        });
        return true;
      }
      if (await holdsRepository.wasHold(tx, holdId)) return false;
      throw notFound('Hold');
    });
  }
}
