import type { Tx } from '../../db/unit-of-work';
import type { ExternalConnectionRow } from './connections.model';

const CONNECTION_COLUMNS = `b.centre_id AS "centreId", b.system, b.external_id AS "externalId", b.external_department_id AS "externalDepartmentId",
  b.booking_url AS "bookingUrl", b.api_key_ciphertext AS "apiKeyCiphertext"`;

/** The connections whose systems have an external schedule (every system but another careslot server's share). */
const EXTERNAL_SYSTEMS = `b.system IN ('FHIR_R4', 'SMART_SCHEDULING_LINKS')`;

/**
 * The booking plan of an external schedule as SQL, for the booking statement to answer in the same
 * round trip ($1 tenant, $3 service, $4 start, $21 door, $22 partner; the schedule and patient as
 * given): the connection (the key still sealed, as bytea text), the chosen patient, and the refusal
 * the booking statement would give here (the partner door's rules, the service, the patient, the time).
 */
export function externalBookingPlanSql(scheduleParam: string, patientParam: string): string {
  return `
    SELECT s.id AS "scheduleId", ${CONNECTION_COLUMNS}, c.name AS "centreName",
           CASE
             WHEN $21 = 'PARTNER' AND NOT EXISTS (SELECT 1 FROM partners pa WHERE pa.tenant_id = $1 AND pa.id = $22::uuid) THEN 'PARTNER_NOT_FOUND'
             WHEN $21 = 'PARTNER' AND NOT (SELECT pa.active FROM partners pa WHERE pa.tenant_id = $1 AND pa.id = $22::uuid) THEN 'PARTNER_INACTIVE'
             WHEN $21 = 'PARTNER' AND c.offline THEN 'CENTRE_OFFLINE'
             WHEN $21 = 'PARTNER' AND NOT EXISTS (SELECT 1 FROM traffic_channels tc
                                                 WHERE tc.tenant_id = $1 AND tc.partner_id = $22::uuid AND tc.centre_id = s.centre_id AND tc.service_id = $3) THEN 'SERVICE_NOT_ACTIVATED_FOR_PARTNER'
             WHEN NOT EXISTS (SELECT 1 FROM schedule_services ss WHERE ss.tenant_id = $1 AND ss.schedule_id = s.id AND ss.service_id = $3) THEN 'SERVICE_NOT_OFFERED'
             WHEN ${patientParam}::uuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.tenant_id = $1 AND p.id = ${patientParam}::uuid) THEN 'PATIENT_NOT_FOUND'
             WHEN $4::timestamptz < now() THEN 'IN_THE_PAST'
           END AS problem,
           (SELECT row_to_json(p) FROM (SELECT id, family_name AS "familyName", given_name AS "givenName", phone, personal_identity_number AS "personalIdentityNumber"
                                        FROM patients WHERE tenant_id = $1 AND id = ${patientParam}::uuid) p) AS patient
    FROM schedules s
    JOIN centres c ON c.tenant_id = s.tenant_id AND c.id = s.centre_id
    JOIN booking_system_connections b ON b.tenant_id = s.tenant_id AND b.centre_id = s.centre_id AND ${EXTERNAL_SYSTEMS}
    WHERE s.tenant_id = $1 AND s.id = ${scheduleParam} AND s.active AND s.external_schedule_ref IS NOT NULL`;
}

