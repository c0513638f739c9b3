import type { Tx } from '../../db/unit-of-work';
import type { AuditActor as Actor } from '../common/audit-log.sql';
import type { AppointmentRow, BookingRequest } from './appointment.model';
import { RETURNED_APPOINTMENT_COLUMNS } from './appointment-columns.sql';
import { insertNewPatientSql } from './new-patient.sql';
import { scheduleBookingLock } from './schedule-booking-lock.sql';
import { createHash } from 'node:crypto';
import type { MirrorPlanJson } from './mirror-schedules';
import type { BookingDoor } from './booking-door';

/** What the one booking statement found out. */
export interface BookingStatementResult {
  /** False when the schedule does not exist for this tenant. */
  scheduleFound: boolean;
  /**
   * Null when bookable; else the door's refusal (PARTNER_NOT_FOUND, PARTNER_INACTIVE, CENTRE_OFFLINE,
   * SERVICE_NOT_ACTIVATED_FOR_PARTNER, NOT_BOOKABLE_THROUGH_SHARE), or SERVICE_NOT_OFFERED,
   * PATIENT_NOT_FOUND, IN_THE_PAST, OFF_GRID or OUTSIDE_HOURS.
   */
  problem: string | null;
  /** The earlier change made with this idempotency key, if any. */
  prior: { appointmentId: string; requestHash: string } | null;
  appointment: AppointmentRow | null;
  /** When the schedule is a mirror of a shared schedule: what booking it through its sharing server needs (as JSON). */
  mirrorPlan: MirrorPlanJson | null;
}

/**
 * The whole happy path of a booking in ONE statement (the whole transaction, one round trip):
 * idempotency look-up, schedule, service and patient checks, the slot grid and opening hours
 * (careslot_slot_problem, inlined into this statement's plan), the optional new patient, the
 * appointment, its first history entry and, when asked for, its audit record.
 * In a mirror of a shared schedule nothing is written: the answer carries what booking it through
 * the sharing server needs instead (one round trip fewer for a booking through a share).
 * The door's policy ($21, BookingDoor) is part of the statement: a partner books only through an
 * activated traffic channel of an online centre while the partner is active, a peer only in a
 * schedule of its live share, at an online centre, a service the share allows. The rows that say
 * so are share-locked: a channel removed, a partner deactivated, a centre taken offline or a share
 * revoked by a concurrent transaction waits for this booking, or this booking sees the change.
 * A taken slot is refused by the exclusion constraint (SQLSTATE 23P01), not by a prior read; the
 * schedule's booking lock (taken with the schedule) keeps concurrent inserts from deadlocking in it.
 */
