import type { Tx } from '../../db/unit-of-work';
import type { AppointmentRow } from '../scheduling/appointment.model';
import { RETURNED_APPOINTMENT_COLUMNS } from '../scheduling/appointment-columns.sql';
import { reviveDates } from '../scheduling/booking.sql';
import type { AuditActor, AuditEntry } from '../common/audit-log.sql';
import type { NewPatient, PatientRow } from '../scheduling/patient.model';
import type { LinkRow } from './links.sql';

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
         l.label, l.created_at AS "createdAt", l.status, l.last_contact_at AS "lastContactAt", l.last_problem AS "lastProblem",
         (SELECT c.name FROM centres c WHERE c.tenant_id = l.tenant_id AND c.id = l.centre_id) AS "clientCentreName",
         coalesce((SELECT json_object_agg(s.id, s.remote_schedule_id) FROM schedules s WHERE s.tenant_id = l.tenant_id AND s.link_id = l.id), '{}') AS schedules,
         coalesce((SELECT json_object_agg(v.id, v.remote_service_id) FROM services v WHERE v.tenant_id = l.tenant_id AND v.link_id = l.id), '{}') AS services
  FROM share_links l`;

/** What the sharing centre is told of a chosen patient. */
export type PeerPatientRow = Pick<PatientRow, 'id' | 'familyName' | 'givenName' | 'patronymic' | 'phone' | 'personalIdentityNumber'>;

/** What a booking in a mirror schedule needs: the mirror's link and the chosen patient, if one was chosen and exists here. */
export interface MirrorBookingPlan {
  link: LinkWithMirrors;
  patient: PeerPatientRow | null;
}

/**
 * The booking plan of a mirror schedule as SQL, for the booking statement to answer in the same
 * round trip when the schedule turns out to be a mirror ($1 the tenant; the schedule and patient
 * parameters as given). No row when the schedule is no live mirror.
 */
export function mirrorBookingPlanSql(scheduleParam: string, patientParam: string): string {
  return `SELECT link.*,
              (SELECT row_to_json(p) FROM (SELECT id, family_name AS "familyName", given_name AS "givenName", patronymic, phone,
                                                  personal_identity_number AS "personalIdentityNumber"
                                           FROM patients WHERE tenant_id = $1 AND id = ${patientParam}::uuid) p) AS patient
       FROM (${LINK_WITH_MIRRORS} WHERE l.tenant_id = $1 AND l.removed_at IS NULL
               AND l.id = (SELECT link_id FROM schedules WHERE tenant_id = $1 AND id = ${scheduleParam} AND active)) link`;
}

/** The plan as JSON gives it back: the token's ciphertext as bytea text (\\x…), instants as text. */
export function revivePlan(json: Readonly<Record<string, unknown>>): MirrorBookingPlan {
  const { patient, ...link } = json as unknown as LinkWithMirrors & { patient: PeerPatientRow | null };
  const cipher = link.tokenCiphertext as unknown as string | Buffer;
  return {
    patient,
    link: {
      ...link,
      tokenCiphertext: typeof cipher === 'string' ? Buffer.from(cipher.replace(/^\\x/, ''), 'hex') : cipher,
      createdAt: new Date(link.createdAt), lastContactAt: link.lastContactAt && new Date(link.lastContactAt),
    },
  };
}

export const sharedSchedulesRepository = {
  async linksWithMirrors(tx: Tx, linkIds: readonly string[]): Promise<LinkWithMirrors[]> {
    return tx.query<LinkWithMirrors>(`${LINK_WITH_MIRRORS} WHERE l.tenant_id = $1 AND l.id = ANY($2::uuid[]) AND l.removed_at IS NULL`, [tx.tenantId, linkIds]);
  },

  /** The link of an appointment made in a mirror schedule (for its twin's cancellation). */
  async linkOfAppointment(tx: Tx, appointmentId: string): Promise<LinkWithMirrors | undefined> {
    const [row] = await tx.query<LinkWithMirrors>(
      `${LINK_WITH_MIRRORS} JOIN schedules s ON s.tenant_id = l.tenant_id AND s.link_id = l.id
       JOIN appointments a ON a.tenant_id = s.tenant_id AND a.schedule_id = s.id
       WHERE l.tenant_id = $1 AND a.id = $2`,
      [tx.tenantId, appointmentId],
    );
    return row;
  },

  /**
   * The local record of a booking the sharing server confirmed, in one statement: the new patient
   * (when one was given; none when the identity number exists here), the appointment, its first
   * history entry and its audit record. Undefined, with nothing written, when there is no patient.
   */
  async recordConfirmedTwin(
    tx: Tx,
    twin: { id: string; scheduleId: string; serviceId: string; patientId: string | null; newPatient: NewPatient | null; startsAt: string; endsAt: string;
      note: string | null; remoteAppointmentId: string; idempotencyKey: string; requestHash: string; centreId: string },
    actor: AuditActor,
    audit: { entry: AuditEntry; requestId: string },
  ): Promise<AppointmentRow | undefined> {
    const patient = twin.newPatient;
    const [row] = await tx.prepared<{ appointment: AppointmentRow | null }>('careslot_record_confirmed_twin',
      `WITH new_patient AS (
         INSERT INTO patients (tenant_id, family_name, given_name, patronymic, phone, personal_identity_number,
                               data_processing_refused, all_notifications_refused, advertising_refused)
         SELECT $1, $15, $16, $17, $18, $19, $20, $21, $22 WHERE $5::uuid IS NULL AND $15::text IS NOT NULL
         ON CONFLICT (tenant_id, personal_identity_number) WHERE personal_identity_number IS NOT NULL DO NOTHING
         RETURNING id
       ), booked AS (
         INSERT INTO appointments (tenant_id, id, schedule_id, service_id, patient_id, starts_at, ends_at, note, remote_appointment_id)
         SELECT $1, $2, $3, $4, p.id, $6, $7, $8, $9 FROM (SELECT coalesce($5::uuid, (SELECT id FROM new_patient)) AS id) p WHERE p.id IS NOT NULL
         RETURNING ${RETURNED_APPOINTMENT_COLUMNS}
       ), logged AS (
         INSERT INTO appointment_changes (tenant_id, appointment_id, action, actor_kind, actor_id, to_status, starts_at, ends_at, idempotency_key, request_hash)
         SELECT $1, b.id, 'BOOKED', $10, $11, b.status, b."startsAt", b."endsAt", $12, decode($13, 'hex') FROM booked b
         RETURNING id
       ), audited AS (
         INSERT INTO audit_events (tenant_id, actor_kind, actor_id, action, entity_type, entity_id, request_id, details)
         SELECT $1, $10, $11, $23, $24, b.id, $25, $26 FROM booked b
         RETURNING id
       )
       SELECT (SELECT row_to_json(x) FROM (SELECT b.*, $14::uuid AS "centreId" FROM booked b) x) AS appointment,
              (SELECT count(*) FROM logged) AS logged, (SELECT count(*) FROM audited) AS audited`,
      [tx.tenantId, twin.id, twin.scheduleId, twin.serviceId, twin.patientId, twin.startsAt, twin.endsAt, twin.note, twin.remoteAppointmentId,
        actor.kind, actor.id, twin.idempotencyKey, twin.requestHash, twin.centreId,
        patient?.familyName ?? null, patient?.givenName ?? null, patient?.patronymic ?? null, patient?.phone ?? null, patient?.personalIdentityNumber ?? null,
        patient?.consents?.dataProcessingRefused ?? false, patient?.consents?.allNotificationsRefused ?? false, patient?.consents?.advertisingRefused ?? false,
        audit.entry.action, audit.entry.entityType, audit.requestId, audit.entry.details ?? {}],
    );
    return row.appointment ? reviveDates(row.appointment) : undefined;
  },

  /** The twin's cancellation, with the text the client gave: the sharing centre performs the visit and reads it. */
  async enqueueTwinCancellation(tx: Tx, appointmentId: string, reasonText: string | null): Promise<void> {
    await tx.query(
      `SELECT careslot_enqueue_job('cancel-shared-twin',
         json_build_object('tenantId', $1::text, 'appointmentId', $2::text, 'reasonText', $3::text, 'attempt', 0),
         'cancel-shared-twin:' || $2::text)`,
      [tx.tenantId, appointmentId, reasonText],
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

  /** The link whose mirror holds this record (null: a schedule of the tenant's own); undefined when there is no such record. */
  async linkOfRecord(tx: Tx, appointmentId: string): Promise<string | null | undefined> {
    const [row] = await tx.query<{ linkId: string | null }>(
      `SELECT s.link_id AS "linkId" FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
       WHERE a.tenant_id = $1 AND a.id = $2`,
      [tx.tenantId, appointmentId],
    );
    return row ? row.linkId : undefined;
  },

  /** The client's live records of a link's twins from an instant on: what a reconciliation compares. */
  async twinRecordsFrom(tx: Tx, linkId: string, from: Date): Promise<Array<{ id: string; start: string; end: string; status: string }>> {
    return tx.query(
      `SELECT a.id, careslot_utc(a.starts_at) AS start, careslot_utc(a.ends_at) AS "end", a.status
       FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
       WHERE a.tenant_id = $1 AND s.link_id = $2 AND a.starts_at >= $3 AND a.remote_appointment_id IS NOT NULL`,
      [tx.tenantId, linkId, from],
    );
  },

  async isRecorded(tx: Tx, appointmentId: string): Promise<boolean> {
    const [row] = await tx.query('SELECT 1 FROM appointments WHERE tenant_id = $1 AND id = $2', [tx.tenantId, appointmentId]);
    return row !== undefined;
  },
};
