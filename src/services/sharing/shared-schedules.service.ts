import { actorOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { PEER_FAILURE_MESSAGES, PeerError, type PeerFailure } from '../../federation/peer-client';
import type { PeerConnector } from './peer-connector';
import type { PeerPatient } from '../../federation/peer-protocol';
import { AppError, ErrorCode, conflict, notFound } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { publishAgendaChangeAfterCommit } from '../scheduling/appointment-events';
import type { AppointmentRow, BookingOutcome, BookingRequest, HoldOutcome } from '../scheduling/appointment.model';
import type {
  MirrorAppointments, MirrorAvailability, MirrorBooking, MirrorHolds, MirrorPlanJson, RemoteMoveOutcome, UnavailableSchedule,
} from '../scheduling/mirror-schedules';
import { holderOf } from '../scheduling/holder';
import type { HoldBooking, ReleasedHold } from '../scheduling/holds.sql';
import type { NewPatient } from '../scheduling/patient.model';
import { requestHash, uuidFrom } from '../scheduling/request-hash';
import { DuplicatePatientIdentity } from '../scheduling/scheduling-errors';
import type { AvailabilityFilter, AvailabilityRow } from '../scheduling/availability.model';
import { statusOf, type LinkHealth } from './link-health';
import { mirrorBookingPlanSql, revivePlan, sharedSchedulesRepository, type LinkWithMirrors, type LiveHold, type PeerPatientRow } from './shared-schedules.sql';

/**
 * Client centre side of a share: mirrors of the shared schedules live here, their agenda and every
 * booking decision live on the sharing server. The local record is written only after the sharing
 * server confirmed; a cancellation reaches the twin through the durable job queue.
 */
export class SharedSchedulesService implements MirrorBooking, MirrorAppointments, MirrorAvailability, MirrorHolds {
  constructor(
    private readonly connector: PeerConnector,
    private readonly bus: EventBus,
    private readonly health: LinkHealth,
    private readonly logger: Logger,
    /** How long a retry with the same key may still record an unconfirmed booking before its twin is withdrawn. */
    private readonly unconfirmedGraceSeconds: number,
  ) {}

  /**
   * The agenda of mirror schedules, asked of their sharing servers (free and occupied time only).
   * A schedule whose server does not answer is named in `unavailable` with the reason, not left out.
   */
  async availability(ctx: RequestContext, mirrors: AvailabilityRow[], filter: AvailabilityFilter): Promise<{ schedules: AvailabilityRow[]; unavailable: UnavailableSchedule[] }> {
    const linkIds = [...new Set(mirrors.map((mirror) => mirror.linkId!))];
    const withHolds = filter.showHolds === true && filter.includeSlots;
    const { links, holds } = await ctx.transaction(async (tx) => ({
      links: await sharedSchedulesRepository.linksWithMirrors(tx, linkIds),
      holds: withHolds ? await sharedSchedulesRepository.liveHolds(tx, mirrors.map((mirror) => mirror.scheduleId), filter.from, filter.to) : [],
    }));
    const answers = await Promise.all(links.map((link) => this.linkAvailability(ctx, link, mirrors, filter)));
    const schedules = answers.flatMap((answer) => answer.schedules);
    return { schedules: holds.length > 0 ? schedules.map((row) => withOwnHolds(row, holds)) : schedules, unavailable: answers.flatMap((answer) => answer.unavailable) };
  }

  /** A move in a mirror schedule, decided by the sharing server; nothing changes here (the lifecycle records a confirmed move). */
  async reschedule(ctx: RequestContext, input: { appointmentId: string; start: Date; idempotencyKey?: string }): Promise<RemoteMoveOutcome> {
    const link = await ctx.transaction((tx) => sharedSchedulesRepository.linkOfAppointment(tx, input.appointmentId));
    if (!link) throw notFound('Appointment');
    const outcome = await this.callPeer(ctx, link, () => this.connector.forLink(link).reschedule({
      clientReference: input.appointmentId, start: input.start,
      // Without a key of the caller's, the move itself is the key: the same move twice is one move.
      idempotencyKey: input.idempotencyKey ?? `move:${input.appointmentId}:${input.start.getTime()}`,
    }), 'The sharing server could not confirm the move; nothing was changed');
    if (outcome.kind === 'MOVED') return { kind: 'MOVED', start: new Date(outcome.start), end: new Date(outcome.end) };
    if (outcome.kind === 'SHARE_REFUSED') return { kind: 'NOT_BOOKABLE_THROUGH_SHARE' };
    return { kind: outcome.kind };
  }

  /**
   * A booking in a mirror schedule, decided by the sharing server; the local record is written
   * only after it confirmed. The booking statement before it found no earlier change with this key
   * and read the plan. One single-statement transaction (the record) after the peer call.
   */
  planSql(scheduleParam: string, patientParam: string): string {
    // Partners book only in the centre's own and external schedules, never in a mirror of someone else's.
    return `SELECT * FROM (${mirrorBookingPlanSql(scheduleParam, patientParam)}) mirror WHERE $21 = 'STAFF'`;
  }

  async book(ctx: RequestContext, request: BookingRequest, planJson: MirrorPlanJson): Promise<BookingOutcome> {
    const plan = revivePlan(planJson);
    const { link } = plan;
    const hash = requestHash('bookAppointment', { ...request, idempotencyKey: undefined });
    const remoteServiceId = link.services[request.serviceId];
    if (!link.schedules[request.scheduleId] || !remoteServiceId) return { kind: 'SERVICE_NOT_OFFERED' };
    const patient = patientFor(request, plan.patient);
    if (!patient) return { kind: 'PATIENT_NOT_FOUND' };

    // The twin's handle on both sides is the local appointment id; derived from the key, so a retry
    // of a request whose local write failed finds the same twin.
    const appointmentId = uuidFrom(`${ctx.tenantId}:${request.idempotencyKey}`);
    const outcome = await this.callPeer(ctx, link, () => this.connector.forLink(link).book({
      scheduleId: link.schedules[request.scheduleId], serviceId: remoteServiceId, start: request.start,
      idempotencyKey: request.idempotencyKey, clientReference: appointmentId, clientCentreName: link.clientCentreName, patient: patient.peer,
      note: request.note ?? null,
    }), 'The sharing server could not confirm the booking; nothing was booked', (failure) => AMBIGUOUS.includes(failure)
      ? ctx.transaction((tx) => sharedSchedulesRepository.enqueueUnconfirmedTwinWithdrawal(tx, link.id, appointmentId, this.unconfirmedGraceSeconds))
      : Promise.resolve());
    if (outcome.kind === 'SHARE_REFUSED') return { kind: 'NOT_BOOKABLE_THROUGH_SHARE' };
    // Only a booking on a hold can find its hold gone; a slot asked for without one is simply not ours.
    if (outcome.kind === 'HOLD_EXPIRED') return { kind: 'SLOT_UNAVAILABLE' };
    if (outcome.kind !== 'BOOKED') return { kind: outcome.kind };

    const appointment = await ctx.singleStatement(async (tx) => {
      const row = await sharedSchedulesRepository.recordConfirmedTwin(tx, {
        id: appointmentId, scheduleId: request.scheduleId, serviceId: request.serviceId, patientId: patient.id ?? null, newPatient: request.newPatient ?? null,
        startsAt: outcome.start, endsAt: outcome.end, note: request.note ?? null, remoteAppointmentId: outcome.appointmentId,
        idempotencyKey: request.idempotencyKey, requestHash: hash, centreId: link.centreId,
      }, actorOf(ctx.caller), {
        entry: { action: 'shared-booking.confirmed', entityType: 'Appointment', entityId: appointmentId, details: { linkId: link.id, remoteAppointmentId: outcome.appointmentId } },
        requestId: ctx.requestId,
      });
      if (row) publishAgendaChangeAfterCommit(tx, this.bus, row, 'CREATED');
      return row;
    });
    if (!appointment) throw new DuplicatePatientIdentity('input.newPatient.personalIdentityNumber');
    return { kind: 'BOOKED', appointment };
  }

  /**
   * A hold in a mirror schedule: the sharing server holds its twin (the share's rules, its expiry),
   * then the hold is recorded here for its holder, expiring with the twin. Nothing is held on either
   * side when the sharing server cannot be reached; a hold whose answer was lost expires there by itself.
   */
  async hold(ctx: RequestContext, request: BookingRequest, planJson: MirrorPlanJson, hash: string): Promise<HoldOutcome> {
    const { link } = revivePlan(planJson);
    const remoteServiceId = link.services[request.serviceId];
    if (!link.schedules[request.scheduleId] || !remoteServiceId) return { kind: 'SERVICE_NOT_OFFERED' };
    const holdId = uuidFrom(`${ctx.tenantId}:${request.idempotencyKey}`);
    const outcome = await this.callPeer(ctx, link, () => this.connector.forLink(link).hold({
      scheduleId: link.schedules[request.scheduleId], serviceId: remoteServiceId, start: request.start,
      idempotencyKey: request.idempotencyKey, clientReference: holdId, clientCentreName: link.clientCentreName,
    }), 'The sharing server could not confirm the hold; nothing was held');
    if (outcome.kind === 'SHARE_REFUSED') return { kind: 'NOT_BOOKABLE_THROUGH_SHARE' };
    if (outcome.kind !== 'HELD') return { kind: outcome.kind };
    const hold = await ctx.singleStatement(async (tx) => {
      const row = await sharedSchedulesRepository.recordConfirmedTwin(tx, {
        id: holdId, scheduleId: request.scheduleId, serviceId: request.serviceId, patientId: null, newPatient: null,
        startsAt: outcome.start, endsAt: outcome.end, note: null, remoteAppointmentId: outcome.holdId,
        idempotencyKey: request.idempotencyKey, requestHash: hash, centreId: link.centreId,
        hold: { expiresAt: outcome.expiresAt, heldBy: holderOf(ctx.caller) },
      }, actorOf(ctx.caller), {
        entry: { action: 'hold.placed', entityType: 'Appointment', entityId: holdId, details: { linkId: link.id, remoteHoldId: outcome.holdId } },
        requestId: ctx.requestId,
      });
      if (row) publishAgendaChangeAfterCommit(tx, this.bus, row, 'HELD');
      return row!;
    });
    return { kind: 'BOOKED', appointment: hold };
  }

  /**
   * Booking on a hold in a mirror: the sharing server books the hold's twin for the patient, then the
   * hold here becomes the appointment (`recordHere`). A booking there that cannot be recorded here
   * (its answer lost, or the hold gone here meanwhile) is withdrawn through the durable job queue.
   */
  async bookOnHold(ctx: RequestContext, request: HoldBooking, recordHere: () => Promise<HoldOutcome>): Promise<HoldOutcome> {
    const hold = await ctx.transaction((tx) => sharedSchedulesRepository.mirrorHold(
      tx, request.holdId, request.patientId ?? null, request.newPatient?.personalIdentityNumber ?? null,
    ));
    if (!hold?.plan || !hold.live || hold.heldBy !== holderOf(ctx.caller)) return { kind: 'HOLD_EXPIRED' };
    const { link } = hold.plan;
    const patient = patientFor(request, hold.plan.patient);
    if (!patient) return { kind: 'PATIENT_NOT_FOUND' };
    if (request.newPatient && hold.identityTaken) throw new DuplicatePatientIdentity('input.newPatient.personalIdentityNumber');
    const withdraw = () => ctx.transaction((tx) => sharedSchedulesRepository.enqueueUnconfirmedTwinWithdrawal(tx, link.id, hold.id, this.unconfirmedGraceSeconds));
    const outcome = await this.callPeer(ctx, link, () => this.connector.forLink(link).book({
      holdId: hold.remoteAppointmentId, scheduleId: link.schedules[hold.scheduleId], serviceId: link.services[hold.serviceId], start: hold.startsAt,
      idempotencyKey: request.idempotencyKey, clientReference: hold.id, clientCentreName: link.clientCentreName, patient: patient.peer, note: request.note ?? null,
    }), 'The sharing server could not confirm the booking; the hold still holds the slot until it expires', (failure) => AMBIGUOUS.includes(failure) ? withdraw() : Promise.resolve());
    if (outcome.kind === 'SHARE_REFUSED') return { kind: 'NOT_BOOKABLE_THROUGH_SHARE' };
    if (outcome.kind !== 'BOOKED') return { kind: outcome.kind };
    try {
      const recorded = await recordHere();
      if (recorded.kind !== 'BOOKED') await withdraw();
      return recorded;
    } catch (error) {
      await withdraw();
      throw error;
    }
  }

  /** In the releasing transaction: the twin's release is queued durably, retried until done (or until it expired there). */
  async onReleased(tx: Tx, hold: ReleasedHold): Promise<void> {
    await sharedSchedulesRepository.enqueueTwinRelease(tx, hold.linkId!, hold.id);
  }

  /** In the cancelling transaction: the twin's cancellation is queued durably, retried until done. */
  async onCancelled(tx: Tx, appointment: AppointmentRow): Promise<void> {
    if (appointment.remoteAppointmentId) await sharedSchedulesRepository.enqueueTwinCancellation(tx, appointment.id, appointment.cancellationText);
  }

  private async linkAvailability(
    ctx: RequestContext, link: LinkWithMirrors, mirrors: AvailabilityRow[], filter: AvailabilityFilter,
  ): Promise<{ schedules: AvailabilityRow[]; unavailable: UnavailableSchedule[] }> {
    const mirrorOf = new Map(Object.entries(link.schedules).map(([mirrorId, remoteId]) => [remoteId, mirrorId]));
    const wanted = mirrors.filter((mirror) => mirror.linkId === link.id).map((mirror) => mirror.scheduleId);
    const unavailable = (failure: PeerFailure): UnavailableSchedule[] => wanted.map((scheduleId) => ({
      scheduleId, linkId: link.id, source: 'CARESLOT', status: statusOf({ ok: false, failure }), problem: PEER_FAILURE_MESSAGES[failure],
    }));
    // A revoked share stays revoked: no call, the answer is known.
    if (link.status === 'REVOKED') return { schedules: [], unavailable: unavailable('REVOKED') };
    try {
      const remote = await this.connector.forLink(link).availability({
        from: filter.from, to: filter.to, includeSlots: filter.includeSlots,
        serviceId: filter.serviceId ? link.services[filter.serviceId] : undefined,
      });
      void this.health.report(ctx.tenantId, link, { ok: true });
      const wantedIds = new Set(wanted);
      return {
        schedules: remote
          .filter((schedule) => wantedIds.has(mirrorOf.get(schedule.scheduleId) ?? ''))
          .map((schedule) => ({ ...schedule, scheduleId: mirrorOf.get(schedule.scheduleId)!, linkId: link.id, external: false, source: 'CARESLOT' as const })),
        unavailable: [],
      };
    } catch (error) {
      // One unreachable sharing server must not take the client's own agenda down: its schedules are named as unavailable.
      if (!(error instanceof PeerError)) throw error;
      this.logger.warn({ linkId: link.id, failure: error.failure }, 'shared availability unavailable');
      void this.health.report(ctx.tenantId, link, { ok: false, failure: error.failure });
      return { schedules: [], unavailable: unavailable(error.failure) };
    }
  }

  /** A peer call whose outcome is also the link's health; its failures as the client's caller reads them. */
  private async callPeer<T>(
    ctx: RequestContext, link: LinkWithMirrors, call: () => Promise<T>, unavailableMessage: string,
    onFailure: (failure: PeerFailure) => Promise<void> = () => Promise.resolve(),
  ): Promise<T> {
    try {
      const result = await call();
      void this.health.report(ctx.tenantId, link, { ok: true });
      return result;
    } catch (error) {
      if (!(error instanceof PeerError)) throw error;
      void this.health.report(ctx.tenantId, link, { ok: false, failure: error.failure });
      await onFailure(error.failure);
      if (error.failure === 'REVOKED' || error.failure === 'BAD_TOKEN') {
        throw new AppError(ErrorCode.SHARE_LINK_REJECTED, 'The sharing centre no longer accepts this link (revoked or rotated token)', { failure: error.failure });
      }
      // The sharing server answered, and refused: the twin's state there does not allow it (as a local change would answer).
      if (error.failure === 'REFUSED') throw conflict('The sharing centre refused: the appointment cannot be changed in its current state there', { failure: error.failure });
      throw new AppError(ErrorCode.REMOTE_UNAVAILABLE, unavailableMessage, { failure: error.failure });
    }
  }
}

/** The clinic's own holds in a mirror, which its sharing server reports as OCCUPIED: HELD, until their expiry, to the clinic's staff. */
function withOwnHolds(row: AvailabilityRow, holds: LiveHold[]): AvailabilityRow {
  const own = holds.filter((hold) => hold.scheduleId === row.scheduleId);
  if (own.length === 0 || !row.slots) return row;
  return {
    ...row,
    slots: row.slots.map((slot) => {
      const [start, end, state] = slot;
      if (state !== 'OCCUPIED') return slot;
      // Instants are compared as instants: the sharing server may write them otherwise than this one.
      const until = own.filter((hold) => Date.parse(hold.start) < Date.parse(end) && Date.parse(hold.end) > Date.parse(start))
        .map((hold) => hold.expiresAt).sort().at(-1);
      return until ? [start, end, 'HELD', until] : slot;
    }),
  };
}

/** The patient as the sharing centre is told of them: a new one as given, or the chosen one as stored. */
function patientFor(request: { newPatient?: NewPatient }, stored: PeerPatientRow | null): { id?: string; peer: PeerPatient } | undefined {
  if (request.newPatient) return { peer: request.newPatient };
  if (!stored) return undefined;
  return {
    id: stored.id,
    peer: { familyName: stored.familyName, givenName: stored.givenName, patronymic: stored.patronymic, phone: stored.phone, personalIdentityNumber: stored.personalIdentityNumber },
  };
}

/** Failures after which the sharing server may have booked without our hearing of it. */
const AMBIGUOUS: readonly PeerFailure[] = ['TIMEOUT', 'UNREACHABLE', 'INVALID_RESPONSE', 'RESPONSE_TOO_LARGE'];