function bookingSql(mirrorPlanSql: string): string {
  return `
WITH prior AS (
  SELECT appointment_id AS "appointmentId", encode(request_hash, 'hex') AS "requestHash"
  FROM appointment_changes WHERE tenant_id = $1 AND idempotency_key = $9
),
target AS (
  SELECT s.id AS schedule_id, s.centre_id, s.slot_minutes, c.time_zone, sv.id AS service_id, sv.duration_minutes,
         EXISTS (SELECT 1 FROM schedule_services ss WHERE ss.tenant_id = $1 AND ss.schedule_id = s.id AND ss.service_id = sv.id) AS offered
  FROM schedules s
  JOIN centres c ON c.tenant_id = s.tenant_id AND c.id = s.centre_id
  LEFT JOIN services sv ON sv.tenant_id = s.tenant_id AND sv.id = $3
  ${scheduleBookingLock('s.id')}
  -- mirrors are booked through their sharing server, external schedules through their booking system
  WHERE s.tenant_id = $1 AND s.id = $2 AND s.active AND s.link_id IS NULL AND s.external_schedule_ref IS NULL
),
-- The door's rows, each locked on its own: a locked read answers the row as the transaction that
-- held it left it, so the reason given is the current one.
door_centre AS (
  SELECT c.offline FROM target, centres c
  WHERE $21 IN ('PARTNER', 'SHARE') AND c.tenant_id = $1 AND c.id = target.centre_id
  FOR SHARE OF c
),
door_partner AS (
  SELECT p.active FROM partners p WHERE $21 = 'PARTNER' AND p.tenant_id = $1 AND p.id = $22::uuid
  FOR SHARE
),
door_channel AS (
  SELECT 1 FROM target, traffic_channels tc
  WHERE $21 = 'PARTNER' AND tc.tenant_id = $1 AND tc.partner_id = $22::uuid AND tc.centre_id = target.centre_id AND tc.service_id = target.service_id
  FOR KEY SHARE OF tc
),
door_share AS (
  SELECT 1 FROM target, schedule_shares sh
  WHERE $21 = 'SHARE' AND sh.tenant_id = $1 AND sh.id = $14::uuid AND sh.revoked_at IS NULL AND sh.centre_id = target.centre_id
    AND EXISTS (SELECT 1 FROM schedule_share_schedules sss WHERE sss.tenant_id = $1 AND sss.share_id = sh.id AND sss.schedule_id = target.schedule_id)
    AND (cardinality(sh.allowed_service_ids) = 0 OR target.service_id = ANY (sh.allowed_service_ids))
  FOR SHARE OF sh
),
v AS (
  SELECT target.*, CASE
      WHEN $21 = 'PARTNER' AND NOT EXISTS (SELECT 1 FROM door_partner) THEN 'PARTNER_NOT_FOUND'
      WHEN $21 = 'PARTNER' AND NOT (SELECT active FROM door_partner) THEN 'PARTNER_INACTIVE'
      WHEN $21 = 'PARTNER' AND (SELECT offline FROM door_centre) THEN 'CENTRE_OFFLINE'
      WHEN $21 = 'PARTNER' AND NOT EXISTS (SELECT 1 FROM door_channel) THEN 'SERVICE_NOT_ACTIVATED_FOR_PARTNER'
      WHEN $21 = 'SHARE' AND ((SELECT offline FROM door_centre) OR NOT EXISTS (SELECT 1 FROM door_share)) THEN 'NOT_BOOKABLE_THROUGH_SHARE'
      WHEN target.service_id IS NULL OR NOT target.offered THEN 'SERVICE_NOT_OFFERED'
      WHEN $5::uuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.tenant_id = $1 AND p.id = $5::uuid) THEN 'PATIENT_NOT_FOUND'
      WHEN $4::timestamptz < now() THEN 'IN_THE_PAST'
      ELSE slot.problem
    END AS problem
  FROM target
  CROSS JOIN LATERAL careslot_slot_problem($1, target.schedule_id, target.time_zone, target.slot_minutes, $4::timestamptz, target.duration_minutes) AS slot
  WHERE NOT EXISTS (SELECT 1 FROM prior)
),
-- Expired holds on this time are freed first (whoever placed them): a hold holds nothing past its expiry.
freed AS (
  SELECT careslot_free_expired_holds($1, v.schedule_id, $4::timestamptz, $4::timestamptz + make_interval(mins => v.duration_minutes)) AS n
  FROM v WHERE v.problem IS NULL
),
new_patient AS (${insertNewPatientSql('$6')}
),
booked AS (
  INSERT INTO appointments (tenant_id, schedule_id, service_id, patient_id, starts_at, ends_at, origin, anonymous, note,
                            share_id, client_reference, client_centre_name, remote_appointment_id, partner_id,
                            status, hold_expires_at, held_by)
  SELECT $1, v.schedule_id, v.service_id, coalesce($5::uuid, (SELECT id FROM new_patient)), $4::timestamptz,
         $4::timestamptz + make_interval(mins => v.duration_minutes), $7, $8, $10, $14::uuid, $15, $16, $17::uuid, $22::uuid,
         -- A hold's expiry on a whole second: availability shows instants to the second.
         CASE WHEN $23::int IS NULL THEN 'BOOKED' ELSE 'HELD' END, date_trunc('second', now() + make_interval(secs => $23::int)),
         CASE WHEN $23::int IS NOT NULL THEN $11 || ':' || $12 END
  FROM v WHERE v.problem IS NULL AND (SELECT count(*) FROM freed) >= 0
  RETURNING ${RETURNED_APPOINTMENT_COLUMNS}
),
logged AS (
  INSERT INTO appointment_changes (tenant_id, appointment_id, action, actor_kind, actor_id, to_status, starts_at, ends_at, idempotency_key, request_hash)
  SELECT $1, b.id, CASE WHEN $23::int IS NULL THEN 'BOOKED' ELSE 'HELD' END, $11, $12, b.status, b."startsAt", b."endsAt", $9, decode($13, 'hex') FROM booked b
  RETURNING id
),
audited AS (
  INSERT INTO audit_events (tenant_id, actor_kind, actor_id, action, entity_type, entity_id, request_id, details)
  SELECT $1, $11, $12, $18, 'Appointment', b.id, $20,
         $19::jsonb || jsonb_build_object('scheduleId', b."scheduleId", 'serviceId', b."serviceId", 'patientId', b."patientId",
                                          'patientCreated', EXISTS (SELECT 1 FROM new_patient))
  FROM booked b WHERE $18::text IS NOT NULL
  RETURNING id
)
SELECT (SELECT count(*) FROM target) > 0 AS "scheduleFound",
       -- Read only when no local schedule answered (a one-time filter): a remote schedule's plan, in the same round trip.
       -- A peer never books through this server onward; the plan decides what staff and partners may reach.
       (SELECT row_to_json(plan) FROM (${mirrorPlanSql}) plan
        WHERE $21 IN ('STAFF', 'PARTNER') AND NOT EXISTS (SELECT 1 FROM target) AND NOT EXISTS (SELECT 1 FROM prior)) AS "mirrorPlan",
       (SELECT problem FROM v) AS problem,
       (SELECT row_to_json(prior) FROM prior) AS prior,
       (SELECT row_to_json(x) FROM (SELECT b.*, (SELECT centre_id FROM v) AS "centreId" FROM booked b) x) AS appointment,
       (SELECT count(*) FROM logged) AS logged,
       (SELECT count(*) FROM audited) AS audited`;
}

