import { actorOf, type PeerServerPrincipal } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import {
  PEER_OCCUPANCY_KINDS,
  type PeerAvailabilityRequest, type PeerBookOutcome, type PeerBookRequest, type PeerCancelOutcome, type PeerCancelRequest, type PeerHoldOutcome,
  type PeerHoldRequest, type PeerOccupancyEvent,
  type PeerOccupancyKind, type PeerOperations, type PeerPatient, type PeerRescheduleOutcome, type PeerRescheduleRequest, type PeerScheduleAvailability,
  type PeerShareInfo, type PeerTwin, type ShareRefusal,
} from '../../federation/peer-protocol';
import { AppError, ErrorCode, badInput, conflict, forbidden, notFound, unauthenticated } from '../../platform/errors';
import { AGENDA_TOPIC, type AgendaEvent } from '../common/agenda-topic';
import { publishAgendaChangeAfterCommit } from '../scheduling/appointment-events';
import type { AppointmentLifecycleService } from '../scheduling/appointment-lifecycle.service';
import { appointmentLoader } from '../scheduling/appointment-loaders';
import { isPartnerRefusal, type AppointmentRow, type BookingRequest, type HoldOutcome } from '../scheduling/appointment.model';
import { appointmentsRepository } from '../scheduling/appointments.sql';
import type { HoldsService } from '../scheduling/holds.service';
import { runStatusChange } from '../scheduling/appointment-changes.sql';
import { statusesLeadingTo } from '../scheduling/appointment-state-machine';
import type { BookingService } from '../scheduling/booking.service';
import { idempotencyConflict } from '../scheduling/idempotency';
import { DuplicatePatientIdentity } from '../scheduling/scheduling-errors';
import { recordAudit } from '../common/audit-log.sql';
import type { Authenticator } from '../../context/authenticator';
import { IDENTITY_TOPICS } from '../identity/identity-events';
import type { NewPatient } from '../scheduling/patient.model';
import { queryAvailability } from '../scheduling/availability.sql';
import type { AvailabilityRow } from '../scheduling/availability.model';
import { mergedTopicStream } from './merged-stream';
import { localDayOf, permittedIntervals, restrictFree, restrictSlots, timeRefusal, type Interval } from './share-restrictions';
import { isStillValid } from './share-link-verifier';
import { SHARING_TOPICS, type ShareChangedEvent } from './sharing-events';
import type { PeerShareRow } from './shares.model';
import { sharesRepository } from './shares.sql';

const DAY_MS = 86_400_000;

/** Set on a twin this side withdrew because a concurrent booking used up the share's daily quota first. */
export const QUOTA_CANCELLATION_CODE = 'SHARE_DAILY_QUOTA';
/** Set on twins the client centre cancelled through the share. */
export const CLIENT_CANCELLATION_CODE = 'CLIENT_CANCELLED';

/** What the share's rules or the schedule answer instead of a booking or a hold. */
type PeerRefusal = Exclude<PeerBookOutcome, { kind: 'BOOKED' } | { kind: 'HOLD_EXPIRED' }>;

/** The patient a twin is booked for: found here by personal identity number, or created from the client's details. */
type TwinPatient = { patientId: string; newPatient?: undefined } | { patientId?: undefined; newPatient: NewPatient };

type Prepared =
  | { kind: 'REPLAY'; share: PeerShareRow; appointmentId: string }
  | { kind: 'DONE'; outcome: PeerRefusal }
  | { kind: 'BOOK'; share: PeerShareRow; patientId: string | undefined };

/**
 * What a peer server may do through a share: the narrow peer part of careslot (docs/federation-protocol.md).
 * Every call re-checks the share (not revoked, token not rotated) and works only inside the
 * share's centre and schedules; nothing about patients, services or practitioners of other
 * appointments ever leaves: occupied time is times only.
 */
export class PeerService implements PeerOperations<RequestContext> {
  constructor(
    private readonly bus: EventBus,
    private readonly authenticator: Authenticator,
    private readonly booking: BookingService,
    private readonly holds: HoldsService,
    private readonly lifecycle: AppointmentLifecycleService,
    /** The widest availability window a peer may ask for (AVAILABILITY_MAX_DAYS). */
    private readonly maxDays: number,
  ) {}

