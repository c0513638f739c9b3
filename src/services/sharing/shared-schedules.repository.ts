import type { Tx } from '../../db/unit-of-work';
import type { AppointmentRow } from '../appointments/appointment.model';
import { RETURNED_APPOINTMENT_COLUMNS } from '../appointments/appointment-columns';
import { reviveDates } from '../appointments/booking.sql';
import type { AuditActor } from '../audit/audit-log';
import type { LinkRow } from './links.repository';

export interface LinkWithMirrors extends LinkRow {
  /** Mirror schedule id → the sharing server's schedule id. */
  schedules: Record<string, string>;
  /** Mirror service id → the sharing server's service id. */
  services: Record<string, string>;
  /** The client centre's name, shown at the sharing centre next to its bookings. */
  clientCentreName: string;
}

const LINK_WITH_MIRRORS = `
  SELECT l.id, l.centre_id AS "centreId", l.remote_url AS "remoteUrl", l.remote_centre_id AS "remoteCentreId",
         l.remote_centre_name AS "remoteCentreName", l.remote_share_id AS "remoteShareId", l.token_ciphertext AS "tokenCiphertext",
         l.label, l.created_at AS "createdAt",
         (SELECT c.name FROM centres c WHERE c.tenant_id = l.tenant_id AND c.id = l.centre_id) AS "clientCentreName",
         coalesce((SELECT json_object_agg(s.id, s.remote_schedule_id) FROM schedules s WHERE s.tenant_id = l.tenant_id AND s.link_id = l.id), '{}') AS schedules,
         coalesce((SELECT json_object_agg(v.id, v.remote_service_id) FROM services v WHERE v.tenant_id = l.tenant_id AND v.link_id = l.id), '{}') AS services
  FROM share_links l`;

export const sharedSchedulesRepository = {
  async linksWithMirrors(tx: Tx, linkIds: readonly string[]): Promise<LinkWithMirrors[]> {
    return tx.query<LinkWithMirrors>(`${LINK_WITH_MIRRORS} WHERE l.tenant_id = $1 AND l.id = ANY($2::uuid[]) AND l.removed_at IS NULL`, [tx.tenantId, linkIds]);
  },

  async linkOfMirrorSchedule(tx: Tx, scheduleId: string): Promise<LinkWithMirrors | undefined> {
    const [row] = await tx.query<LinkWithMirrors>(
      `${LINK_WITH_MIRRORS} WHERE l.tenant_id = $1 AND l.removed_at IS NULL
         AND l.id = (SELECT link_id FROM schedules WHERE tenant_id = $1 AND id = $2 AND active)`,
      [tx.tenantId, scheduleId],
    );
    return row;
  },

  /** The link of an appointment made in a mirror schedule (for its twin's cancellation). */
  async linkOfAppointment(tx: Tx, appointmentId: string): Promise<LinkRow | undefined> {
    const [row] = await tx.query<LinkRow>(
      `${LINK_WITH_MIRRORS} JOIN schedules s ON s.tenant_id = l.tenant_id AND s.link_id = l.id
       JOIN appointments a ON a.tenant_id = s.tenant_id AND a.schedule_id = s.id
       WHERE l.tenant_id = $1 AND a.id = $2`,
      [tx.tenantId, appointmentId],
    );
    return row;
  },

  /** The local record of a booking the sharing server confirmed, with its first history entry. */
  async insertConfirmedTwin(
    tx: Tx,
    twin: { id: string; scheduleId: string; serviceId: string; patientId: string; startsAt: string; endsAt: string; note: string | null;
      remoteAppointmentId: string; idempotencyKey: string; requestHash: string; centreId: string },
    actor: AuditActor,
  ): Promise<AppointmentRow> {
    const [row] = await tx.query<{ appointment: AppointmentRow }>(
      `WITH booked AS (
         INSERT INTO appointments (tenant_id, id, schedule_id, service_id, patient_id, starts_at, ends_at, note, remote_appointment_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${RETURNED_APPOINTMENT_COLUMNS}
       ), logged AS (
         INSERT INTO appointment_changes (tenant_id, appointment_id, action, actor_kind, actor_id, to_status, starts_at, ends_at, idempotency_key, request_hash)
         SELECT $1, b.id, 'BOOKED', $10, $11, b.status, b."startsAt", b."endsAt", $12, decode($13, 'hex') FROM booked b
         RETURNING id
       )
       SELECT (SELECT row_to_json(x) FROM (SELECT b.*, $14::uuid AS "centreId" FROM booked b) x) AS appointment, (SELECT count(*) FROM logged) AS logged`,
      [tx.tenantId, twin.id, twin.scheduleId, twin.serviceId, twin.patientId, twin.startsAt, twin.endsAt, twin.note, twin.remoteAppointmentId,
        actor.kind, actor.id, twin.idempotencyKey, twin.requestHash, twin.centreId],
    );
    return reviveDates(row.appointment);
  },

  async enqueueTwinCancellation(tx: Tx, appointmentId: string): Promise<void> {
    await tx.query(
      `SELECT careslot_enqueue_job('cancel-shared-twin', json_build_object('tenantId', $1::text, 'appointmentId', $2::text, 'attempt', 0),
         'cancel-shared-twin:' || $2::text)`,
      [tx.tenantId, appointmentId],
    );
  },

  /**
   * A booking whose answer never came may exist at the sharing centre without a record here: after a
   * grace period (a retry with the same key may still record it), withdraw it unless it was recorded.
   */
  async enqueueUnconfirmedTwinWithdrawal(tx: Tx, linkId: string, clientReference: string, graceSeconds: number): Promise<void> {
    await tx.query(
      `SELECT careslot_enqueue_job('cancel-shared-twin',
         json_build_object('tenantId', $1::text, 'appointmentId', $2::text, 'linkId', $3::text, 'unlessRecorded', true, 'attempt', 0),
         'withdraw-twin:' || $2::text, now() + make_interval(secs => $4))`,
      [tx.tenantId, clientReference, linkId, graceSeconds],
    );
  },

  async isRecorded(tx: Tx, appointmentId: string): Promise<boolean> {
    const [row] = await tx.query('SELECT 1 FROM appointments WHERE tenant_id = $1 AND id = $2', [tx.tenantId, appointmentId]);
    return row !== undefined;
  },
};
