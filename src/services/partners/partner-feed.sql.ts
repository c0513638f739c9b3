import type { Tx } from '../../db/unit-of-work';
import type { FeedPosition, FeedRow } from './partner-feed.model';

/**
 * Why an appointment (joined as `a`, its schedule `s`, practitioner `pr` and patient `p`) is not
 * shared with partners now, or NULL when it is (seed 002): the patient refused processing, all
 * notifications or advertising; the appointment is anonymous; its practitioner's data sharing is
 * banned; its start lies outside 45 days back to 30 days ahead of `now`. Holds are no appointments.
 */
export function notSharedBecauseSql(now: string): string {
  return `CASE
    WHEN a.id IS NULL OR a.status = 'HELD' THEN 'GONE'
    WHEN p.id IS NULL OR p.data_processing_refused OR p.all_notifications_refused OR p.advertising_refused THEN 'CONSENT_CHANGED'
    WHEN a.anonymous THEN 'ANONYMOUS'
    WHEN pr.data_sharing_banned THEN 'PRACTITIONER_BANNED'
    WHEN a.starts_at < ${now} - interval '45 days' OR a.starts_at > ${now} + interval '30 days' THEN 'OUTSIDE_WINDOW'
  END`;
}

/** The rows notSharedBecauseSql reads, joined to the appointment `a`: its schedule `s` and practitioner `pr`. */
export const SHARED_JOINS = `
  LEFT JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
  LEFT JOIN practitioners pr ON pr.tenant_id = s.tenant_id AND pr.id = s.practitioner_id`;

/**
 * The feed's horizon: the oldest transaction that was running when this statement's snapshot was
 * taken (its 64-bit id), or the next id when none was. Rows changed by it or later may still be
 * joined by rows of older ids, so only rows below it are read. Transactions that are running in
 * another database of the cluster cannot write here and do not hold it back (their 32-bit
 * backend_xid is widened against the snapshot's next id); one that ended before it could be told
 * apart counts, which only delays a row by one read.
 */
const FEED_HORIZON_SQL = `
  SELECT coalesce((
    SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
    WHERE NOT EXISTS (
      SELECT 1 FROM pg_stat_activity s, (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS n) next
      WHERE s.backend_xid IS NOT NULL AND s.datname IS DISTINCT FROM current_database()
        AND next.n - ((next.n % 4294967296) - s.backend_xid::text::bigint + 4294967296) % 4294967296 = x::text::bigint)
  ), pg_snapshot_xmax(pg_current_snapshot())::text::bigint)`;

/**
 * One page of the feed after a position, in commit-safe order: (feed_xid, id) below the feed's
 * horizon, so nothing can later appear before a position already passed.
 * Appointments and patients that changed; each appointment judged now (shared, or why not); a
 * patient only when it left the set (its consent). While a full pass runs (`fullFrom`), rows last
 * changed before it began are read only inside the window (nothing of them can be held yet, so
 * only what is shared matters).
 */
const FEED_PAGE_SQL = `
WITH horizon AS (
  SELECT (${FEED_HORIZON_SQL}) AS xmin, careslot_now() AS now
),
changed AS (
  SELECT * FROM (
    (SELECT 'APPOINTMENT' AS kind, a.feed_xid AS xid, a.id FROM appointments a, horizon h
     WHERE a.tenant_id = $1 AND (a.feed_xid, a.id) > ($2::bigint, $3::uuid) AND a.feed_xid < h.xmin AND a.status <> 'HELD'
       AND ($5::bigint IS NULL OR a.feed_xid >= $5 OR a.starts_at BETWEEN h.now - interval '45 days' AND h.now + interval '30 days')
     ORDER BY a.feed_xid, a.id LIMIT $4)
    UNION ALL
    (SELECT 'PATIENT', p.feed_xid, p.id FROM patients p, horizon h
     WHERE p.tenant_id = $1 AND (p.feed_xid, p.id) > ($2::bigint, $3::uuid) AND p.feed_xid < h.xmin
       AND ($5::bigint IS NULL OR p.feed_xid >= $5)
       AND (p.data_processing_refused OR p.all_notifications_refused OR p.advertising_refused)
     ORDER BY p.feed_xid, p.id LIMIT $4)
  ) both_kinds ORDER BY xid, id LIMIT $4
)
SELECT c.kind, c.xid::text AS xid, c.id,
       CASE WHEN c.kind = 'PATIENT' THEN 'CONSENT_CHANGED' ELSE ${notSharedBecauseSql('h.now')} END AS "removedBecause",
       a.starts_at AS "startsAt", a.ends_at AS "endsAt", a.status, s.centre_id AS "centreId", a.service_id AS "serviceId",
       pr.name AS "practitionerName", coalesce(p.id, a.patient_id) AS "patientId",
       p.family_name AS "familyName", p.given_name AS "givenName", p.patronymic, p.phone,
       (SELECT xmin::text FROM horizon) AS horizon
FROM changed c CROSS JOIN horizon h
LEFT JOIN appointments a ON c.kind = 'APPOINTMENT' AND a.tenant_id = $1 AND a.id = c.id
${SHARED_JOINS}
LEFT JOIN patients p ON p.tenant_id = $1 AND p.id = CASE WHEN c.kind = 'PATIENT' THEN c.id ELSE a.patient_id END
ORDER BY c.xid, c.id`;

/** An appointment a partner may act on now: shared (NULL reason), with its patient's consents for notifications. */
const SHARED_APPOINTMENT_SQL = `
SELECT a.id, a.patient_id AS "patientId", ${notSharedBecauseSql('careslot_now()')} AS "notSharedBecause"
FROM appointments a ${SHARED_JOINS}
LEFT JOIN patients p ON p.tenant_id = a.tenant_id AND p.id = a.patient_id
WHERE a.tenant_id = $1 AND a.id = $2`;

export const partnerFeedRepository = {
  /** Up to `first` changes after `after`; the horizon says how far a caught-up reader got. */
  async page(tx: Tx, after: FeedPosition, first: number): Promise<{ rows: FeedRow[]; horizon: string | null }> {
    const rows = await tx.prepared<FeedRow & { horizon: string }>('careslot_partner_feed_page', FEED_PAGE_SQL, [
      tx.tenantId, after.xid, after.id, first, after.fullFrom,
    ]);
    if (rows.length > 0) return { rows, horizon: rows[0].horizon };
    const [{ xmin }] = await tx.query<{ xmin: string }>(`SELECT (${FEED_HORIZON_SQL})::text AS xmin`);
    return { rows, horizon: xmin };
  },

  /** The appointment if the tenant has it, and why it is not shared now (null: it is). */
  async sharedAppointment(tx: Tx, appointmentId: string): Promise<{ id: string; patientId: string | null; notSharedBecause: string | null } | undefined> {
    const [row] = await tx.query<{ id: string; patientId: string | null; notSharedBecause: string | null }>(SHARED_APPOINTMENT_SQL, [tx.tenantId, appointmentId]);
    return row;
  },
};