export const externalSchedulesRepository = {
  /**
   * The centre's external schedule stands for the connected system's agenda: created on the first
   * save (offering what the centre's own schedules offer), renamed and reactivated on the next.
   */
  async upsert(tx: Tx, centreId: string, ref: string, name: string): Promise<string> {
    const [row] = await tx.query<{ id: string }>(
      `WITH schedule AS (
         INSERT INTO schedules (tenant_id, centre_id, name, slot_minutes, external_schedule_ref)
         VALUES ($1, $2, $3, 15, $4)
         ON CONFLICT (tenant_id, centre_id) WHERE external_schedule_ref IS NOT NULL
         DO UPDATE SET name = excluded.name, external_schedule_ref = excluded.external_schedule_ref, active = true, updated_at = now()
         RETURNING id
       ), offered AS (
         INSERT INTO schedule_services (tenant_id, schedule_id, service_id)
         SELECT DISTINCT $1, schedule.id, ss.service_id
         FROM schedule, schedules own JOIN schedule_services ss ON ss.tenant_id = own.tenant_id AND ss.schedule_id = own.id
         WHERE own.tenant_id = $1 AND own.centre_id = $2 AND own.link_id IS NULL AND own.external_schedule_ref IS NULL
         ON CONFLICT DO NOTHING
         RETURNING 1
       )
       SELECT id, (SELECT count(*) FROM offered) AS offered FROM schedule`,
      [tx.tenantId, centreId, name, ref],
    );
    return row.id;
  },

  /** The centre no longer has an external system (its connection is now a share link): its external schedule stops offering time. */
  async retire(tx: Tx, centreId: string): Promise<void> {
    await tx.query(`UPDATE schedules SET active = false, updated_at = now() WHERE tenant_id = $1 AND centre_id = $2 AND external_schedule_ref IS NOT NULL`, [tx.tenantId, centreId]);
  },

  /** The centre's external connection (for a cancellation or withdrawal queued earlier). */
  async connectionOfCentre(tx: Tx, centreId: string): Promise<ExternalConnectionRow | undefined> {
    const [row] = await tx.query<ExternalConnectionRow>(
      `SELECT ${CONNECTION_COLUMNS} FROM booking_system_connections b WHERE b.tenant_id = $1 AND b.centre_id = $2 AND ${EXTERNAL_SYSTEMS}`,
      [tx.tenantId, centreId],
    );
    return row;
  },

  /**
   * What traffic just learnt of a connection: its status, last contact and problem. Written only
   * when something changes or the last write is older than 30 s, by whichever instance comes first.
   */
  async recordContact(tx: Tx, centreId: string, status: string, problem: string | null): Promise<void> {
    await tx.query(
      `UPDATE booking_system_connections SET status = $3, last_problem = $4, last_contact_at = now()
       WHERE tenant_id = $1 AND centre_id = $2
         AND (status IS DISTINCT FROM $3 OR last_problem IS DISTINCT FROM $4 OR last_contact_at IS NULL OR last_contact_at < now() - interval '30 seconds')`,
      [tx.tenantId, centreId, status, problem],
    );
  },

  /**
   * In a cancelling transaction: if the appointment was booked in an external system, its
   * cancellation there is queued (one statement; nothing for any other appointment).
   */
  async enqueueCancellation(tx: Tx, appointmentId: string): Promise<void> {
    await tx.query(
      `SELECT careslot_enqueue_job('cancel-external-booking',
         json_build_object('tenantId', $1::text, 'centreId', s.centre_id::text, 'reference', a.id::text, 'attempt', 0),
         'cancel-external-booking:' || a.id::text)
       FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
       WHERE a.tenant_id = $1::uuid AND a.id = $2::uuid AND a.external_appointment_ref IS NOT NULL`,
      [tx.tenantId, appointmentId],
    );
  },

  /** A booking whose answer never came may exist in the external system: after a grace period, withdrawn unless it was recorded here. */
  async enqueueUnconfirmedWithdrawal(tx: Tx, centreId: string, reference: string, graceSeconds: number): Promise<void> {
    await tx.query(
      `SELECT careslot_enqueue_job('cancel-external-booking',
         json_build_object('tenantId', $1::text, 'centreId', $2::text, 'reference', $3::text, 'unlessRecorded', true, 'attempt', 0),
         'withdraw-external-booking:' || $3::text, now() + make_interval(secs => $4))`,
      [tx.tenantId, centreId, reference, graceSeconds],
    );
  },
};