  async share(ctx: RequestContext): Promise<PeerShareInfo> {
    const peer = peerOf(ctx);
    return ctx.transaction(async (tx) => {
      const share = await openShare(tx, peer);
      const schedules = await sharesRepository.sharedSchedules(tx, share.scheduleIds);
      const services = await sharesRepository.sharedServices(tx, share.scheduleIds, share.restrictions.allowedServiceIds);
      return {
        shareId: share.id, centreId: share.centreId, centreName: share.centreName, timeZone: share.timeZone,
        schedules: schedules.map((schedule) => ({
          id: schedule.id, name: schedule.name, slotMinutes: schedule.slotMinutes,
          services: services.filter((service) => service.scheduleId === schedule.id)
            .map(({ id, code, name, durationMinutes }) => ({ id, code, name, durationMinutes })),
        })),
        restrictions: share.restrictions,
      };
    });
  }

  /** Free time with the share's rules applied; occupied time as times only. One transaction, a few statements. */
  async availability(ctx: RequestContext, request: PeerAvailabilityRequest): Promise<PeerScheduleAvailability[]> {
    const peer = peerOf(ctx);
    this.checkWindow(request.from, request.to);
    const now = new Date();
    return ctx.transaction(async (tx) => {
      const share = await openShare(tx, peer);
      if (share.scheduleIds.length === 0) return [];
      const rules = share.restrictions;
      const serviceAllowed = request.serviceId === undefined || rules.allowedServiceIds.length === 0 || rules.allowedServiceIds.includes(request.serviceId);
      const rows = await queryAvailability(tx, {
        centreId: share.centreId, from: request.from, to: request.to, includeSlots: request.includeSlots, scheduleIds: share.scheduleIds,
        serviceId: serviceAllowed ? request.serviceId : undefined,
      });
      if (!serviceAllowed || share.offline) return rows.map((row) => occupiedOnly(row));
      const bookable = await sharesRepository.sharedServices(tx, share.scheduleIds, rules.allowedServiceIds);
      const needMinutes = request.serviceId === undefined ? null : bookable.find((service) => service.id === request.serviceId)?.durationMinutes ?? null;
      const fullDays = rules.dailyQuota === null ? [] : await sharesRepository.fullDays(
        tx, share.id, share.timeZone, new Date(request.from.getTime() - DAY_MS), new Date(request.to.getTime() + DAY_MS), rules.dailyQuota,
      );
      const permitted = permittedIntervals(rules, share.timeZone, request, now, fullDays);
      const schedulesWithServices = new Set(bookable.map((service) => service.scheduleId));
      return rows.map((row) => (schedulesWithServices.has(row.scheduleId) ? restricted(row, permitted, needMinutes) : occupiedOnly(row)));
    });
  }

  /**
   * Books the twin of a client centre's appointment: the share's rules first (typed refusals),
   * then the one booking statement with origin SHARED_CLIENT. Idempotent per share and key.
   */
  async book(ctx: RequestContext, request: PeerBookRequest): Promise<PeerBookOutcome> {
    const peer = peerOf(ctx);
    const idempotencyKey = `peer:${peer.shareId}:book:${request.idempotencyKey}`;
    if (request.holdId) return this.bookOnHold(ctx, peer, { ...request, holdId: request.holdId }, idempotencyKey);
    const prepared = await this.prepareBooking(ctx, peer, request, idempotencyKey);
    if (prepared.kind === 'DONE') return prepared.outcome;
    if (prepared.kind === 'REPLAY') return this.replayBooking(ctx, prepared.share, prepared.appointmentId, request);
    const { share, patientId } = prepared;
    // Without a quota nothing is left to decide after the booking: its audit record is written by
    // the booking statement itself (one transaction and one durable commit fewer while the client
    // server waits). Under a quota, the quota is settled and audited after the commit.
    const audit = share.restrictions.dailyQuota === null ? { action: 'peer.booked', details: { shareId: share.id } } : undefined;
    const base: BookingRequest = {
      scheduleId: request.scheduleId, serviceId: request.serviceId, start: request.start, idempotencyKey, note: request.note ?? undefined,
      twin: { clientReference: request.clientReference, clientCentreName: request.clientCentreName }, audit,
    };
    const outcome = await this.forPatient(ctx, request, patientId, (patient) => this.booking.book(ctx, { ...base, ...patient }));
    // A peer reaches only this server's own schedules (never an external one's link): anything else is the share's refusal.
    if (outcome.kind === 'NOT_BOOKABLE_THROUGH_SHARE' || outcome.kind === 'BOOK_AT_LINK' || isPartnerRefusal(outcome.kind)) return this.whyRefused(ctx, peer, request, idempotencyKey);
    if (outcome.kind !== 'BOOKED') return { kind: outcome.kind };
    const appointment = outcome.appointment;
    const kept = audit !== undefined || await ctx.transaction((tx) => this.settleQuota(ctx, tx, share, appointment, patientId === undefined));
    if (!kept) return { kind: 'SHARE_REFUSED', reason: 'DAILY_QUOTA_REACHED' };
    return { kind: 'BOOKED', appointmentId: appointment.id, start: instant(appointment.startsAt), end: instant(appointment.endsAt) };
  }

