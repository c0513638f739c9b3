import type { Tx } from '../../db/unit-of-work';

export interface AvailabilityFilter {
  centreId: string;
  from: Date;
  to: Date;
  serviceId?: string;
  practitionerId?: string;
  qualification?: string;
  includeSlots: boolean;
}

/** ISO instants in UTC, as PostgreSQL formats them: no Date objects on this hot path. */
export type Instant = string;

export interface AvailabilityRow {
  scheduleId: string;
  /** Merged free time inside opening hours and the window: [start, end) pairs. */
  free: Array<[Instant, Instant]>;
  /** Merged booked time inside opening hours and the window. */
  occupied: Array<[Instant, Instant]>;
  /** Grid slots ([start, end, FREE|OCCUPIED]) when asked for, else null. */
  slots: Array<[Instant, Instant, 'FREE' | 'OCCUPIED']> | null;
}

/**
 * Availability of a centre's schedules in ONE statement, computed, never stored. Weekly hours are
 * expanded per local day (`(day + time) AT TIME ZONE tz`), so days with a DST change get their
 * real length; extra hours add blocks, closures and bookings are subtracted as multiranges.
 * Slots sit on a grid anchored at each opening block's start. A slot is FREE when the service
 * (or one slot, without a service) fits into free time from its start, OCCUPIED when it overlaps
 * a booking; slots that are neither (the service would run past closing) are not offered.
 */
const AVAILABILITY_SQL = `
WITH sched AS (
  SELECT s.id, c.time_zone AS tz, make_interval(mins => s.slot_minutes) AS slot,
         make_interval(mins => coalesce(sv.duration_minutes, s.slot_minutes)) AS need
  FROM schedules s
  JOIN centres c ON c.tenant_id = s.tenant_id AND c.id = s.centre_id
  LEFT JOIN practitioners p ON p.tenant_id = s.tenant_id AND p.id = s.practitioner_id
  LEFT JOIN services sv ON sv.tenant_id = s.tenant_id AND sv.id = $5::uuid
  WHERE s.tenant_id = $1 AND s.centre_id = $2 AND s.active
    AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM schedule_services ss WHERE ss.tenant_id = s.tenant_id AND ss.schedule_id = s.id AND ss.service_id = $5::uuid))
    AND ($6::uuid IS NULL OR s.practitioner_id = $6::uuid)
    AND ($7::text IS NULL OR $7::text = ANY (p.qualifications))
),
exceptions AS (
  SELECT e.schedule_id, e.kind, tstzrange(e.starts_local AT TIME ZONE sched.tz, e.ends_local AT TIME ZONE sched.tz) AS span
  FROM schedule_exceptions e JOIN sched ON sched.id = e.schedule_id
  WHERE e.tenant_id = $1 AND e.starts_local < ($4::timestamptz AT TIME ZONE sched.tz) + interval '1 day'
    AND e.ends_local > ($3::timestamptz AT TIME ZONE sched.tz) - interval '1 day'
),
blocks AS (
  SELECT sched.id AS schedule_id, tstzrange((d.day + oh.start_time) AT TIME ZONE sched.tz, (d.day + oh.end_time) AT TIME ZONE sched.tz) AS block
  FROM sched
  CROSS JOIN LATERAL generate_series(($3::timestamptz AT TIME ZONE sched.tz)::date - 1, ($4::timestamptz AT TIME ZONE sched.tz)::date, interval '1 day') AS d(day)
  JOIN opening_hours oh ON oh.tenant_id = $1 AND oh.schedule_id = sched.id AND oh.weekday = extract(isodow FROM d.day)
    AND d.day::date >= oh.valid_from AND (oh.valid_until IS NULL OR d.day::date <= oh.valid_until)
  UNION ALL
  SELECT schedule_id, span FROM exceptions WHERE kind = 'EXTRA_HOURS'
),
open AS (
  SELECT sched.id AS schedule_id,
         (coalesce((SELECT range_agg(b.block) FROM blocks b WHERE b.schedule_id = sched.id), '{}'::tstzmultirange)
          - coalesce((SELECT range_agg(x.span) FROM exceptions x WHERE x.schedule_id = sched.id AND x.kind = 'CLOSED'), '{}'::tstzmultirange))
          * tstzmultirange(tstzrange($3::timestamptz, $4::timestamptz)) AS open,
         coalesce((SELECT range_agg(tstzrange(a.starts_at, a.ends_at)) FROM appointments a
                   WHERE a.tenant_id = $1 AND a.schedule_id = sched.id AND a.status <> 'CANCELLED'
                     AND a.starts_at < $4::timestamptz AND a.ends_at > $3::timestamptz), '{}'::tstzmultirange) AS busy
  FROM sched
),
agenda AS (
  SELECT schedule_id, open, open - busy AS free, open * busy AS occupied FROM open
)
SELECT agenda.schedule_id AS "scheduleId",
       (SELECT coalesce(json_agg(json_build_array(careslot_utc(lower(r)), careslot_utc(upper(r))) ORDER BY r), '[]') FROM unnest(agenda.free) r) AS "free",
       (SELECT coalesce(json_agg(json_build_array(careslot_utc(lower(r)), careslot_utc(upper(r))) ORDER BY r), '[]') FROM unnest(agenda.occupied) r) AS "occupied",
       CASE WHEN $8::boolean THEN (
         SELECT coalesce(json_agg(json_build_array(careslot_utc(g.start), careslot_utc(g.start + sched.slot),
                  CASE WHEN tstzrange(g.start, g.start + sched.need) <@ agenda.free THEN 'FREE' ELSE 'OCCUPIED' END) ORDER BY g.start), '[]')
         FROM blocks b CROSS JOIN LATERAL generate_series(lower(b.block), upper(b.block) - sched.slot, sched.slot) AS g(start)
         WHERE b.schedule_id = agenda.schedule_id
           AND tstzrange(g.start, g.start + sched.slot) <@ agenda.open
           AND (tstzrange(g.start, g.start + sched.need) <@ agenda.free OR tstzrange(g.start, g.start + sched.slot) && agenda.occupied)
       ) END AS "slots"
FROM agenda JOIN sched ON sched.id = agenda.schedule_id
ORDER BY agenda.schedule_id`;

export async function queryAvailability(tx: Tx, filter: AvailabilityFilter): Promise<AvailabilityRow[]> {
  return tx.query<AvailabilityRow>(AVAILABILITY_SQL, [
    tx.tenantId, filter.centreId, filter.from, filter.to,
    filter.serviceId ?? null, filter.practitionerId ?? null, filter.qualification ?? null, filter.includeSlots,
  ]);
}
