import type { Tx } from '../../db/unit-of-work';
import type { AppointmentStatus } from '../../entities';
import type { AuditActor } from '../common/audit-log.sql';
import type { AppointmentRow } from './appointment.model';
import { RETURNED_APPOINTMENT_COLUMNS } from './appointment-columns.sql';
import { reviveDates } from './booking.sql';
import { scheduleBookingLock } from './schedule-booking-lock.sql';

/** What one change statement found: the current state, an earlier change with the same key, the result. */
export interface ChangeStatementResult {
  found: boolean;
  currentStatus: AppointmentStatus | null;
  problem: string | null;
  prior: { appointmentId: string; requestHash: string } | null;
  appointment: AppointmentRow | null;
  /** The appointment's time before the change (for a move: where it came from). */
  previous: { startsAt: Date; endsAt: Date } | null;
}

export interface ChangeKey {
  idempotencyKey: string | null;
  requestHash: string | null;
}

/** Shared head of every change: the idempotency look-up and the locked current row. */
const CURRENT = `
prior AS (
  SELECT appointment_id AS "appointmentId", encode(request_hash, 'hex') AS "requestHash"
  FROM appointment_changes WHERE tenant_id = $1 AND idempotency_key = $3
),
cur AS (
  SELECT a.id, a.status, a.service_id, a.starts_at, a.ends_at, s.id AS schedule_id, s.centre_id, s.slot_minutes, c.time_zone, s.link_id
  FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
  JOIN centres c ON c.tenant_id = s.tenant_id AND c.id = s.centre_id
  WHERE a.tenant_id = $1 AND a.id = $2 AND a.status <> 'HELD' -- a hold is no appointment (holds.sql.ts)
  FOR UPDATE OF a
)`;

const TAIL = (action: string) => `
logged AS (
  INSERT INTO appointment_changes (tenant_id, appointment_id, action, actor_kind, actor_id, from_status, to_status, starts_at, ends_at, idempotency_key, request_hash)
  SELECT $1, ch.id, ${action}, $5, $6, (SELECT status FROM cur), ch.status, ch."startsAt", ch."endsAt", $3, decode($4, 'hex') FROM changed ch
  RETURNING id
)
SELECT EXISTS (SELECT 1 FROM cur) AS found, (SELECT status FROM cur) AS "currentStatus",
       (SELECT problem FROM v) AS problem, (SELECT row_to_json(prior) FROM prior) AS prior,
       (SELECT row_to_json(x) FROM (SELECT ch.*, (SELECT centre_id FROM cur) AS "centreId" FROM changed ch) x) AS appointment,
       (SELECT json_build_object('startsAt', starts_at, 'endsAt', ends_at) FROM cur) AS previous,
       (SELECT count(*) FROM logged) AS logged`;

/** A status change (confirm, cancel, arrive, fulfil, no-show) in one statement, allowed only from `allowedFrom`. */
const CHANGE_STATUS_SQL = `
WITH ${CURRENT},
v AS (SELECT CASE WHEN cur.status = ANY ($8::text[]) THEN NULL ELSE 'ILLEGAL_TRANSITION' END AS problem FROM cur WHERE NOT EXISTS (SELECT 1 FROM prior)),
changed AS (
  UPDATE appointments a SET status = $7, cancellation_code = coalesce($9, a.cancellation_code),
         cancellation_text = coalesce($10, a.cancellation_text), updated_at = now()
  FROM v WHERE a.tenant_id = $1 AND a.id = $2 AND v.problem IS NULL
  RETURNING ${RETURNED_APPOINTMENT_COLUMNS}
),
${TAIL("'STATUS_CHANGED'")}`;

/**
 * A reschedule in one statement: same checks as a booking for the new start; identity and history
 * stay. In a shared schedule's mirror it changes nothing and answers REMOTE: the sharing server decides.
 */
