import type { Tx } from '../../db/unit-of-work';
import type { ShareRestrictions } from '../../federation/peer-protocol';
import type { AppointmentRow } from '../scheduling/appointment.model';
import { APPOINTMENT_COLUMNS } from '../scheduling/appointment-columns.sql';
import { TAKES_TIME } from '../scheduling/appointments.sql';
import { lookupableIds } from '../catalog/catalog-support.sql';
import type { PeerShareRow, ShareCredentialRow, ShareRow } from './shares.model';
import { newestFirst } from '../common/keyset.sql';

const SCHEDULE_IDS = `ARRAY(SELECT sss.schedule_id::text FROM schedule_share_schedules sss
  WHERE sss.tenant_id = sh.tenant_id AND sss.share_id = sh.id ORDER BY sss.schedule_id)`;

const RESTRICTIONS = `json_build_object('allowedServiceIds', sh.allowed_service_ids, 'earliestDaysAhead', sh.earliest_days_ahead,
  'latestDaysAhead', sh.latest_days_ahead, 'weeklyWindows', sh.weekly_windows, 'dailyQuota', sh.daily_quota)`;

const SHARE_COLUMNS = `sh.id, sh.centre_id AS "centreId", sh.label, ${SCHEDULE_IDS} AS "scheduleIds", ${RESTRICTIONS} AS restrictions,
  sh.revoked_at AS "revokedAt", sh.token_rotated_at AS "tokenRotatedAt", sh.created_at AS "createdAt", sh.updated_at AS "updatedAt"`;

export interface ScheduleOwnership {
  id: string;
  centreId: string;
  /** Set on a client-side mirror of another server's schedule: such a schedule cannot be shared on. */
  mirrored: boolean;
}

export interface SharedScheduleRow {
  id: string;
  name: string;
  slotMinutes: number;
}

export interface SharedServiceRow {
  scheduleId: string;
  id: string;
  code: string;
  name: string;
  durationMinutes: number;
}

/** SQL for schedule shares (sharing side). Every statement names the tenant too (RLS is the second wall). */
/** A share as a peer sees it; $1 tenant, $2 share. */
const PEER_SHARE = `SELECT sh.id, sh.secret_hash AS "secretHash", sh.revoked_at AS "revokedAt", sh.centre_id AS "centreId",
         c.name AS "centreName", c.time_zone AS "timeZone", c.offline, ${RESTRICTIONS} AS restrictions,
         ARRAY(SELECT s.id::text FROM schedule_share_schedules sss
               JOIN schedules s ON s.tenant_id = sss.tenant_id AND s.id = sss.schedule_id
               WHERE sss.tenant_id = sh.tenant_id AND sss.share_id = sh.id AND s.centre_id = sh.centre_id
                 AND s.active AND s.link_id IS NULL
               ORDER BY s.id) AS "scheduleIds"
  FROM schedule_shares sh JOIN centres c ON c.tenant_id = sh.tenant_id AND c.id = sh.centre_id
  WHERE sh.tenant_id = $1 AND sh.id = $2`;

export interface PeerBookingFacts {
  share: PeerShareRow | undefined;
  priorAppointmentId: string | null;
  /** Null when the service does not exist in the sharing tenant. */
  durationMinutes: number | null;
  referenceTaken: boolean;
  patientId: string | null;
  /** Null without a daily quota. */
  bookedOnDay: number | null;
}