/** The booking statement with its mirror plan, named after its text (a server may hold both kinds). */
export interface BookingStatement {
  name: string;
  sql: string;
}

export function bookingStatement(mirrorPlanSql: (scheduleParam: string, patientParam: string) => string): BookingStatement {
  const sql = bookingSql(mirrorPlanSql('$2', '$5'));
  return { name: `careslot_book_${createHash('sha256').update(sql).digest('hex').slice(0, 12)}`, sql };
}

export async function runBookingStatement(
  tx: Tx, statement: BookingStatement, request: BookingRequest, door: BookingDoor, actor: Actor, requestHash: string, requestId: string | null = null,
): Promise<BookingStatementResult> {
  const [row] = await tx.prepared<BookingStatementResult>(statement.name, statement.sql, [
    tx.tenantId, request.scheduleId, request.serviceId, request.start, request.patientId ?? null,
    request.newPatient ? JSON.stringify(request.newPatient) : null, door.origin, request.anonymous ?? false,
    request.idempotencyKey, request.note ?? null, actor.kind, actor.id, requestHash,
    door.kind === 'SHARE' ? door.shareId : null, request.twin?.clientReference ?? null, request.twin?.clientCentreName ?? null, request.remoteAppointmentId ?? null,
    request.audit?.action ?? null, request.audit ? JSON.stringify(request.audit.details) : null, requestId,
    door.kind, door.kind === 'PARTNER' ? door.partnerId : null, request.holdSeconds ?? null,
  ]);
  return { ...row, appointment: row.appointment && reviveDates(row.appointment) };
}

/** row_to_json turns instants into strings; the rest of the code works with Dates. */
export function reviveDates(row: AppointmentRow): AppointmentRow {
  return {
    ...row, startsAt: new Date(row.startsAt), endsAt: new Date(row.endsAt), createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt),
    holdExpiresAt: row.holdExpiresAt && new Date(row.holdExpiresAt),
  };
}