const RESCHEDULE_SQL = `
WITH ${CURRENT},
v AS (
  SELECT CASE
      WHEN NOT (cur.status = ANY ($8::text[])) THEN 'ILLEGAL_TRANSITION'
      WHEN cur.link_id IS NOT NULL THEN 'REMOTE'
      WHEN $7::timestamptz < now() THEN 'IN_THE_PAST'
      ELSE slot.problem
    END AS problem, sv.duration_minutes
  FROM cur JOIN services sv ON sv.tenant_id = $1 AND sv.id = cur.service_id
  CROSS JOIN LATERAL careslot_slot_problem($1, cur.schedule_id, cur.time_zone, cur.slot_minutes, $7::timestamptz, sv.duration_minutes) AS slot
  ${scheduleBookingLock('cur.schedule_id')}
  WHERE NOT EXISTS (SELECT 1 FROM prior)
),
-- Expired holds on the new time are freed first, as for a booking.
freed AS (
  SELECT careslot_free_expired_holds($1, cur.schedule_id, $7::timestamptz, $7::timestamptz + make_interval(mins => v.duration_minutes))
  FROM cur, v WHERE v.problem IS NULL
),
changed AS (
  UPDATE appointments a SET starts_at = $7::timestamptz, ends_at = $7::timestamptz + make_interval(mins => v.duration_minutes),
         status = 'BOOKED', updated_at = now()
  FROM v WHERE a.tenant_id = $1 AND a.id = $2 AND v.problem IS NULL AND (SELECT count(*) FROM freed) >= 0
  RETURNING ${RETURNED_APPOINTMENT_COLUMNS}
),
${TAIL("'RESCHEDULED'")}`;

/**
 * A move another server decided (the sharing server of a shared schedule): the times as it set
 * them, no slot checks here. Changes nothing (and logs nothing) when the times are already these.
 */
const CONFIRMED_MOVE_SQL = `
WITH ${CURRENT},
v AS (SELECT CASE WHEN cur.status = ANY ($8::text[]) THEN NULL ELSE 'ILLEGAL_TRANSITION' END AS problem FROM cur WHERE NOT EXISTS (SELECT 1 FROM prior)),
changed AS (
  UPDATE appointments a SET starts_at = $7::timestamptz, ends_at = $9::timestamptz, status = 'BOOKED', updated_at = now()
  FROM v WHERE a.tenant_id = $1 AND a.id = $2 AND v.problem IS NULL
    AND (a.starts_at, a.ends_at) IS DISTINCT FROM ($7::timestamptz, $9::timestamptz)
  RETURNING ${RETURNED_APPOINTMENT_COLUMNS}
),
${TAIL("'RESCHEDULED'")}`;

export async function runConfirmedMove(
  tx: Tx, move: { appointmentId: string; start: Date; end: Date; allowedFrom: readonly AppointmentStatus[] }, key: ChangeKey, actor: AuditActor,
): Promise<ChangeStatementResult> {
  const [row] = await tx.prepared<ChangeStatementResult>('careslot_confirmed_move', CONFIRMED_MOVE_SQL, [
    tx.tenantId, move.appointmentId, key.idempotencyKey, key.requestHash, actor.kind, actor.id, move.start, move.allowedFrom, move.end,
  ]);
  return revive(row);
}

export interface StatusChange {
  appointmentId: string;
  to: AppointmentStatus;
  allowedFrom: readonly AppointmentStatus[];
  cancellation?: { code: string; text?: string };
}

export async function runStatusChange(tx: Tx, change: StatusChange, key: ChangeKey, actor: AuditActor): Promise<ChangeStatementResult> {
  const [row] = await tx.prepared<ChangeStatementResult>('careslot_change_status', CHANGE_STATUS_SQL, [
    tx.tenantId, change.appointmentId, key.idempotencyKey, key.requestHash, actor.kind, actor.id,
    change.to, change.allowedFrom, change.cancellation?.code ?? null, change.cancellation?.text ?? null,
  ]);
  return revive(row);
}

export async function runReschedule(
  tx: Tx, move: { appointmentId: string; start: Date; allowedFrom: readonly AppointmentStatus[] }, key: ChangeKey, actor: AuditActor,
): Promise<ChangeStatementResult> {
  const [row] = await tx.prepared<ChangeStatementResult>('careslot_reschedule', RESCHEDULE_SQL, [
    tx.tenantId, move.appointmentId, key.idempotencyKey, key.requestHash, actor.kind, actor.id, move.start, move.allowedFrom,
  ]);
  return revive(row);
}

function revive(row: ChangeStatementResult): ChangeStatementResult {
  return {
    ...row, appointment: row.appointment && reviveDates(row.appointment),
    previous: row.previous && { startsAt: new Date(row.previous.startsAt), endsAt: new Date(row.previous.endsAt) },
  };
}