  /**
   * Holds a slot for the client centre: the share's rules as for a booking (typed refusals), then
   * the booking statement in hold mode, as the twin of the client's hold (origin SHARED_CLIENT,
   * held by the share). It expires by itself; the client books on it or cancels it. Idempotent per share and key.
   */
  async hold(ctx: RequestContext, request: PeerHoldRequest): Promise<PeerHoldOutcome> {
    const peer = peerOf(ctx);
    const idempotencyKey = `peer:${peer.shareId}:hold:${request.idempotencyKey}`;
    const prepared = await this.prepareBooking(ctx, peer, request, idempotencyKey);
    if (prepared.kind === 'DONE') return prepared.outcome;
    const outcome = await this.booking.hold(ctx, {
      scheduleId: request.scheduleId, serviceId: request.serviceId, start: request.start, idempotencyKey,
      twin: { clientReference: request.clientReference, clientCentreName: request.clientCentreName },
    });
    // A peer reaches only this server's own schedules (never an external one's link): anything else is the share's refusal.
    if (outcome.kind === 'NOT_BOOKABLE_THROUGH_SHARE' || outcome.kind === 'BOOK_AT_LINK' || isPartnerRefusal(outcome.kind)) return this.whyRefused(ctx, peer, request, idempotencyKey);
    if (outcome.kind !== 'BOOKED') return { kind: outcome.kind };
    const hold = outcome.appointment;
    return { kind: 'HELD', holdId: hold.id, start: instant(hold.startsAt), end: instant(hold.endsAt), expiresAt: instant(hold.holdExpiresAt!) };
  }

  /**
   * The client books on its hold: the hold's twin becomes the appointment (HoldsService), for the
   * patient found by identity number or created; the daily quota is settled as for a booking.
   * A hold of another client reference, or one that no longer holds, is HOLD_EXPIRED.
   */
  private async bookOnHold(
    ctx: RequestContext, peer: PeerServerPrincipal, request: PeerBookRequest & { holdId: string }, idempotencyKey: string,
  ): Promise<PeerBookOutcome> {
    const { share, twin, prior, patientId } = await ctx.transaction(async (tx) => ({
      share: await openShare(tx, peer),
      twin: await sharesRepository.twinByReference(tx, peer.shareId, request.clientReference),
      prior: await appointmentsRepository.changeByKey(tx, idempotencyKey),
      patientId: request.patient.personalIdentityNumber ? await sharesRepository.patientIdByIdentityNumber(tx, request.patient.personalIdentityNumber) : undefined,
    }));
    if (prior) return this.replayBooking(ctx, share, prior.appointmentId, request);
    if (!twin || twin.id !== request.holdId || twin.status !== 'HELD') return { kind: 'HOLD_EXPIRED' };
    const outcome = await this.forPatient(ctx, request, patientId, (patient) => this.holds.book(ctx, {
      holdId: twin.id, ...patient, note: request.note ?? undefined, idempotencyKey,
    }));
    // Booking on a hold has no door of its own to refuse: the hold's door was decided when it was placed.
    if (outcome.kind !== 'BOOKED') return { kind: isPartnerRefusal(outcome.kind) || outcome.kind === 'BOOK_AT_LINK' ? 'HOLD_EXPIRED' : outcome.kind };
    const appointment = outcome.appointment;
    const kept = await ctx.transaction(async (tx) => {
      if (share.restrictions.dailyQuota !== null) return this.settleQuota(ctx, tx, share, appointment, patientId === undefined);
      await this.auditBooked(ctx, tx, share, appointment, patientId === undefined);
      return true;
    });
    if (!kept) return { kind: 'SHARE_REFUSED', reason: 'DAILY_QUOTA_REACHED' };
    return { kind: 'BOOKED', appointmentId: appointment.id, start: instant(appointment.startsAt), end: instant(appointment.endsAt) };
  }

