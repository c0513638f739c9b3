import type { Tx } from '../../db/unit-of-work';
import type { ExceptionKind } from '../../entities';
import type { OpeningHoursRow, ScheduleExceptionRow, WeeklyHours } from './catalog.model';
import { lookupableIds } from './catalog-support.sql';

// Local times and dates leave the database as text in the API's own formats, never as Date objects.
const HOURS_COLUMNS = `id, schedule_id AS "scheduleId", weekday, to_char(start_time, 'HH24:MI') AS "startTime",
  to_char(end_time, 'HH24:MI') AS "endTime", to_char(valid_from, 'YYYY-MM-DD') AS "validFrom",
  to_char(valid_until, 'YYYY-MM-DD') AS "validUntil"`;
const EXCEPTION_COLUMNS = `id, schedule_id AS "scheduleId", kind, to_char(starts_local, 'YYYY-MM-DD"T"HH24:MI') AS "startsLocal",
  to_char(ends_local, 'YYYY-MM-DD"T"HH24:MI') AS "endsLocal", reason`;

export interface ExceptionFields {
  kind: ExceptionKind;
  startsLocal: string;
  endsLocal: string;
  reason: string | null;
}

/** SQL for weekly opening hours and schedule exceptions. */
export const scheduleHoursRepository = {
  async replaceOpeningHours(tx: Tx, scheduleId: string, hours: readonly WeeklyHours[]): Promise<void> {
    await tx.query(`DELETE FROM opening_hours WHERE tenant_id = $1 AND schedule_id = $2`, [tx.tenantId, scheduleId]);
    if (hours.length === 0) return;
    await tx.query(
      `INSERT INTO opening_hours (tenant_id, schedule_id, weekday, start_time, end_time, valid_from, valid_until)
       SELECT $1, $2, h.weekday, h.start_time, h.end_time, h.valid_from, h.valid_until
       FROM unnest($3::smallint[], $4::time[], $5::time[], $6::date[], $7::date[]) AS h(weekday, start_time, end_time, valid_from, valid_until)`,
      [
        tx.tenantId, scheduleId, hours.map((h) => h.weekday), hours.map((h) => h.startTime), hours.map((h) => h.endTime),
        hours.map((h) => h.validFrom), hours.map((h) => h.validUntil),
      ],
    );
  },

  async openingHoursOf(tx: Tx, scheduleIds: readonly string[]): Promise<OpeningHoursRow[]> {
    return tx.query<OpeningHoursRow>(
      `SELECT ${HOURS_COLUMNS} FROM opening_hours WHERE tenant_id = $1 AND schedule_id = ANY($2::uuid[])
       ORDER BY weekday, valid_from, start_time, id`,
      [tx.tenantId, lookupableIds(scheduleIds)],
    );
  },

  async insertException(tx: Tx, scheduleId: string, exception: ExceptionFields): Promise<ScheduleExceptionRow> {
    const [row] = await tx.query<ScheduleExceptionRow>(
      `INSERT INTO schedule_exceptions (tenant_id, schedule_id, kind, starts_local, ends_local, reason) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${EXCEPTION_COLUMNS}`,
      [tx.tenantId, scheduleId, exception.kind, exception.startsLocal, exception.endsLocal, exception.reason],
    );
    return row;
  },

  async deleteException(tx: Tx, id: string): Promise<ScheduleExceptionRow | undefined> {
    const [row] = await tx.query<ScheduleExceptionRow>(
      `DELETE FROM schedule_exceptions WHERE tenant_id = $1 AND id = $2 RETURNING ${EXCEPTION_COLUMNS}`, [tx.tenantId, id],
    );
    return row;
  },

  async exceptionsOf(tx: Tx, scheduleIds: readonly string[]): Promise<ScheduleExceptionRow[]> {
    return tx.query<ScheduleExceptionRow>(
      `SELECT ${EXCEPTION_COLUMNS} FROM schedule_exceptions WHERE tenant_id = $1 AND schedule_id = ANY($2::uuid[])
       ORDER BY starts_local, id`,
      [tx.tenantId, lookupableIds(scheduleIds)],
    );
  },
};
