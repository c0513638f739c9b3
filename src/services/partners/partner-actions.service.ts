import type { RequestContext } from '../../context/request-context';
import { forbidden, notFound } from '../../platform/errors';
import type { AppointmentLifecycleService, RescheduleOutcome } from '../scheduling/appointment-lifecycle.service';
import type { AppointmentRow } from '../scheduling/appointment.model';
import { idempotencyConflict } from '../scheduling/idempotency';
import { partnerDataAccessRepository } from './partner-data-access.sql';
import { partnerFeedRepository } from './partner-feed.sql';
import { partnerNotificationsRepository, type NotificationRecord, type PartnerNotificationRow } from './partner-notifications.sql';

/** Set on an appointment a partner cancelled through its data access. */
export const PARTNER_CANCELLATION_CODE = 'PARTNER_CANCELLED';

export type NotificationOutcome = { kind: 'RECORDED'; notification: PartnerNotificationRow } | { kind: 'NOT_ALLOWED'; reason: string };

/**
 * Seed 002: what a partner may do with the data it is shown, only on appointments shared with it
 * now (anything else is NOT_FOUND): confirm, postpone within the schedule, cancel with a reason,
 * record a notification it sent. Each goes through the same statements as the clinic's own, is
 * idempotent, and is history and agenda events by that partner.
 */
export class PartnerActionsService {
  constructor(private readonly lifecycle: AppointmentLifecycleService) {}

  async confirm(ctx: RequestContext, input: { appointmentId: string; idempotencyKey: string }): Promise<AppointmentRow> {
    await this.requireShared(ctx, input.appointmentId);
    return this.lifecycle.changeStatusAuthorized(ctx, { appointmentId: input.appointmentId, status: 'CONFIRMED', idempotencyKey: input.idempotencyKey });
  }

  async cancel(ctx: RequestContext, input: { appointmentId: string; reasonText: string; idempotencyKey: string }): Promise<AppointmentRow> {
    await this.requireShared(ctx, input.appointmentId);
    return this.lifecycle.changeStatusAuthorized(ctx, {
      appointmentId: input.appointmentId, status: 'CANCELLED', idempotencyKey: input.idempotencyKey,
      cancellation: { code: PARTNER_CANCELLATION_CODE, text: input.reasonText },
    });
  }

  async postpone(ctx: RequestContext, input: { appointmentId: string; start: Date; idempotencyKey: string }): Promise<RescheduleOutcome> {
    await this.requireShared(ctx, input.appointmentId);
    return this.lifecycle.rescheduleAuthorized(ctx, input);
  }

  /** Refused as NOT_ALLOWED when the patient's consents no longer let partners reach them. */
  async recordNotification(ctx: RequestContext, record: NotificationRecord): Promise<NotificationOutcome> {
    const partnerId = await this.openAccess(ctx);
    const result = await ctx.transaction((tx) => partnerNotificationsRepository.record(tx, partnerId, record));
    const prior = result.prior;
    if (prior) {
      const same = prior.appointmentId === record.appointmentId && prior.channel === record.channel && prior.purpose === record.purpose
        && prior.sentAt.getTime() === record.sentAt.getTime();
      if (!same) throw idempotencyConflict();
      return { kind: 'RECORDED', notification: prior };
    }
    if (result.recorded) return { kind: 'RECORDED', notification: result.recorded };
    if (result.found && result.notSharedBecause === 'CONSENT_CHANGED') return { kind: 'NOT_ALLOWED', reason: 'CONSENT_CHANGED' };
    throw notFound('Appointment');
  }

  /** The partner's access is open and has begun, and the appointment is shared with it now: read together. */
  private async requireShared(ctx: RequestContext, appointmentId: string): Promise<void> {
    const partnerId = partnerIdOf(ctx);
    const shared = await ctx.transaction(async (tx) => (await partnerDataAccessRepository.find(tx, partnerId))?.state === 'OPEN'
      && (await partnerFeedRepository.sharedAppointment(tx, appointmentId))?.notSharedBecause === null);
    if (!shared) throw notFound('Appointment');
  }

  private async openAccess(ctx: RequestContext): Promise<string> {
    const partnerId = partnerIdOf(ctx);
    const access = await ctx.transaction((tx) => partnerDataAccessRepository.find(tx, partnerId));
    if (access?.state !== 'OPEN') throw notFound('Appointment');
    return partnerId;
  }
}

function partnerIdOf(ctx: RequestContext): string {
  const caller = ctx.caller;
  if (caller.kind !== 'PARTNER_APP' && caller.kind !== 'PARTNER_USER') throw forbidden('Only a partner user or app acts through its data access');
  return caller.partnerId;
}
