import type { Tx } from '../../db/unit-of-work';
import type { AuditActor as Actor } from '../common/audit-log.sql';
import type { AppointmentRow } from './appointment.model';
import { APPOINTMENT_COLUMNS, UPDATED_APPOINTMENT_COLUMNS } from './appointment-columns.sql';
import { reviveDates } from './booking.sql';
import { insertNewPatientSql } from './new-patient.sql';
import type { NewPatient } from './patient.model';

/** What the statement that books on a hold found out. */
export interface HoldBookingResult {
  /** The hold is there (HELD, in this tenant), whoever holds it and whether it expired. */
  holdFound: boolean;
  /** This id was a hold of this tenant once (its placement is audited): gone now means expired, released or booked. */
  wasHold: boolean;
  /**
   * Null when booked; else HOLD_EXPIRED (expired, or another principal's), PATIENT_NOT_FOUND, or
   * REMOTE_HOLD: a hold in a shared schedule's mirror, booked only once its sharing server booked the twin.
   */
  problem: string | null;
  prior: { appointmentId: string; requestHash: string } | null;
  appointment: AppointmentRow | null;
}

/**
 * Turns a hold into the appointment in ONE statement: the hold row itself becomes the booking (its
 * time never leaves the exclusion constraint), only for its holder and before its expiry, with the
 * optional new patient and the first history entry (as a direct booking: the hold's placement is
 * audited, the booking's history says who booked). A hold racing
 * its own expiry is either booked here or freed by someone else's statement: the row lock decides.
 */
const BOOK_ON_HOLD_SQL = `
WITH prior AS (
  SELECT appointment_id AS "appointmentId", encode(request_hash, 'hex') AS "requestHash"
  FROM appointment_changes WHERE tenant_id = $1 AND idempotency_key = $7
),
hold AS (
  SELECT a.id, a.held_by, a.hold_expires_at, a.remote_appointment_id, s.centre_id
  FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
  WHERE a.tenant_id = $1 AND a.id = $2 AND a.status = 'HELD' AND NOT EXISTS (SELECT 1 FROM prior)
  FOR UPDATE OF a
),
v AS (
  SELECT hold.id AS hold_id, hold.centre_id, CASE
      -- Once the sharing server booked the twin ($11), it decided: the mirror's copy of the expiry no longer does.
      WHEN hold.held_by <> $9 || ':' || $10 OR (hold.hold_expires_at <= now() AND NOT $11::boolean) THEN 'HOLD_EXPIRED'
      WHEN hold.remote_appointment_id IS NOT NULL AND NOT $11::boolean THEN 'REMOTE_HOLD'
      WHEN $3::uuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.tenant_id = $1 AND p.id = $3::uuid) THEN 'PATIENT_NOT_FOUND'
    END AS problem
  FROM hold
),
new_patient AS (${insertNewPatientSql('$4')}
),
booked AS (
  UPDATE appointments a SET status = 'BOOKED', patient_id = coalesce($3::uuid, (SELECT id FROM new_patient)), note = $8, anonymous = $5,
         hold_expires_at = NULL, held_by = NULL, updated_at = now()
  FROM v WHERE a.tenant_id = $1 AND a.id = v.hold_id AND v.problem IS NULL
  RETURNING ${UPDATED_APPOINTMENT_COLUMNS}
),
logged AS (
  INSERT INTO appointment_changes (tenant_id, appointment_id, action, actor_kind, actor_id, from_status, to_status, starts_at, ends_at, idempotency_key, request_hash)
  SELECT $1, b.id, 'BOOKED', $9, $10, NULL, b.status, b."startsAt", b."endsAt", $7, decode($6, 'hex') FROM booked b
  RETURNING id
)
SELECT EXISTS (SELECT 1 FROM hold) AS "holdFound",
       EXISTS (SELECT 1 FROM audit_events e WHERE e.tenant_id = $1 AND e.action = 'hold.placed' AND e.entity_id = $2::text) AS "wasHold",
       (SELECT problem FROM v) AS problem,
       (SELECT row_to_json(prior) FROM prior) AS prior,
       (SELECT row_to_json(x) FROM (SELECT b.*, (SELECT centre_id FROM v) AS "centreId" FROM booked b) x) AS appointment,
       (SELECT count(*) FROM logged) AS logged`;

/** A hold given back; linkId when it was held in a shared schedule's mirror (its twin is released through the link). */
export interface ReleasedHold {
  id: string;
  centreId: string;
  scheduleId: string;
  startsAt: Date;
  endsAt: Date;
  linkId: string | null;
}

export interface HoldBooking {
  holdId: string;
  patientId?: string;
  newPatient?: NewPatient;
  anonymous?: boolean;
  note?: string;
  idempotencyKey: string;
}

export const holdsRepository = {
  /** `remoteConfirmed`: the hold is in a mirror and its sharing server has booked the twin. */
  async bookOnHold(tx: Tx, request: HoldBooking, actor: Actor, requestHash: string, remoteConfirmed: boolean): Promise<HoldBookingResult> {
    const [row] = await tx.prepared<HoldBookingResult>('careslot_book_on_hold', BOOK_ON_HOLD_SQL, [
      tx.tenantId, request.holdId, request.patientId ?? null, request.newPatient ? JSON.stringify(request.newPatient) : null, request.anonymous ?? false,
      requestHash, request.idempotencyKey, request.note ?? null, actor.kind, actor.id, remoteConfirmed,
    ]);
    return { ...row, appointment: row.appointment && reviveDates(row.appointment) };
  },

  /** A live hold of this holder, as placed (for a replay of its key); undefined once it expired or was released or booked. */
  async liveHold(tx: Tx, holdId: string, heldBy: string): Promise<AppointmentRow | undefined> {
    const [row] = await tx.query<AppointmentRow>(
      `SELECT ${APPOINTMENT_COLUMNS} FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
       WHERE a.tenant_id = $1 AND a.id = $2 AND a.status = 'HELD' AND a.held_by = $3 AND a.hold_expires_at > now()`,
      [tx.tenantId, holdId, heldBy],
    );
    return row;
  },

  /** Gives a holder's hold back: the row goes (its time is free at once). Undefined when there was no such live hold. */
  async release(tx: Tx, holdId: string, heldBy: string): Promise<ReleasedHold | undefined> {
    const [row] = await tx.query<ReleasedHold>(
      `DELETE FROM appointments a USING schedules s
       WHERE a.tenant_id = $1 AND a.id = $2 AND a.status = 'HELD' AND a.held_by = $3
         AND s.tenant_id = a.tenant_id AND s.id = a.schedule_id
       RETURNING a.id, s.centre_id AS "centreId", a.schedule_id AS "scheduleId", a.starts_at AS "startsAt", a.ends_at AS "endsAt", s.link_id AS "linkId"`,
      [tx.tenantId, holdId, heldBy],
    );
    return row;
  },

  /** Whether the id was a hold of this tenant once (its placement is audited). */
  async wasHold(tx: Tx, holdId: string): Promise<boolean> {
    const rows = await tx.query(`SELECT 1 FROM audit_events WHERE tenant_id = $1 AND action = 'hold.placed' AND entity_id = $2 LIMIT 1`, [tx.tenantId, holdId]);
    return rows.length > 0;
  },
};