  /**
   * Moves the twin with this client reference: the share's rules for the new time first (typed
   * refusals), then the same reschedule statement as a local move. Idempotent per share and key.
   */
  async reschedule(ctx: RequestContext, request: PeerRescheduleRequest): Promise<PeerRescheduleOutcome> {
    const peer = peerOf(ctx);
    const { share, twin } = await ctx.transaction(async (tx) => {
      const open = await openShare(tx, peer);
      return { share: open, twin: await sharesRepository.twinByReference(tx, peer.shareId, request.clientReference) };
    });
    if (!twin) throw notFound('Appointment');
    const now = new Date();
    if (request.start.getTime() < now.getTime()) return { kind: 'IN_THE_PAST' };
    if (share.offline) return { kind: 'SHARE_REFUSED', reason: 'CENTRE_OFFLINE' };
    const end = new Date(request.start.getTime() + (twin.endsAt.getTime() - twin.startsAt.getTime()));
    const refusal = timeRefusal(share.restrictions, share.timeZone, request.start, end, now);
    if (refusal) return { kind: 'SHARE_REFUSED', reason: refusal };
    const quota = share.restrictions.dailyQuota;
    const day = localDayOf(request.start, share.timeZone);
    if (quota !== null && day !== localDayOf(twin.startsAt, share.timeZone)) {
      const booked = await ctx.transaction((tx) => sharesRepository.bookingsOnDay(tx, share.id, share.timeZone, day));
      if (booked.length >= quota) return { kind: 'SHARE_REFUSED', reason: 'DAILY_QUOTA_REACHED' };
    }
    const outcome = await this.lifecycle.rescheduleAuthorized(ctx, {
      appointmentId: twin.id, start: request.start, idempotencyKey: `peer:${peer.shareId}:move:${request.idempotencyKey}`,
    });
    if (outcome.kind !== 'BOOKED') return { kind: outcome.kind };
    return { kind: 'MOVED', appointmentId: twin.id, start: instant(outcome.appointment.startsAt), end: instant(outcome.appointment.endsAt) };
  }

  /** The caller's twins from an instant on: a client that lost its live watch reconciles with these. */
  async twins(ctx: RequestContext, from: Date, clientReference?: string): Promise<PeerTwin[]> {
    const peer = peerOf(ctx);
    return ctx.transaction(async (tx) => {
      await openShare(tx, peer);
      return sharesRepository.twinsFrom(tx, peer.shareId, from, clientReference ?? null);
    });
  }

  /** Cancels the twin with this client reference. Idempotent: a cancelled twin answers CANCELLED again. */
  async cancel(ctx: RequestContext, request: PeerCancelRequest): Promise<PeerCancelOutcome> {
    const peer = peerOf(ctx);
    const twin = await ctx.transaction(async (tx) => {
      await openShare(tx, peer);
      return sharesRepository.twinByReference(tx, peer.shareId, request.clientReference);
    });
    if (!twin) return { status: 'NOT_FOUND', appointmentId: null };
    if (twin.status === 'CANCELLED') return { status: 'CANCELLED', appointmentId: twin.id };
    // A hold not booked yet is given back: its slot is free at once, and nothing of it stays.
    if (twin.status === 'HELD') return { status: await this.holds.release(ctx, twin.id) ? 'CANCELLED' : 'NOT_FOUND', appointmentId: null };
    try {
      await this.lifecycle.changeStatusAuthorized(ctx, {
        appointmentId: twin.id, status: 'CANCELLED', idempotencyKey: `peer:${peer.shareId}:cancel:${request.idempotencyKey}`,
        cancellation: { code: CLIENT_CANCELLATION_CODE, text: request.reasonText },
      });
    } catch (error) {
      // A concurrent cancel of the same twin won the race: the outcome is the same.
      const raced = error instanceof AppError && error.code === ErrorCode.CONFLICT && error.details.currentStatus === 'CANCELLED';
      if (!raced) throw error;
      return { status: 'CANCELLED', appointmentId: twin.id };
    }
    await ctx.transaction((tx) => recordAudit(ctx, tx, {
      action: 'peer.cancelled', entityType: 'Appointment', entityId: twin.id, details: { shareId: peer.shareId, scheduleId: twin.scheduleId },
    }));
    return { status: 'CANCELLED', appointmentId: twin.id };
  }

