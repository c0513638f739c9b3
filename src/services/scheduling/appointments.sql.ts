import type { Tx } from '../../db/unit-of-work';
import type { AppointmentChangeRow, AppointmentFilter, AppointmentRow } from './appointment.model';
import { APPOINTMENT_COLUMNS } from './appointment-columns.sql';
import type { ScheduleRow } from '../catalog/catalog.model';

/** Holds live in the appointments table (the exclusion constraint covers them) but are no appointments. */
export const NOT_A_HOLD = `a.status <> 'HELD'`;

/** Appointments and live holds: what takes a share's daily quota (an expired hold holds nothing, swept or not). */
export const TAKES_TIME = `a.status <> 'CANCELLED' AND (a.status <> 'HELD' OR a.hold_expires_at > now())`;

const FROM_APPOINTMENTS = `FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id`;

/**
 * From which instant a list reads: the end after it, and the start at most a day before it
 * (appointments last at most a day), so the (tenant_id, starts_at) index reads only the period.
 */
export const APPOINTMENT_PERIOD_FROM = `(a.ends_at > $5 AND a.starts_at > $5::timestamptz - interval '1 day')`;

/**
 * The filters, keyset and order of a list of appointments (a joined to its schedule s), written for
 * the filters given: an absent one is a constant `$n IS NULL`, so even a prepared statement's
 * generic plan keeps the index bounds of those present. $1 tenant, $2 centre, $3 schedule,
 * $4 patient, $5 from, $6 to, $7 statuses, $8 origins, $9/$10 the keyset, $11 the limit, $12 partners.
 */
export function appointmentListPage(filter: AppointmentFilter, keyset: boolean): string {
  const when = (given: unknown, predicate: string, absent: string) => (given != null ? predicate : `${absent} IS NULL`);
  return `WHERE a.tenant_id = $1 AND ${NOT_A_HOLD}
    AND ${when(filter.centreId, 's.centre_id = $2', '$2::uuid')} AND ${when(filter.scheduleId, 'a.schedule_id = $3', '$3::uuid')}
    AND ${when(filter.patientId, 'a.patient_id = $4', '$4::uuid')}
    AND ${when(filter.from, APPOINTMENT_PERIOD_FROM, '$5::timestamptz')} AND ${when(filter.to, 'a.starts_at < $6', '$6::timestamptz')}
    AND ${when(filter.statuses, 'a.status = ANY ($7)', '$7::text[]')} AND ${when(filter.origins, 'a.origin = ANY ($8)', '$8::text[]')}
    AND ${keyset ? '(a.starts_at, a.id) > ($9, $10::uuid)' : '$9::timestamptz IS NULL AND $10::uuid IS NULL'}
    AND ${when(filter.partnerIds, 'a.partner_id = ANY ($12)', '$12::uuid[]')}
  ORDER BY a.starts_at, a.id LIMIT $11`;
}

/** appointmentListPage's parameters. */
export function appointmentListParameters(tx: Tx, filter: AppointmentFilter, page: { limit: number; after?: [string, string] }): unknown[] {
  return [tx.tenantId, filter.centreId ?? null, filter.scheduleId ?? null, filter.patientId ?? null, filter.from ?? null, filter.to ?? null,
    filter.statuses ?? null, filter.origins ?? null, page.after?.[0] ?? null, page.after?.[1] ?? null, page.limit, filter.partnerIds ?? null];
}

export const appointmentsRepository = {
  async findByIds(tx: Tx, ids: readonly string[]): Promise<AppointmentRow[]> {
    return tx.query<AppointmentRow>(`SELECT ${APPOINTMENT_COLUMNS} ${FROM_APPOINTMENTS} WHERE a.tenant_id = $1 AND a.id = ANY($2::uuid[]) AND ${NOT_A_HOLD}`, [tx.tenantId, ids]);
  },

  /**
   * Keyset page ordered by (starts_at, id). Each row carries its schedule too (the join is there
   * anyway), so an agenda's nested schedule costs no statement of its own.
   */
  async list(tx: Tx, filter: AppointmentFilter, page: { limit: number; after?: [string, string] }): Promise<Array<AppointmentRow & { schedule: ScheduleRow }>> {
    const rows = await tx.query<AppointmentRow & { schedule: ScheduleRow }>(
      `SELECT ${APPOINTMENT_COLUMNS},
              json_build_object('id', s.id, 'centreId', s.centre_id, 'practitionerId', s.practitioner_id, 'name', s.name,
                'slotMinutes', s.slot_minutes, 'active', s.active, 'createdAt', s.created_at, 'updatedAt', s.updated_at) AS schedule
       ${FROM_APPOINTMENTS}
       ${appointmentListPage(filter, page.after !== undefined)}`,
      appointmentListParameters(tx, filter, page),
    );
    return rows.map((row) => ({ ...row, schedule: { ...row.schedule, createdAt: new Date(row.schedule.createdAt), updatedAt: new Date(row.schedule.updatedAt) } }));
  },

  async changesOf(tx: Tx, appointmentIds: readonly string[]): Promise<AppointmentChangeRow[]> {
    return tx.query<AppointmentChangeRow>(
      `SELECT id, appointment_id AS "appointmentId", occurred_at AS "occurredAt", action, actor_kind AS "actorKind",
              actor_id AS "actorId", from_status AS "fromStatus", to_status AS "toStatus", starts_at AS "startsAt", ends_at AS "endsAt"
       FROM appointment_changes WHERE tenant_id = $1 AND appointment_id = ANY($2::uuid[])
         AND action <> 'HELD' -- the hold before a booking keeps its key here; the history starts at the booking
       ORDER BY occurred_at, id`,
      [tx.tenantId, appointmentIds],
    );
  },

  async changeByKey(tx: Tx, idempotencyKey: string): Promise<{ appointmentId: string; requestHash: string } | undefined> {
    const [row] = await tx.query<{ appointmentId: string; requestHash: string }>(
      `SELECT appointment_id AS "appointmentId", encode(request_hash, 'hex') AS "requestHash" FROM appointment_changes WHERE tenant_id = $1 AND idempotency_key = $2`,
      [tx.tenantId, idempotencyKey],
    );
    return row;
  },
};
