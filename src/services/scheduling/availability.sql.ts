import type { Tx } from '../../db/unit-of-work';
import type { AvailabilityFilter, AvailabilityRow } from './availability.model';


/**
 * Availability of a centre's schedules in ONE statement, computed, never stored: opening blocks
 * (careslot_schedule_blocks) minus closures minus bookings, as multiranges. A slot is FREE when the
 * service (or one slot, without a service) fits into free time from its start, OCCUPIED when it
 * overlaps a booking; a slot that is neither (the service would run past closing) is not offered.
 * Free intervals are the free time without a service; with one, the time the service would take
 * from every start where it fits (a gap shorter than the service is not free for it).
 */
const AVAILABILITY_SQL = `
WITH candidates AS (
  SELECT s.id, s.link_id, s.external_schedule_ref IS NOT NULL AS external, s.slot_minutes, c.time_zone AS tz, sv.duration_minutes
  FROM schedules s
  JOIN centres c ON c.tenant_id = s.tenant_id AND c.id = s.centre_id
  LEFT JOIN practitioners p ON p.tenant_id = s.tenant_id AND p.id = s.practitioner_id
  LEFT JOIN services sv ON sv.tenant_id = s.tenant_id AND sv.id = $5::uuid
  WHERE s.tenant_id = $1 AND s.centre_id = $2 AND s.active
    AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM schedule_services ss WHERE ss.tenant_id = s.tenant_id AND ss.schedule_id = s.id AND ss.service_id = $5::uuid))
    AND ($6::uuid IS NULL OR s.practitioner_id = $6::uuid)
    AND ($7::text IS NULL OR $7::text = ANY (p.qualifications))
    AND ($9::uuid[] IS NULL OR s.id = ANY ($9::uuid[]))
    -- For a partner (seed 001): only what its open channels let it book, in own (or external) schedules of an online centre.
    AND ($10::uuid IS NULL OR (s.link_id IS NULL AND NOT c.offline AND EXISTS (
      SELECT 1 FROM traffic_channels tc JOIN partners pa ON pa.tenant_id = tc.tenant_id AND pa.id = tc.partner_id AND pa.active
      WHERE tc.tenant_id = $1 AND tc.partner_id = $10::uuid AND tc.centre_id = s.centre_id AND tc.service_id = $5::uuid)))
),
sched AS (
  SELECT id, tz, make_interval(mins => slot_minutes) AS slot, make_interval(mins => coalesce(duration_minutes, slot_minutes)) AS need
  -- a mirror of a shared schedule, or an external schedule: its agenda lives on the other side
  FROM candidates WHERE link_id IS NULL AND NOT external
),
blocks AS (
  SELECT sched.id AS schedule_id, b.block
  FROM sched CROSS JOIN LATERAL careslot_schedule_blocks($1, sched.id, sched.tz, $3::timestamptz, $4::timestamptz) AS b
),
-- Materialised: open and busy are computed once per schedule, not again for every output column.
agenda AS MATERIALIZED (
  SELECT sched.id AS schedule_id, sched.slot, sched.need,
         coalesce((SELECT range_agg(b.block) FROM blocks b WHERE b.schedule_id = sched.id), '{}'::tstzmultirange)
           - careslot_schedule_closed($1, sched.id, sched.tz, $3::timestamptz, $4::timestamptz) AS open,
         -- A partner user or app sees only its own appointments (the partner_scope policy); the time of
         -- the others comes from careslot_busy_time, the same read as time ranges only.
         CASE WHEN NULLIF(current_setting('app.partner_id', true), '') IS NULL THEN
           coalesce((SELECT range_agg(tstzrange(a.starts_at, a.ends_at)) FROM appointments a
                     WHERE a.tenant_id = $1 AND a.schedule_id = sched.id AND a.status <> 'CANCELLED'
                       AND (a.status <> 'HELD' OR a.hold_expires_at > now()) -- an expired hold holds nothing
                       AND a.starts_at < $4::timestamptz + interval '1 day' AND a.ends_at > $3::timestamptz - interval '1 day'
                       -- a lower bound on the start too (appointments last at most 12 h), or every past appointment is read
                       AND a.starts_at > $3::timestamptz - interval '2 days'), '{}'::tstzmultirange)
         ELSE careslot_busy_time($1, sched.id, $3::timestamptz, $4::timestamptz) END AS busy,
         -- The live holds' time, for the clinic's own staff ($11) when slots are listed: few rows, by the partial index.
         CASE WHEN $11::boolean AND $8::boolean THEN
           coalesce((SELECT range_agg(tstzrange(h.starts_at, h.ends_at)) FROM appointments h
                     WHERE h.tenant_id = $1 AND h.schedule_id = sched.id AND h.status = 'HELD' AND h.hold_expires_at > now()
                       AND h.starts_at < $4::timestamptz + interval '1 day' AND h.ends_at > $3::timestamptz - interval '1 day'
                       AND h.starts_at > $3::timestamptz - interval '2 days'), '{}'::tstzmultirange)
         ELSE '{}'::tstzmultirange END AS held
  FROM sched
),
split AS MATERIALIZED (
  -- The window limits what is listed; whether a slot is FREE looks past it (a service may run over its end).
  SELECT schedule_id, slot, need, held, open - busy AS free, open * busy AS occupied,
         tstzmultirange(tstzrange($3::timestamptz, $4::timestamptz)) AS win,
         open * tstzmultirange(tstzrange($3::timestamptz, $4::timestamptz)) AS open_in_window
  FROM agenda
),
-- The slot grid of each schedule (from each opening block's start), read only where an answer needs it.
grid AS (
  SELECT DISTINCT b.schedule_id, gs.start
  FROM blocks b JOIN sched ON sched.id = b.schedule_id
  CROSS JOIN LATERAL generate_series(lower(b.block), upper(b.block) - sched.slot, sched.slot) AS gs(start)
)
SELECT split.schedule_id AS "scheduleId",
       (SELECT coalesce(json_agg(json_build_array(careslot_utc(lower(r)), careslot_utc(upper(r))) ORDER BY r), '[]')
        FROM unnest(CASE WHEN $5::uuid IS NULL THEN split.free * split.win ELSE (
          SELECT coalesce(range_agg(tstzrange(g.start, g.start + split.need)), '{}'::tstzmultirange) FROM grid g
          WHERE g.schedule_id = split.schedule_id
            AND tstzrange(g.start, g.start + split.slot) <@ split.open_in_window
            AND tstzrange(g.start, g.start + split.need) <@ split.free) END) r) AS "free",
       (SELECT coalesce(json_agg(json_build_array(careslot_utc(lower(r)), careslot_utc(upper(r))) ORDER BY r), '[]') FROM unnest(split.occupied * split.win) r) AS "occupied",
       CASE WHEN $8::boolean THEN (
         SELECT coalesce(json_agg(json_build_array(careslot_utc(g.start), careslot_utc(g.start + split.slot),
                  CASE WHEN tstzrange(g.start, g.start + split.need) <@ split.free THEN 'FREE' WHEN held.until IS NOT NULL THEN 'HELD' ELSE 'OCCUPIED' END,
                  careslot_utc(held.until), held.through_share) ORDER BY g.start), '[]')
         FROM grid g
         -- The clinic's own staff ($11) see a held slot as HELD, until when, and whether a client centre holds it through a share; everyone else as OCCUPIED.
         LEFT JOIN LATERAL (
           SELECT max(h.hold_expires_at) AS until, bool_or(h.share_id IS NOT NULL) AS through_share FROM appointments h
           WHERE split.held && tstzrange(g.start, g.start + split.slot) AND NOT (tstzrange(g.start, g.start + split.need) <@ split.free)
             AND h.tenant_id = $1 AND h.schedule_id = split.schedule_id AND h.status = 'HELD' AND h.hold_expires_at > now()
             AND h.starts_at < g.start + split.slot AND h.ends_at > g.start AND h.starts_at > g.start - interval '1 day'
         ) held ON true
         WHERE g.schedule_id = split.schedule_id AND tstzrange(g.start, g.start + split.slot) <@ split.open_in_window
           AND (tstzrange(g.start, g.start + split.need) <@ split.free OR tstzrange(g.start, g.start + split.slot) && split.occupied)
       ) END AS "slots",
       NULL::uuid AS "linkId", false AS "external", NULL::json AS "connection"
FROM split
UNION ALL
-- An external schedule's agenda is its centre's booking system's: what calling it needs, read in this round trip.
SELECT id, NULL, NULL, NULL, link_id, external,
       CASE WHEN external THEN (
         SELECT row_to_json(b) FROM (
           SELECT centre_id AS "centreId", system, external_id AS "externalId", external_department_id AS "externalDepartmentId",
                  booking_url AS "bookingUrl", api_key_ciphertext AS "apiKeyCiphertext"
           FROM booking_system_connections WHERE tenant_id = $1 AND centre_id = $2 AND system IN ('FHIR_R4', 'SMART_SCHEDULING_LINKS')) b)
       END
FROM candidates WHERE link_id IS NOT NULL OR external
ORDER BY "scheduleId"`;

export async function queryAvailability(tx: Tx, filter: AvailabilityFilter): Promise<AvailabilityRow[]> {
  return tx.prepared<AvailabilityRow>('careslot_availability', AVAILABILITY_SQL, [
    tx.tenantId, filter.centreId, filter.from, filter.to,
    filter.serviceId ?? null, filter.practitionerId ?? null, filter.qualification ?? null, filter.includeSlots,
    filter.scheduleIds ?? null, filter.partnerId ?? null, filter.showHolds ?? false,
  ]);
}