  /**
   * Occupancy changes in the share's schedules: ids and where occupancy changed. Opens with LIVE
   * once the stream listens (so the client knows from when on nothing is missed). Ends at once when
   * the share is revoked or its token rotated (on any instance); re-checks the principal before every delivery.
   */
  async watch(ctx: RequestContext): Promise<AsyncIterableIterator<PeerOccupancyEvent>> {
    const peer = peerOf(ctx);
    const share = await ctx.transaction((tx) => openShare(tx, peer));
    let scheduleIds = new Set(share.scheduleIds);
    return mergedTopicStream<PeerOccupancyEvent>(this.bus, {
      [AGENDA_TOPIC]: async (payload) => {
        const event = payload as AgendaEvent;
        if (event.tenantId !== peer.tenantId || !event.scheduleId || !scheduleIds.has(event.scheduleId)) return [];
        const kind = OCCUPANCY_OF_HOLDS[event.kind as 'HELD' | 'RELEASED'] ?? event.kind;
        if (!isOccupancyKind(kind)) return [];
        if (!(await this.authenticator.stillValid(peer))) return 'end';
        const clientReference = event.appointmentId ? await ownReference(ctx, peer, event.appointmentId) : null;
        return [{ scheduleId: event.scheduleId, kind, clientReference, start: event.start ?? null, end: event.end ?? null }];
      },
      [IDENTITY_TOPICS.credentialRevoked]: async (payload) => {
        if ((payload as { credentialId?: string }).credentialId !== peer.shareId) return [];
        const current = await ctx.fork().transaction((tx) => sharesRepository.findCredential(tx, peer.shareId));
        return isStillValid(peer, current) ? [] : 'end';
      },
      [SHARING_TOPICS.shareChanged]: async (payload) => {
        const event = payload as ShareChangedEvent;
        if (event.tenantId !== peer.tenantId || event.shareId !== peer.shareId) return [];
        const current = await ctx.fork().transaction((tx) => sharesRepository.findForPeer(tx, peer.shareId));
        if (!current || !isStillValid(peer, current)) return 'end';
        scheduleIds = new Set(current.scheduleIds);
        return event.scheduleIds.map((scheduleId) => ({ scheduleId, kind: 'SCHEDULE_CHANGED' as const, clientReference: null, start: null, end: null }));
      },
    }, [{ scheduleId: null, kind: 'LIVE', clientReference: null, start: null, end: null }]);
  }

  /**
   * Share rules, replay detection and the patient look-up before the booking: what they read comes
   * in one statement (one round trip, its own transaction), the rules are decided here in order.
   */
  private async prepareBooking(ctx: RequestContext, peer: PeerServerPrincipal, request: PeerHoldRequest & { patient?: PeerPatient }, idempotencyKey: string): Promise<Prepared> {
    const facts = await ctx.singleStatement((tx) => sharesRepository.peerBookingFacts(tx, {
      shareId: peer.shareId, idempotencyKey, serviceId: request.serviceId, clientReference: request.clientReference,
      personalIdentityNumber: request.patient?.personalIdentityNumber ?? null, start: request.start,
    }));
    const share = facts.share;
    if (!isStillValid(peer, share)) throw closedShare(share);
    if (facts.priorAppointmentId) return { kind: 'REPLAY', share: share!, appointmentId: facts.priorAppointmentId };
    const refuse = (reason: ShareRefusal): Prepared => ({ kind: 'DONE', outcome: { kind: 'SHARE_REFUSED', reason } });
    if (share!.offline) return refuse('CENTRE_OFFLINE');
    if (!share!.scheduleIds.includes(request.scheduleId)) throw notFound('Schedule');
    const rules = share!.restrictions;
    if (rules.allowedServiceIds.length > 0 && !rules.allowedServiceIds.includes(request.serviceId)) return refuse('SERVICE_NOT_SHARED');
    if (facts.durationMinutes === null) return { kind: 'DONE', outcome: { kind: 'SERVICE_NOT_OFFERED' } };
    const now = new Date();
    if (request.start.getTime() < now.getTime()) return { kind: 'DONE', outcome: { kind: 'IN_THE_PAST' } };
    const end = new Date(request.start.getTime() + facts.durationMinutes * 60_000);
    const refusal = timeRefusal(rules, share!.timeZone, request.start, end, now);
    if (refusal) return refuse(refusal);
    if (rules.dailyQuota !== null && (facts.bookedOnDay ?? 0) >= rules.dailyQuota) return refuse('DAILY_QUOTA_REACHED');
    if (facts.referenceTaken) throw conflict('This client reference already has a booking through this share', { field: 'input.clientReference' });
    return { kind: 'BOOK', share: share!, patientId: facts.patientId ?? undefined };
  }

