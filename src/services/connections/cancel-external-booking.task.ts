import type { Task } from 'graphile-worker';
import type { TenantDatabase } from '../../db/tenant-database';
import { retryDelayMs } from '../../jobs/job-runner';
import type { Logger } from '../../platform/logger';
import { writeAudit } from '../common/audit-log.sql';
import type { ExternalSchedulesService } from './external-schedules.service';

export const CANCEL_EXTERNAL_BOOKING = 'cancel-external-booking';

interface Payload {
  tenantId: string;
  centreId: string;
  /** Our appointment's id: the reference the booking system knows our booking by. */
  reference: string;
  /** Withdraw only if the booking was never recorded here after all. */
  unlessRecorded?: boolean;
  attempt: number;
}

/**
 * Cancels, in the centre's external booking system, a booking cancelled here (or one whose
 * confirmation never came). Idempotent there; retried with growing delays until it is done.
 */
export function cancelExternalBookingTask(deps: {
  database: TenantDatabase; external: ExternalSchedulesService; logger: Logger; retryBaseMs: number; retryMaxMs: number;
}): Task {
  return async (raw, helpers) => {
    const payload = raw as Payload;
    const cancel = await deps.database.transaction(payload.tenantId, (tx) => deps.external.cancelThere(tx, payload));
    if (!cancel) return;
    try {
      await cancel();
      await deps.database.transaction(payload.tenantId, (tx) => writeAudit(tx, { kind: 'SYSTEM', id: null }, {
        action: 'external-booking.cancelled-there', entityType: 'Appointment', entityId: payload.reference,
        details: { withdrawal: payload.unlessRecorded === true, attempts: payload.attempt + 1 },
      }));
    } catch (error) {
      deps.logger.warn({ reference: payload.reference, attempt: payload.attempt, err: String(error) }, 'external cancellation failed; retrying');
      const runAt = new Date(Date.now() + retryDelayMs(payload.attempt, deps.retryBaseMs, deps.retryMaxMs));
      await helpers.addJob(CANCEL_EXTERNAL_BOOKING, { ...payload, attempt: payload.attempt + 1 }, { runAt, jobKey: `${CANCEL_EXTERNAL_BOOKING}:${payload.reference}:retry` });
    }
  };
}
