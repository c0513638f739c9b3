import { actorOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { AppointmentStatus } from '../../entities';
import type { EventBus } from '../../events/event-bus';
import { conflict, notFound } from '../../platform/errors';
import { AGENDA_WRITERS, requireStaffRole } from '../common/access';
import { publishAgendaChangeAfterCommit } from './appointment-events';
import type { AppointmentRow, SlotProblem } from './appointment.model';
import { appointmentsRepository } from './appointments.sql';
import type { ChangeKey, ChangeStatementResult } from './appointment-changes.sql';
import { runConfirmedMove, runReschedule, runStatusChange } from './appointment-changes.sql';
import { RESCHEDULABLE, statusesLeadingTo } from './appointment-state-machine';
import { SLOT_PROBLEMS } from './booking.service';
import { replayPriorChange, type PriorChange } from './idempotency';
import { PG_ERRORS, pgErrorCode } from '../../db/pg-errors';
import { requestHash } from './request-hash';
import { raceLost } from './scheduling-errors';
import type { MirrorAppointments } from './mirror-schedules';

export type RescheduleOutcome = { kind: 'BOOKED'; appointment: AppointmentRow } | { kind: SlotProblem };

export interface StatusChangeRequest {
  appointmentId: string;
  status: AppointmentStatus;
  idempotencyKey?: string;
  cancellation?: { code: string; text?: string };
  /** PEER: the change comes from the sharing server, so nothing is sent back to it. */
  origin?: 'LOCAL' | 'PEER';
}

/** Every change after booking: reschedule and the status state machine (confirm, cancel, arrive, …). */
export class AppointmentLifecycleService {
  /** `mirrors` decides moves of, and hears cancellations in, mirror schedules (their sharing servers do). */
  constructor(private readonly bus: EventBus, private readonly mirrors: MirrorAppointments) {}

  async reschedule(ctx: RequestContext, input: { appointmentId: string; start: Date; idempotencyKey?: string }): Promise<RescheduleOutcome> {
    requireStaffRole(ctx, AGENDA_WRITERS);
    return this.rescheduleAuthorized(ctx, input);
  }

  /** For services that authorised the caller by their own rules (a peer moving its twin). */
  async rescheduleAuthorized(ctx: RequestContext, input: { appointmentId: string; start: Date; idempotencyKey?: string }): Promise<RescheduleOutcome> {
    const key = keyOf(input.idempotencyKey, 'rescheduleAppointment', input);
    let result: ChangeStatementResult;
    try {
      result = await ctx.transaction(async (tx) => {
        const outcome = await runReschedule(tx, { ...input, allowedFrom: RESCHEDULABLE }, key, actorOf(ctx.caller));
        if (outcome.appointment) publishAgendaChangeAfterCommit(tx, this.bus, outcome.appointment, 'CHANGED', outcome.previous ?? undefined);
        return outcome;
      });
    } catch (error) {
      const prior = await this.concurrentTwin(ctx, key, error);
      if (prior) return { kind: 'BOOKED', appointment: await this.replay(ctx, prior, key.requestHash!) };
      // The slot was taken meanwhile (or concurrent moves onto overlapping times deadlocked: the loser's was).
      if (raceLost(error) === 'SLOT') return { kind: 'SLOT_UNAVAILABLE' };
      throw error;
    }
    if (result.prior) return { kind: 'BOOKED', appointment: await this.replay(ctx, result.prior, key.requestHash!) };
    if (!result.found) throw notFound('Appointment');
    if (result.problem === 'ILLEGAL_TRANSITION') {
      const prior = await this.concurrentTwin(ctx, key);
      if (prior) return { kind: 'BOOKED', appointment: await this.replay(ctx, prior, key.requestHash!) };
      throw illegalTransition(result.currentStatus!, 'rescheduled');
    }
    if (result.problem === 'REMOTE') return this.rescheduleRemotely(ctx, input, key);
    if (result.problem) return { kind: SLOT_PROBLEMS[result.problem] };
    return { kind: 'BOOKED', appointment: result.appointment! };
  }

  /**
   * A move another server decided (the sharing server moved a twin): the record takes its times.
   * Undefined when nothing changed (the times were these already, or the record is past moving).
   */
  async applyConfirmedMove(
    ctx: RequestContext, move: { appointmentId: string; start: Date; end: Date }, key: ChangeKey = { idempotencyKey: null, requestHash: null },
  ): Promise<AppointmentRow | undefined> {
    const result = await ctx.transaction(async (tx) => {
      const outcome = await runConfirmedMove(tx, { ...move, allowedFrom: RESCHEDULABLE }, key, actorOf(ctx.caller));
      if (outcome.appointment) publishAgendaChangeAfterCommit(tx, this.bus, outcome.appointment, 'CHANGED', outcome.previous ?? undefined);
      return outcome;
    });
    if (result.prior) return this.replay(ctx, result.prior, key.requestHash!);
    return result.appointment ?? undefined;
  }

  /** A move in a shared schedule's mirror: the sharing server decides; the record follows once it confirmed. */
  private async rescheduleRemotely(ctx: RequestContext, input: { appointmentId: string; start: Date; idempotencyKey?: string }, key: ChangeKey): Promise<RescheduleOutcome> {
    const outcome = await this.mirrors.reschedule(ctx, input);
    if (outcome.kind !== 'MOVED') return outcome;
    const appointment = await this.applyConfirmedMove(ctx, { appointmentId: input.appointmentId, start: outcome.start, end: outcome.end }, key);
    return { kind: 'BOOKED', appointment: appointment ?? (await this.current(ctx, input.appointmentId)) };
  }

  private async current(ctx: RequestContext, appointmentId: string): Promise<AppointmentRow> {
    const [row] = await ctx.transaction((tx) => appointmentsRepository.findByIds(tx, [appointmentId]));
    if (!row) throw notFound('Appointment');
    return row;
  }

  async changeStatus(ctx: RequestContext, request: StatusChangeRequest): Promise<AppointmentRow> {
    requireStaffRole(ctx, AGENDA_WRITERS);
    return this.changeStatusAuthorized(ctx, request);
  }

  /** For services that authorised the caller by their own rules (a peer cancelling its twin). */
  async changeStatusAuthorized(ctx: RequestContext, request: StatusChangeRequest): Promise<AppointmentRow> {
    const key = keyOf(request.idempotencyKey, 'changeAppointmentStatus', request);
    let result: ChangeStatementResult;
    try {
      result = await ctx.transaction(async (tx) => {
      const outcome = await runStatusChange(tx, {
        appointmentId: request.appointmentId, to: request.status, allowedFrom: statusesLeadingTo(request.status), cancellation: request.cancellation,
      }, key, actorOf(ctx.caller));
      if (outcome.appointment) {
        const cancelled = request.status === 'CANCELLED';
        if (cancelled && request.origin !== 'PEER') await this.mirrors.onCancelled(tx, outcome.appointment);
        publishAgendaChangeAfterCommit(tx, this.bus, outcome.appointment, cancelled ? 'CANCELLED' : 'CHANGED');
      }
      return outcome;
      });
    } catch (error) {
      const prior = await this.concurrentTwin(ctx, key, error);
      if (prior) return this.replay(ctx, prior, key.requestHash!);
      throw error;
    }
    if (result.prior) return this.replay(ctx, result.prior, key.requestHash!);
    if (!result.found) throw notFound('Appointment');
    if (result.problem) {
      const prior = await this.concurrentTwin(ctx, key);
      if (prior) return this.replay(ctx, prior, key.requestHash!);
      throw illegalTransition(result.currentStatus!, `set to ${request.status}`);
    }
    return result.appointment!;
  }

  /**
   * A concurrent request with the same key got there first: the statement's snapshot could not see
   * its change, but the row lock (or the key's unique index) told us something happened meanwhile.
   */
  private async concurrentTwin(ctx: RequestContext, key: { idempotencyKey: string | null }, error?: unknown): Promise<{ appointmentId: string; requestHash: string } | undefined> {
    if (!key.idempotencyKey) return undefined;
    if (error !== undefined && pgErrorCode(error) !== PG_ERRORS.UNIQUE_VIOLATION) return undefined;
    return ctx.transaction((tx) => appointmentsRepository.changeByKey(tx, key.idempotencyKey!));
  }

  private replay(ctx: RequestContext, prior: PriorChange, hash: string): Promise<AppointmentRow> {
    return replayPriorChange(ctx, prior, hash);
  }

}

function keyOf(idempotencyKey: string | undefined, operation: string, input: object): { idempotencyKey: string | null; requestHash: string | null } {
  if (!idempotencyKey) return { idempotencyKey: null, requestHash: null };
  return { idempotencyKey, requestHash: requestHash(operation, { ...input, idempotencyKey: undefined }) };
}

function illegalTransition(from: AppointmentStatus, what: string) {
  return conflict(`An appointment that is ${from} cannot be ${what}`, { reason: 'ILLEGAL_TRANSITION', currentStatus: from });
}