  /**
   * The booking statement's share door refused: the share changed after its rules were read (the
   * centre went offline, the service or schedule left the share, the share was revoked). Its rules
   * are read again for the reason the wire names; a change undone meanwhile still refuses, as offline.
   */
  private async whyRefused(ctx: RequestContext, peer: PeerServerPrincipal, request: PeerHoldRequest, idempotencyKey: string): Promise<PeerRefusal> {
    const again = await this.prepareBooking(ctx, peer, request, idempotencyKey);
    return again.kind === 'DONE' ? again.outcome : { kind: 'SHARE_REFUSED', reason: 'CENTRE_OFFLINE' };
  }

  /** The patient is found by personal identity number, or created by the booking itself (as the client described them). */
  private async forPatient(
    ctx: RequestContext, request: PeerBookRequest, patientId: string | undefined, book: (patient: TwinPatient) => Promise<HoldOutcome>,
  ): Promise<HoldOutcome> {
    if (patientId) return book({ patientId });
    try {
      return await book({ newPatient: toNewPatient(request.patient) });
    } catch (error) {
      // Another booking created a patient with this identity number meanwhile: book for that one.
      const pin = request.patient.personalIdentityNumber;
      if (!pin || !(error instanceof DuplicatePatientIdentity)) throw error;
      const existing = await ctx.transaction((tx) => sharesRepository.patientIdByIdentityNumber(tx, pin));
      if (!existing) throw error;
      return book({ patientId: existing });
    }
  }

  /**
   * After a booking under a daily quota committed: the quota decided for good. Quota checks of one
   * share and day are serialised by a lock; a booking that finds the day over quota (a concurrent
   * one passed the first check too) withdraws itself, so the quota always holds.
   */
  private async settleQuota(ctx: RequestContext, tx: Tx, share: PeerShareRow, appointment: AppointmentRow, patientCreated: boolean): Promise<boolean> {
    const quota = share.restrictions.dailyQuota!;
    const day = localDayOf(appointment.startsAt, share.timeZone);
    await sharesRepository.lockShareDay(tx, share.id, day);
    const live = await sharesRepository.bookingsOnDay(tx, share.id, share.timeZone, day);
    if (live.length > quota && live.includes(appointment.id)) {
      const withdrawn = await runStatusChange(tx, {
        appointmentId: appointment.id, to: 'CANCELLED', allowedFrom: statusesLeadingTo('CANCELLED'),
        cancellation: { code: QUOTA_CANCELLATION_CODE, text: 'The daily quota of the share was reached by a concurrent booking' },
      }, { idempotencyKey: null, requestHash: null }, actorOf(ctx.caller));
      if (withdrawn.appointment) publishAgendaChangeAfterCommit(tx, this.bus, withdrawn.appointment, 'CANCELLED');
      await recordAudit(ctx, tx, {
        action: 'peer.booking-withdrawn', entityType: 'Appointment', entityId: appointment.id, details: { shareId: share.id, reason: 'DAILY_QUOTA_REACHED' },
      });
      return false;
    }
    await this.auditBooked(ctx, tx, share, appointment, patientCreated);
    return true;
  }

  private async auditBooked(ctx: RequestContext, tx: Tx, share: PeerShareRow, appointment: AppointmentRow, patientCreated: boolean): Promise<void> {
    await recordAudit(ctx, tx, {
      action: 'peer.booked', entityType: 'Appointment', entityId: appointment.id,
      details: { shareId: share.id, scheduleId: appointment.scheduleId, serviceId: appointment.serviceId, patientId: appointment.patientId, patientCreated },
    });
  }

