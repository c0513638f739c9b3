import type { Task } from 'graphile-worker';
import type { TenantDatabase } from '../../db/tenant-database';
import { PeerError } from '../../federation/peer-client';
import type { PeerConnector } from './peer-connector';
import type { Logger } from '../../platform/logger';
import { writeAudit } from '../common/audit-log.sql';
import { sharedSchedulesRepository } from './shared-schedules.sql';
import { retryDelayMs } from '../../jobs/job-runner';

export const CANCEL_SHARED_TWIN = 'cancel-shared-twin';

interface Payload {
  tenantId: string;
  /** The client's appointment id: the twin's client reference. */
  appointmentId: string;
  /** Set when there is no local record to find the link by (an unconfirmed booking). */
  linkId?: string;
  /** Withdraw only if the booking was never recorded here after all. */
  unlessRecorded?: boolean;
  /** The cancellation text given here, for the sharing centre. */
  reasonText?: string | null;
  attempt: number;
}

/**
 * Cancels the sharing server's twin of a client booking that was cancelled here. Idempotent on the
 * sharing side; while the sharing server cannot be reached, the job comes back with growing delays
 * (our own backoff, so operators can tune it) until it is done. A share that was revoked ends it.
 */
export function cancelSharedTwinTask(deps: { database: TenantDatabase; connector: PeerConnector; logger: Logger; retryBaseMs: number; retryMaxMs: number }): Task {
  return async (raw, helpers) => {
    const payload = raw as Payload;
    const link = await deps.database.transaction(payload.tenantId, async (tx) => {
      if (payload.unlessRecorded && await sharedSchedulesRepository.isRecorded(tx, payload.appointmentId)) return undefined;
      return payload.linkId
        ? (await sharedSchedulesRepository.linksWithMirrors(tx, [payload.linkId]))[0]
        : sharedSchedulesRepository.linkOfAppointment(tx, payload.appointmentId);
    });
    if (!link) return;
    try {
      const outcome = await deps.connector.forLink(link).cancel({
        clientReference: payload.appointmentId, idempotencyKey: `cancel:${payload.appointmentId}`, reasonText: payload.reasonText ?? undefined,
      });
      await deps.database.transaction(payload.tenantId, (tx) => writeAudit(tx, { kind: 'SYSTEM', id: null }, {
        action: 'shared-booking.twin-cancelled', entityType: 'Appointment', entityId: payload.appointmentId, details: { status: outcome.status, attempts: payload.attempt + 1 },
      }));
    } catch (error) {
      // Final answers: the share is gone, or the twin is past cancelling (arrived, fulfilled).
      if (error instanceof PeerError && ['REVOKED', 'BAD_TOKEN', 'REFUSED'].includes(error.failure)) {
        deps.logger.warn({ appointmentId: payload.appointmentId, failure: error.failure }, 'twin cancellation refused by the sharing server');
        return;
      }
      const runAt = new Date(Date.now() + retryDelayMs(payload.attempt, deps.retryBaseMs, deps.retryMaxMs));
      await helpers.addJob(CANCEL_SHARED_TWIN, { ...payload, attempt: payload.attempt + 1 }, { runAt, jobKey: `${CANCEL_SHARED_TWIN}:${payload.appointmentId}:retry` });
    }
  };
}
