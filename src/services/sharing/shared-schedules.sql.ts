import { byteaFromJson } from '../../db/json-bytea';
import type { Tx } from '../../db/unit-of-work';
import type { AppointmentOrigin } from '../../entities';
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
      tokenCiphertext: byteaFromJson(cipher),
      createdAt: new Date(link.createdAt), lastContactAt: link.lastContactAt && new Date(link.lastContactAt),
    },
  };
}

/** A hold in a mirror schedule, with what booking on it through the sharing server needs. */
export interface MirrorHold {
  id: string;
  scheduleId: string;
  serviceId: string;
  startsAt: Date;
  /** The twin hold's id at the sharing server. */
  remoteAppointmentId: string;
  heldBy: string;
  live: boolean;
  /** Null when the mirror's link is gone. */
  plan: MirrorBookingPlan | null;
  identityTaken: boolean;
}

/** A live hold of this clinic in a mirror schedule, instants as UTC text (as availability compares them). */
export interface LiveHold {
  scheduleId: string;
  start: string;
  end: string;
  expiresAt: string;
}

export const sharedSchedulesRepository = {
  /** The clinic's live holds in these mirror schedules overlapping [from, to): few rows, by the partial index of holds. */
  async liveHolds(tx: Tx, scheduleIds: readonly string[], from: Date, to: Date): Promise<LiveHold[]> {
    return tx.query<LiveHold>(
      `SELECT schedule_id AS "scheduleId", careslot_utc(starts_at) AS start, careslot_utc(ends_at) AS "end", careslot_utc(hold_expires_at) AS "expiresAt"
       FROM appointments WHERE tenant_id = $1 AND schedule_id = ANY($2::uuid[]) AND status = 'HELD' AND hold_expires_at > now()
         AND starts_at < $4 AND ends_at > $3 AND starts_at > $3::timestamptz - interval '1 day'`,
      [tx.tenantId, scheduleIds, from, to],
    );
  },

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
   * The local record of a booking (or a hold) the sharing server (or an external booking system) confirmed, in one statement: the
   * new patient (when one was given; none when the identity number exists here), the appointment
   * (a hold: HELD until its expiry there, for its holder, without a patient), its first history
   * entry and its audit record. Undefined, with nothing written, when a booking has no patient.
   */
  async recordConfirmedTwin(
    tx: Tx,
    twin: { id: string; scheduleId: string; serviceId: string; patientId: string | null; newPatient: NewPatient | null; startsAt: string; endsAt: string;
      note: string | null; remoteAppointmentId: string | null; idempotencyKey: string; requestHash: string; centreId: string;
      hold?: { expiresAt: string; heldBy: string };
      /** A booking in an external schedule: for whom it was made (a partner's door) and its reference in that system. */
      door?: { origin: AppointmentOrigin; partnerId: string | null }; externalAppointmentRef?: string },
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
       ), freed AS (
         -- The clinic's own expired holds on this time hold nothing: they go first, as in the booking statement.
         SELECT careslot_free_expired_holds($1, $3, $6::timestamptz, $7::timestamptz) AS n
       ), booked AS (
         INSERT INTO appointments (tenant_id, id, schedule_id, service_id, patient_id, starts_at, ends_at, note, remote_appointment_id,
                                   status, hold_expires_at, held_by, origin, partner_id, external_appointment_ref)
         SELECT $1, $2, $3, $4, p.id, $6, $7, $8, $9, CASE WHEN $27::timestamptz IS NULL THEN 'BOOKED' ELSE 'HELD' END, $27, $28, $29, $30, $31
         FROM (SELECT coalesce($5::uuid, (SELECT id FROM new_patient)) AS id) p
         WHERE (p.id IS NOT NULL OR $27::timestamptz IS NOT NULL) AND (SELECT count(*) FROM freed) >= 0
         RETURNING ${RETURNED_APPOINTMENT_COLUMNS}
       ), logged AS (
         INSERT INTO appointment_changes (tenant_id, appointment_id, action, actor_kind, actor_id, to_status, starts_at, ends_at, idempotency_key, request_hash)
         SELECT $1, b.id, b.status, $10, $11, b.status, b."startsAt", b."endsAt", $12, decode($13, 'hex') FROM booked b
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
        audit.entry.action, audit.entry.entityType, audit.requestId, audit.entry.details ?? {}, twin.hold?.expiresAt ?? null, twin.hold?.heldBy ?? null,
        twin.door?.origin ?? 'LOCAL', twin.door?.partnerId ?? null, twin.externalAppointmentRef ?? null],
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

  /** A hold given back here: its twin at the sharing server is released (through the link: the record here is gone). */
  async enqueueTwinRelease(tx: Tx, linkId: string, holdId: string): Promise<void> {
    await tx.query(
      `SELECT careslot_enqueue_job('cancel-shared-twin',
         json_build_object('tenantId', $1::text, 'appointmentId', $2::text, 'linkId', $3::text, 'attempt', 0),
         'release-twin:' || $2::text)`,
      [tx.tenantId, holdId, linkId],
    );
  },

  /**
   * What booking on a hold in a mirror needs, in one read: the hold as held here, the mirror's
   * booking plan (link and the chosen patient), and whether a new patient's identity number is
   * taken here already. Undefined when there is no such hold.
   */
  async mirrorHold(tx: Tx, holdId: string, patientId: string | null, personalIdentityNumber: string | null): Promise<MirrorHold | undefined> {
    const [row] = await tx.query<MirrorHold & { plan: Record<string, unknown> | null }>(
      `SELECT a.id, a.schedule_id AS "scheduleId", a.service_id AS "serviceId", a.starts_at AS "startsAt", a.remote_appointment_id AS "remoteAppointmentId",
              a.held_by AS "heldBy", a.hold_expires_at > now() AS live,
              (SELECT row_to_json(plan) FROM (${mirrorBookingPlanSql('a.schedule_id', '$3')}) plan) AS plan,
              EXISTS (SELECT 1 FROM patients p WHERE p.tenant_id = $1 AND p.personal_identity_number = $4) AS "identityTaken"
       FROM appointments a WHERE a.tenant_id = $1 AND a.id = $2 AND a.status = 'HELD' AND a.remote_appointment_id IS NOT NULL`,
      [tx.tenantId, holdId, patientId, personalIdentityNumber],
    );
    if (!row) return undefined;
    const { plan, ...hold } = row;
    return { ...hold, plan: plan && revivePlan(plan) };
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

  /** Whether a booking with this id is recorded here (a hold is no booking: its twin may have been booked without our hearing of it). */
  async isRecorded(tx: Tx, appointmentId: string): Promise<boolean> {
    const [row] = await tx.query(`SELECT 1 FROM appointments WHERE tenant_id = $1 AND id = $2 AND status <> 'HELD'`, [tx.tenantId, appointmentId]);
    return row !== undefined;
  },
};