  /** The same key again: the first answer, if the request is the same; CONFLICT otherwise. */
  private async replayBooking(ctx: RequestContext, share: PeerShareRow, appointmentId: string, request: PeerBookRequest): Promise<PeerBookOutcome> {
    const appointment = await appointmentLoader(ctx).load(appointmentId);
    if (!appointment) throw notFound('Appointment');
    const same = appointment.shareId === share.id && appointment.clientReference === request.clientReference
      && appointment.scheduleId === request.scheduleId && appointment.serviceId === request.serviceId
      && appointment.startsAt.getTime() === request.start.getTime();
    if (!same) throw idempotencyConflict();
    if (appointment.status === 'CANCELLED' && appointment.cancellationCode === QUOTA_CANCELLATION_CODE) {
      return { kind: 'SHARE_REFUSED', reason: 'DAILY_QUOTA_REACHED' };
    }
    return { kind: 'BOOKED', appointmentId: appointment.id, start: instant(appointment.startsAt), end: instant(appointment.endsAt) };
  }

  private checkWindow(from: Date, to: Date): void {
    if (to.getTime() <= from.getTime()) throw badInput([{ field: 'to', problems: ['must be after from'] }]);
    if (to.getTime() - from.getTime() > this.maxDays * DAY_MS) {
      throw badInput([{ field: 'to', problems: [`the window may span at most ${this.maxDays} days`] }]);
    }
  }
}

/** The caller as a peer server; staff and partners have no business here. */
function peerOf(ctx: RequestContext): PeerServerPrincipal {
  const caller = ctx.caller;
  if (caller.kind !== 'PEER_SERVER') throw forbidden('Only a peer server may use the peer API');
  return caller;
}

/** Why a verified peer may not use its share any more: revoked, or its token rotated since (both end the link), or gone. */
function closedShare(share: { revokedAt: Date | null } | undefined): AppError {
  if (!share) return unauthenticated('Invalid token', 'INVALID');
  return share.revokedAt ? unauthenticated('Share revoked', 'REVOKED') : unauthenticated('Share token rotated', 'REVOKED');
}

/** The share behind the caller, if it may still be used: not revoked, token not rotated since it was verified. */
async function openShare(tx: Tx, peer: PeerServerPrincipal): Promise<PeerShareRow> {
  const share = await sharesRepository.findForPeer(tx, peer.shareId);
  if (!isStillValid(peer, share)) throw closedShare(share);
  return share!;
}

/** The client's reference, only when the appointment is this share's own twin. */
async function ownReference(ctx: RequestContext, peer: PeerServerPrincipal, appointmentId: string): Promise<string | null> {
  const appointment = await appointmentLoader(ctx.fork()).load(appointmentId);
  return appointment?.shareId === peer.shareId ? appointment.clientReference : null;
}

const isOccupancyKind = (kind: string): kind is PeerOccupancyKind => (PEER_OCCUPANCY_KINDS as readonly string[]).includes(kind);

/** To a client server a hold is occupied time like any other: taken when held, free when released. */
const OCCUPANCY_OF_HOLDS: Record<'HELD' | 'RELEASED', PeerOccupancyKind> = { HELD: 'CREATED', RELEASED: 'CANCELLED' };

/** Slots as the wire knows them: a peer is no staff of this clinic, so a held slot is OCCUPIED to it. */
function wireSlots(row: AvailabilityRow): Array<[string, string, 'FREE' | 'OCCUPIED']> | null {
  return row.slots && row.slots.map(([start, end, state]) => [start, end, state === 'FREE' ? 'FREE' : 'OCCUPIED']);
}

/** Times only: no free time, no FREE slots. */
function occupiedOnly(row: AvailabilityRow): PeerScheduleAvailability {
  const slots = wireSlots(row);
  return { scheduleId: row.scheduleId, free: [], occupied: row.occupied, slots: slots && slots.filter(([, , state]) => state !== 'FREE') };
}

function restricted(row: AvailabilityRow, permitted: Interval[], needMinutes: number | null): PeerScheduleAvailability {
  const slots = wireSlots(row);
  return {
    scheduleId: row.scheduleId, free: restrictFree(row.free, permitted), occupied: row.occupied,
    slots: slots && restrictSlots(slots, permitted, needMinutes),
  };
}

function toNewPatient(patient: PeerPatient): NewPatient {
  return {
    familyName: patient.familyName, givenName: patient.givenName, patronymic: patient.patronymic ?? undefined,
    phone: patient.phone ?? undefined, personalIdentityNumber: patient.personalIdentityNumber ?? undefined,
  };
}

function instant(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
