/**
 * SQL functions shared by availability and booking, so "open", "closed" and "on the grid"
 * mean exactly the same thing when slots are shown and when one is booked. They run as the
 * caller (SECURITY INVOKER): row-level security applies inside them too.
 */
export const SCHEDULING_FUNCTIONS_UP = [
  // Instants leave the database as ISO-8601 UTC text, so hot read paths build no Date objects.
  `CREATE FUNCTION careslot_utc(t timestamptz) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
   RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,

  // A local [start, end) as real time. A start in the spring-forward gap moves forward by the gap
  // and may pass an end that did not move: such a range is empty, never an error.
  `CREATE FUNCTION careslot_local_range(p_start timestamp, p_end timestamp, p_tz text) RETURNS tstzrange
   LANGUAGE sql STABLE PARALLEL SAFE
   RETURN tstzrange(p_start AT TIME ZONE p_tz, greatest(p_start AT TIME ZONE p_tz, p_end AT TIME ZONE p_tz))`,

  // Opening blocks around a window: weekly hours expanded per LOCAL day (so DST days get their real
  // length), plus extra hours. A slot grid is anchored at each block's start.
  `CREATE FUNCTION careslot_schedule_blocks(p_tenant uuid, p_schedule uuid, p_tz text, p_from timestamptz, p_to timestamptz)
   RETURNS TABLE (block tstzrange) LANGUAGE sql STABLE AS $$
     -- d.day is a DATE: date + time is a local timestamp, which AT TIME ZONE turns into the right instant.
     SELECT careslot_local_range((d.day + oh.start_time), (d.day + oh.end_time), p_tz)
     FROM generate_series(0, (p_to AT TIME ZONE p_tz)::date - (p_from AT TIME ZONE p_tz)::date + 2) AS i
     CROSS JOIN LATERAL (SELECT (p_from AT TIME ZONE p_tz)::date - 1 + i AS day) AS d
     JOIN opening_hours oh ON oh.tenant_id = p_tenant AND oh.schedule_id = p_schedule
      AND oh.weekday = extract(isodow FROM d.day)
      AND d.day >= oh.valid_from AND (oh.valid_until IS NULL OR d.day <= oh.valid_until)
     UNION ALL
     SELECT careslot_local_range(e.starts_local, e.ends_local, p_tz)
     FROM schedule_exceptions e
     WHERE e.tenant_id = p_tenant AND e.schedule_id = p_schedule AND e.kind = 'EXTRA_HOURS'
       AND e.starts_local < (p_to AT TIME ZONE p_tz) + interval '1 day' AND e.ends_local > (p_from AT TIME ZONE p_tz) - interval '1 day'
   $$`,

  `CREATE FUNCTION careslot_schedule_closed(p_tenant uuid, p_schedule uuid, p_tz text, p_from timestamptz, p_to timestamptz)
   RETURNS tstzmultirange LANGUAGE sql STABLE AS $$
     SELECT coalesce(range_agg(careslot_local_range(e.starts_local, e.ends_local, p_tz)), '{}'::tstzmultirange)
     FROM schedule_exceptions e
     WHERE e.tenant_id = p_tenant AND e.schedule_id = p_schedule AND e.kind = 'CLOSED'
       AND e.starts_local < (p_to AT TIME ZONE p_tz) + interval '1 day' AND e.ends_local > (p_from AT TIME ZONE p_tz) - interval '1 day'
   $$`,

  // Why an appointment [start, start + duration) cannot sit in a schedule, or NULL when it can:
  // OFF_GRID (start not on a slot of an opening block) or OUTSIDE_HOURS (runs into closed time).
  `CREATE FUNCTION careslot_slot_problem(p_tenant uuid, p_schedule uuid, p_tz text, p_slot_minutes int, p_start timestamptz, p_minutes int)
   RETURNS text LANGUAGE sql STABLE AS $$
     WITH blocks AS (
       SELECT block FROM careslot_schedule_blocks(p_tenant, p_schedule, p_tz, p_start - interval '1 day', p_start + interval '1 day')
     ), open AS (
       SELECT coalesce(range_agg(block), '{}'::tstzmultirange)
              - careslot_schedule_closed(p_tenant, p_schedule, p_tz, p_start - interval '1 day', p_start + interval '1 day') AS open
       FROM blocks
     )
     SELECT CASE
       WHEN NOT EXISTS (SELECT 1 FROM blocks WHERE p_start >= lower(block) AND p_start < upper(block)) THEN 'OUTSIDE_HOURS'
       WHEN NOT EXISTS (SELECT 1 FROM blocks WHERE p_start >= lower(block) AND p_start < upper(block)
                          AND (extract(epoch FROM p_start - lower(block))::bigint % (p_slot_minutes * 60)) = 0) THEN 'OFF_GRID'
       WHEN NOT (tstzrange(p_start, p_start + make_interval(mins => p_minutes)) <@ (SELECT open FROM open)) THEN 'OUTSIDE_HOURS'
     END
   $$`,
];

export const SCHEDULING_FUNCTIONS_DOWN = [
  'DROP FUNCTION careslot_slot_problem(uuid, uuid, text, int, timestamptz, int)',
  'DROP FUNCTION careslot_schedule_closed(uuid, uuid, text, timestamptz, timestamptz)',
  'DROP FUNCTION careslot_schedule_blocks(uuid, uuid, text, timestamptz, timestamptz)',
  'DROP FUNCTION careslot_local_range(timestamp, timestamp, text)',
  'DROP FUNCTION careslot_utc(timestamptz)',
];