const SHARES_PAGE = newestFirst('sh', '$3', '$4');
export const sharesRepository = {
  async insert(tx: Tx, share: { id: string; centreId: string; label: string; secretHash: Buffer; restrictions: ShareRestrictions }): Promise<void> {
    const r = share.restrictions;
    await tx.query(
      `INSERT INTO schedule_shares (tenant_id, id, centre_id, label, secret_hash, allowed_service_ids, earliest_days_ahead,
         latest_days_ahead, weekly_windows, daily_quota)
       VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9::jsonb, $10)`,
      [tx.tenantId, share.id, share.centreId, share.label, share.secretHash, r.allowedServiceIds, r.earliestDaysAhead,
        r.latestDaysAhead, JSON.stringify(r.weeklyWindows), r.dailyQuota],
    );
  },

  async replaceSchedules(tx: Tx, shareId: string, scheduleIds: readonly string[]): Promise<void> {
    await tx.query(`DELETE FROM schedule_share_schedules WHERE tenant_id = $1 AND share_id = $2`, [tx.tenantId, shareId]);
    await tx.query(
      `INSERT INTO schedule_share_schedules (tenant_id, share_id, schedule_id) SELECT $1, $2, unnest($3::uuid[])`,
      [tx.tenantId, shareId, scheduleIds],
    );
  },

  /** Label and/or restrictions; also locks the row until commit. */
  async update(tx: Tx, id: string, change: { label?: string; restrictions?: ShareRestrictions }): Promise<void> {
    const r = change.restrictions;
    await tx.query(
      `UPDATE schedule_shares SET label = COALESCE($3, label),
         allowed_service_ids = CASE WHEN $4::boolean THEN $5::uuid[] ELSE allowed_service_ids END,
         earliest_days_ahead = CASE WHEN $4::boolean THEN $6::integer ELSE earliest_days_ahead END,
         latest_days_ahead = CASE WHEN $4::boolean THEN $7::integer ELSE latest_days_ahead END,
         weekly_windows = CASE WHEN $4::boolean THEN $8::jsonb ELSE weekly_windows END,
         daily_quota = CASE WHEN $4::boolean THEN $9::integer ELSE daily_quota END,
         updated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [tx.tenantId, id, change.label ?? null, r !== undefined, r?.allowedServiceIds ?? null, r?.earliestDaysAhead ?? null,
        r?.latestDaysAhead ?? null, r ? JSON.stringify(r.weeklyWindows) : null, r?.dailyQuota ?? null],
    );
  },

  /** The share, locked until commit when `forUpdate` (changes of one share queue up). */
  async find(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<ShareRow | undefined> {
    const [row] = await tx.query<ShareRow>(
      `SELECT ${SHARE_COLUMNS} FROM schedule_shares sh WHERE sh.tenant_id = $1 AND sh.id = $2 ${options.forUpdate ? 'FOR UPDATE' : ''}`,
      [tx.tenantId, lookupableIds([id])[0] ?? null],
    );
    return row;
  },

  /** Keyset page, newest first. */
  async list(tx: Tx, centreId: string | undefined, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<ShareRow[]> {
    return tx.query<ShareRow>(
      `SELECT ${SHARE_COLUMNS} FROM schedule_shares sh WHERE sh.tenant_id = $1 AND ($2::uuid IS NULL OR sh.centre_id = $2)
         AND ${SHARES_PAGE.after} ORDER BY ${SHARES_PAGE.orderBy} LIMIT $5`,
      [tx.tenantId, centreId ?? null, page.after?.createdAt ?? null, page.after?.id ?? null, page.limit],
    );
  },

  async replaceSecret(tx: Tx, id: string, secretHash: Buffer): Promise<void> {
    await tx.query(
      `UPDATE schedule_shares SET secret_hash = $3, token_rotated_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tx.tenantId, id, secretHash],
    );
  },

  async revoke(tx: Tx, id: string): Promise<void> {
    await tx.query(
      `UPDATE schedule_shares SET revoked_at = COALESCE(revoked_at, now()), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tx.tenantId, id],
    );
  },

  async findCredential(tx: Tx, id: string): Promise<ShareCredentialRow | undefined> {
    const [row] = await tx.query<ShareCredentialRow>(
      `SELECT id, secret_hash AS "secretHash", revoked_at AS "revokedAt" FROM schedule_shares WHERE tenant_id = $1 AND id = $2`,
      [tx.tenantId, id],
    );
    return row;
  },

  /** The share with its centre and its shared schedules that can take bookings (active, not themselves mirrors). */
  async findForPeer(tx: Tx, id: string): Promise<PeerShareRow | undefined> {
    const [row] = await tx.query<PeerShareRow>(PEER_SHARE, [tx.tenantId, id]);
    return row;
  },

  /**
   * Everything a peer booking's checks read, in one statement: the share (as findForPeer), an
   * earlier change with the key, the service's duration, whether the client reference is taken,
   * the patient with the identity number, and (under a daily quota) the share's live bookings on
   * the start's local day. Nothing else is read before the booking statement.
   */
  async peerBookingFacts(tx: Tx, ask: { shareId: string; idempotencyKey: string; serviceId: string; clientReference: string; personalIdentityNumber: string | null; start: Date }): Promise<PeerBookingFacts> {
    const [row] = await tx.prepared<PeerShareRow & Omit<PeerBookingFacts, 'share'>>('careslot_peer_booking_facts',
      `SELECT share.*,
              (SELECT appointment_id FROM appointment_changes WHERE tenant_id = $1 AND idempotency_key = $3) AS "priorAppointmentId",
              (SELECT duration_minutes FROM services WHERE tenant_id = $1 AND id = $4::uuid) AS "durationMinutes",
              EXISTS (SELECT 1 FROM appointments WHERE tenant_id = $1 AND share_id = $2 AND client_reference = $5) AS "referenceTaken",
              (SELECT id FROM patients WHERE tenant_id = $1 AND personal_identity_number = $6) AS "patientId",
              CASE WHEN share.restrictions->>'dailyQuota' IS NOT NULL THEN
                (SELECT count(*)::int FROM appointments a
                 WHERE a.tenant_id = $1 AND a.share_id = $2 AND ${TAKES_TIME}
                   AND (a.starts_at AT TIME ZONE share."timeZone")::date = ($7::timestamptz AT TIME ZONE share."timeZone")::date)
              END AS "bookedOnDay"
       FROM (SELECT 1) one LEFT JOIN (${PEER_SHARE}) share ON true`,
      [tx.tenantId, ask.shareId, ask.idempotencyKey, lookupableIds([ask.serviceId])[0] ?? null, ask.clientReference, ask.personalIdentityNumber, ask.start],
    );
    const { priorAppointmentId, durationMinutes, referenceTaken, patientId, bookedOnDay, ...share } = row;
    return { share: share.id ? share : undefined, priorAppointmentId, durationMinutes, referenceTaken, patientId, bookedOnDay };
  },

  async scheduleOwnership(tx: Tx, scheduleIds: readonly string[]): Promise<ScheduleOwnership[]> {
    return tx.query<ScheduleOwnership>(
      `SELECT id, centre_id AS "centreId", link_id IS NOT NULL AS mirrored FROM schedules WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tx.tenantId, lookupableIds(scheduleIds)],
    );
  },

  /** Of the given services: which exist in the tenant, and which of them the given schedules offer. */
  async serviceOffers(tx: Tx, serviceIds: readonly string[], scheduleIds: readonly string[]): Promise<Array<{ id: string; offered: boolean }>> {
    return tx.query<{ id: string; offered: boolean }>(
      `SELECT sv.id, EXISTS (SELECT 1 FROM schedule_services ss WHERE ss.tenant_id = sv.tenant_id AND ss.service_id = sv.id
                                AND ss.schedule_id = ANY($3::uuid[])) AS offered
       FROM services sv WHERE sv.tenant_id = $1 AND sv.id = ANY($2::uuid[])`,
      [tx.tenantId, lookupableIds(serviceIds), lookupableIds(scheduleIds)],
    );
  },

  async sharedSchedules(tx: Tx, scheduleIds: readonly string[]): Promise<SharedScheduleRow[]> {
    return tx.query<SharedScheduleRow>(
      `SELECT id, name, slot_minutes AS "slotMinutes" FROM schedules WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY name, id`,
      [tx.tenantId, scheduleIds],
    );
  },

  /** The services the schedules offer, limited to `allowed` unless it is empty. */
  async sharedServices(tx: Tx, scheduleIds: readonly string[], allowed: readonly string[]): Promise<SharedServiceRow[]> {
    return tx.query<SharedServiceRow>(
      `SELECT ss.schedule_id AS "scheduleId", sv.id, sv.code, sv.name, sv.duration_minutes AS "durationMinutes"
       FROM schedule_services ss JOIN services sv ON sv.tenant_id = ss.tenant_id AND sv.id = ss.service_id
       WHERE ss.tenant_id = $1 AND ss.schedule_id = ANY($2::uuid[]) AND (cardinality($3::uuid[]) = 0 OR sv.id = ANY($3::uuid[]))
       ORDER BY sv.code, sv.id`,
      [tx.tenantId, scheduleIds, allowed],
    );
  },

  async serviceDuration(tx: Tx, serviceId: string): Promise<number | undefined> {
    const [row] = await tx.query<{ durationMinutes: number }>(
      `SELECT duration_minutes AS "durationMinutes" FROM services WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, serviceId],
    );
    return row?.durationMinutes;
  },

  async twinByReference(tx: Tx, shareId: string, clientReference: string): Promise<AppointmentRow | undefined> {
    const [row] = await tx.query<AppointmentRow>(
      `SELECT ${APPOINTMENT_COLUMNS} FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
       WHERE a.tenant_id = $1 AND a.share_id = $2 AND a.client_reference = $3`,
      [tx.tenantId, shareId, clientReference],
    );
    return row;
  },

  /** The share's twins from an instant on, any status: what a client reconciles its records with. */
  async twinsFrom(tx: Tx, shareId: string, from: Date, clientReference: string | null): Promise<Array<{ clientReference: string; start: string; end: string; status: string }>> {
    return tx.query(
      `SELECT client_reference AS "clientReference", careslot_utc(starts_at) AS start, careslot_utc(ends_at) AS "end", status
       FROM appointments WHERE tenant_id = $1 AND share_id = $2 AND starts_at >= $3 AND ($4::text IS NULL OR client_reference = $4)
       ORDER BY starts_at, id LIMIT 5000`,
      [tx.tenantId, shareId, from, clientReference],
    );
  },

  async patientIdByIdentityNumber(tx: Tx, personalIdentityNumber: string): Promise<string | undefined> {
    const [row] = await tx.query<{ id: string }>(
      `SELECT id FROM patients WHERE tenant_id = $1 AND personal_identity_number = $2`, [tx.tenantId, personalIdentityNumber],
    );
    return row?.id;
  },

  /** Local days ("YYYY-MM-DD" in `timeZone`) on which the share holds at least `quota` live bookings, for starts in [from, to). */
  async fullDays(tx: Tx, shareId: string, timeZone: string, from: Date, to: Date, quota: number): Promise<string[]> {
    const rows = await tx.query<{ day: string }>(
      `SELECT to_char((a.starts_at AT TIME ZONE $3)::date, 'YYYY-MM-DD') AS day FROM appointments a
       WHERE a.tenant_id = $1 AND a.share_id = $2 AND ${TAKES_TIME} AND a.starts_at >= $4 AND a.starts_at < $5
       GROUP BY 1 HAVING count(*) >= $6`,
      [tx.tenantId, shareId, timeZone, from, to, quota],
    );
    return rows.map((row) => row.day);
  },

  /** Live bookings and holds of the share on one local day, oldest first. */
  async bookingsOnDay(tx: Tx, shareId: string, timeZone: string, day: string): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `SELECT a.id FROM appointments a
       WHERE a.tenant_id = $1 AND a.share_id = $2 AND ${TAKES_TIME} AND (a.starts_at AT TIME ZONE $3)::date = $4::date
       ORDER BY a.created_at, a.id`,
      [tx.tenantId, shareId, timeZone, day],
    );
    return rows.map((row) => row.id);
  },

  /** Serialises quota decisions of one share and day across transactions and servers. */
  async lockShareDay(tx: Tx, shareId: string, day: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`share-quota:${tx.tenantId}:${shareId}:${day}`]);
  },
};
