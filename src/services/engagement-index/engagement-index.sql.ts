import type { Queryable, Tx } from '../../db/unit-of-work';
import type { DeliveryConfigRow, FailureRow, SettingsFields, SettingsRow, StatusRow } from './engagement-index.model';
import type { AppointmentState, Post } from './engagement-index.rules';

export interface SavedSettings extends SettingsFields {
  clientKeyCiphertext: Buffer | null;
  updatedBy: string;
}

const SETTINGS_COLUMNS = `s.enabled, s.source_system AS "sourceSystem", s.data_controller AS "dataController", s.endpoint_url AS "endpointUrl",
  s.endpoint_hsa_id AS "endpointHsaId", s.client_certificate AS "clientCertificate", s.client_key_ciphertext IS NOT NULL AS "clientKeySet",
  s.trusted_ca AS "trustedCa", s.contract_version AS "contractVersion", s.updated_at AS "updatedAt",
  ARRAY(SELECT c.centre_id::text FROM engagement_index_centres c WHERE c.tenant_id = s.tenant_id ORDER BY c.centre_id) AS "centreIds"`;

/** A booking that stands (the rules' STANDING), in the future, in a centre's own (not mirrored) schedule. */
const STANDING_FUTURE = `a.status IN ('BOOKED', 'CONFIRMED', 'ARRIVED') AND a.starts_at > careslot_now() AND sc.link_id IS NULL`;

export const engagementIndexRepository = {
  async settings(tx: Tx): Promise<DeliveryConfigRow | undefined> {
    const [row] = await tx.query<DeliveryConfigRow>(
      `SELECT ${SETTINGS_COLUMNS}, s.client_key_ciphertext AS "clientKeyCiphertext", s.failed_attempts AS "failedAttempts" FROM engagement_index_settings s WHERE s.tenant_id = $1`, [tx.tenantId]);
    return row;
  },

  /** The centres among these ids, with their HSA-ids (null: none). */
  async centres(tx: Tx, centreIds: string[]): Promise<Array<{ id: string; hsaId: string | null }>> {
    return tx.query(`SELECT id, nullif(btrim(hsa_id), '') AS "hsaId" FROM centres WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, centreIds]);
  },

  async save(tx: Tx, settings: SavedSettings): Promise<SettingsRow> {
    await tx.query(
      `INSERT INTO engagement_index_settings AS s (tenant_id, enabled, source_system, data_controller, endpoint_url, endpoint_hsa_id,
         client_certificate, client_key_ciphertext, trusted_ca, contract_version, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (tenant_id) DO UPDATE SET enabled = excluded.enabled, source_system = excluded.source_system,
         data_controller = excluded.data_controller, endpoint_url = excluded.endpoint_url, endpoint_hsa_id = excluded.endpoint_hsa_id,
         client_certificate = excluded.client_certificate, client_key_ciphertext = excluded.client_key_ciphertext,
         trusted_ca = excluded.trusted_ca, contract_version = excluded.contract_version, updated_by = excluded.updated_by,
         updated_at = now(), retry_at = NULL, failed_attempts = 0`,
      [tx.tenantId, settings.enabled, settings.sourceSystem, settings.dataController, settings.endpointUrl, settings.endpointHsaId,
        settings.clientCertificate, settings.clientKeyCiphertext, settings.trustedCa, settings.contractVersion, settings.updatedBy],
    );
    await tx.query(
      `WITH wanted AS (SELECT unnest($2::uuid[]) AS centre_id),
       gone AS (DELETE FROM engagement_index_centres WHERE tenant_id = $1 AND centre_id <> ALL($2::uuid[]))
       INSERT INTO engagement_index_centres (tenant_id, centre_id) SELECT $1, centre_id FROM wanted ON CONFLICT DO NOTHING`,
      [tx.tenantId, settings.centreIds],
    );
    return (await this.settings(tx))!;
  },

  /**
   * Queues every appointment the index may have to hear about (a booking that stands in the
   * future in these centres, or all centres that take part) and every post the index holds (of
   * those centres' HSA-ids): the reconciliation sends what differs, or everything when `resend`.
   */
  async queueReconciliation(tx: Tx, options: { centreId?: string; resend: boolean }): Promise<number> {
    const [row] = await tx.query<{ queued: number }>(
      `WITH centre AS (SELECT c.id, c.hsa_id FROM centres c
         WHERE c.tenant_id = $1 AND ($2::uuid IS NULL OR c.id = $2::uuid)
           AND EXISTS (SELECT 1 FROM engagement_index_centres e WHERE e.tenant_id = c.tenant_id AND e.centre_id = c.id)),
       candidates AS (
         SELECT a.id FROM appointments a JOIN schedules sc ON sc.tenant_id = a.tenant_id AND sc.id = a.schedule_id
         WHERE a.tenant_id = $1 AND sc.centre_id IN (SELECT id FROM centre) AND ${STANDING_FUTURE}
         UNION
         SELECT p.appointment_id FROM engagement_index_posts p
         WHERE p.tenant_id = $1 AND ($2::uuid IS NULL OR p.logical_address IN (SELECT hsa_id FROM centre))
       ),
       queued AS (INSERT INTO engagement_index_outbox (tenant_id, appointment_id, resend) SELECT $1, id, $3 FROM candidates RETURNING 1)
       SELECT count(*)::int AS queued FROM queued`,
      [tx.tenantId, options.centreId ?? null, options.resend],
    );
    return row.queued;
  },

  /** The oldest queued appointments (up to `limit`), each as it stands now and with what the index holds for it. */
  async pending(tx: Tx, limit: number): Promise<AppointmentState[]> {
    return tx.query<AppointmentState>(
      `WITH picked AS (
         SELECT appointment_id, array_agg(id::text) AS marker_ids, bool_or(resend) AS resend, min(id) AS first
         FROM engagement_index_outbox WHERE tenant_id = $1 GROUP BY appointment_id ORDER BY min(id) LIMIT $2
       )
       SELECT p.appointment_id AS "appointmentId", p.marker_ids AS "markerIds", p.resend,
              a.id IS NOT NULL AS found, a.status, coalesce(a.anonymous, false) AS anonymous, coalesce(a.starts_at > careslot_now(), false) AS future,
              nullif(btrim(pt.personal_identity_number), '') AS resident, nullif(btrim(c.hsa_id), '') AS "centreHsaId",
              e.centre_id IS NOT NULL AS "takesPart", sc.link_id IS NOT NULL AS mirror,
              to_char(a.starts_at AT TIME ZONE c.time_zone, 'YYYYMMDDHH24MISS') AS "startContent",
              to_char(a.updated_at AT TIME ZONE c.time_zone, 'YYYYMMDDHH24MISS') AS "changeContent",
              CASE WHEN po.appointment_id IS NULL THEN NULL ELSE json_build_object(
                'registeredResidentIdentification', po.resident, 'serviceDomain', po.service_domain, 'logicalAddress', po.logical_address,
                'businessObjectInstanceIdentifier', po.appointment_id, 'sourceSystem', po.source_system, 'dataController', po.data_controller,
                'mostRecentContent', po.most_recent_content) END AS posted
       FROM picked p
       LEFT JOIN appointments a ON a.tenant_id = $1 AND a.id = p.appointment_id AND a.status <> 'HELD'
       LEFT JOIN schedules sc ON sc.tenant_id = a.tenant_id AND sc.id = a.schedule_id
       LEFT JOIN centres c ON c.tenant_id = sc.tenant_id AND c.id = sc.centre_id
       LEFT JOIN engagement_index_centres e ON e.tenant_id = c.tenant_id AND e.centre_id = c.id
       LEFT JOIN patients pt ON pt.tenant_id = a.tenant_id AND pt.id = a.patient_id
       LEFT JOIN engagement_index_posts po ON po.tenant_id = $1 AND po.appointment_id = p.appointment_id
       ORDER BY p.first`,
      [tx.tenantId, limit],
    );
  },

  /**
   * The index accepted an Update (or there was nothing to send): the markers read are done, the
   * posts become what was sent, dead letters of these appointments are resolved, and the counters move.
   */
  async delivered(tx: Tx, done: { markerIds: string[]; appointmentIds: string[]; posts: Array<{ appointmentId: string; post: Post | null }>; requests: number; transactions: number }): Promise<void> {
    const kept = done.posts.filter((entry) => entry.post).map((entry) => ({ appointmentId: entry.appointmentId, ...entry.post }));
    const removed = done.posts.filter((entry) => !entry.post).map((entry) => entry.appointmentId);
    await tx.query(
      `WITH markers AS (DELETE FROM engagement_index_outbox WHERE tenant_id = $1 AND id = ANY($2::bigint[])),
       kept AS (
         INSERT INTO engagement_index_posts (tenant_id, appointment_id, resident, service_domain, logical_address, source_system, data_controller, most_recent_content)
         SELECT $1, k."appointmentId", k."registeredResidentIdentification", k."serviceDomain", k."logicalAddress", k."sourceSystem", k."dataController", k."mostRecentContent"
         FROM json_to_recordset($3::json) AS k("appointmentId" uuid, "registeredResidentIdentification" text, "serviceDomain" text, "logicalAddress" text,
                                               "sourceSystem" text, "dataController" text, "mostRecentContent" text)
         ON CONFLICT (tenant_id, appointment_id) DO UPDATE SET resident = excluded.resident, service_domain = excluded.service_domain,
           logical_address = excluded.logical_address, source_system = excluded.source_system, data_controller = excluded.data_controller,
           most_recent_content = excluded.most_recent_content, delivered_at = now()
       ),
       removed AS (DELETE FROM engagement_index_posts WHERE tenant_id = $1 AND appointment_id = ANY($4::uuid[])),
       resolved AS (DELETE FROM engagement_index_failures WHERE tenant_id = $1 AND appointment_id = ANY($5::uuid[]))
       UPDATE engagement_index_settings SET delivered_requests = delivered_requests + $6, delivered_transactions = delivered_transactions + $7,
         last_delivered_at = CASE WHEN $6 > 0 THEN now() ELSE last_delivered_at END,
         retry_at = NULL, failed_attempts = CASE WHEN $6 > 0 THEN 0 ELSE failed_attempts END
       WHERE tenant_id = $1`,
      [tx.tenantId, done.markerIds, JSON.stringify(kept), removed, done.appointmentIds, done.requests, done.transactions],
    );
  },

  /** The index answered ERROR: the appointments sent go to the dead letters with its message; the index holds what it held. */
  async deadLettered(tx: Tx, failed: { markerIds: string[]; appointmentIds: string[]; reason: string }): Promise<void> {
    await tx.query(
      `WITH markers AS (DELETE FROM engagement_index_outbox WHERE tenant_id = $1 AND id = ANY($2::bigint[])),
       failed AS (
         INSERT INTO engagement_index_failures (tenant_id, appointment_id, reason) SELECT $1, unnest($3::uuid[]), $4
         ON CONFLICT (tenant_id, appointment_id) DO UPDATE SET reason = excluded.reason, failed_at = now()
       )
       UPDATE engagement_index_settings SET last_error = $5, last_error_at = now(), retry_at = NULL, failed_attempts = 0 WHERE tenant_id = $1`,
      [tx.tenantId, failed.markerIds, failed.appointmentIds, failed.reason, `ERROR: ${failed.reason}`],
    );
  },

  /** Delivery failed on the way (network, 5xx, SOAP fault): nothing moves; the next try is due at `retryAt`. */
  async attemptFailed(tx: Tx, reason: string, retryAt: Date): Promise<void> {
    await tx.query(
      `UPDATE engagement_index_settings SET failed_attempts = failed_attempts + 1, last_error = $2, last_error_at = now(), retry_at = $3 WHERE tenant_id = $1`,
      [tx.tenantId, reason, retryAt],
    );
  },

  /** The dead letters (all, or these) go back to the outbox; answers how many. */
  async retryFailures(tx: Tx, appointmentIds: string[] | null): Promise<number> {
    const [row] = await tx.query<{ queued: number }>(
      `WITH retried AS (DELETE FROM engagement_index_failures WHERE tenant_id = $1 AND ($2::uuid[] IS NULL OR appointment_id = ANY($2::uuid[])) RETURNING appointment_id),
       queued AS (INSERT INTO engagement_index_outbox (tenant_id, appointment_id) SELECT $1, appointment_id FROM retried RETURNING 1)
       SELECT count(*)::int AS queued FROM queued`,
      [tx.tenantId, appointmentIds],
    );
    return row.queued;
  },

  /** Posts whose start has passed (or whose appointment is gone) are queued once, for their delete. */
  async queuePassed(tx: Tx): Promise<number> {
    const [row] = await tx.query<{ queued: number }>(
      `WITH passed AS (
         SELECT p.appointment_id FROM engagement_index_posts p
         LEFT JOIN appointments a ON a.tenant_id = p.tenant_id AND a.id = p.appointment_id
         WHERE p.tenant_id = $1 AND (a.id IS NULL OR a.starts_at <= careslot_now())
           AND NOT EXISTS (SELECT 1 FROM engagement_index_outbox o WHERE o.tenant_id = p.tenant_id AND o.appointment_id = p.appointment_id)
       ),
       queued AS (INSERT INTO engagement_index_outbox (tenant_id, appointment_id) SELECT $1, appointment_id FROM passed RETURNING 1)
       SELECT count(*)::int AS queued FROM queued`,
      [tx.tenantId],
    );
    return row.queued;
  },

  async status(tx: Tx, failuresShown: number): Promise<StatusRow> {
    const [row] = await tx.query<StatusRow>(
      `SELECT (SELECT count(DISTINCT appointment_id)::int FROM engagement_index_outbox WHERE tenant_id = $1) AS "pendingAppointments",
              (SELECT min(queued_at) FROM engagement_index_outbox WHERE tenant_id = $1) AS "pendingSince",
              coalesce(s.failed_attempts, 0) AS "failedAttempts", s.retry_at AS "retryAt", s.last_error AS "lastError", s.last_error_at AS "lastErrorAt",
              (SELECT count(*)::int FROM engagement_index_posts WHERE tenant_id = $1) AS posts,
              coalesce(s.delivered_requests, 0)::float8 AS "deliveredRequests", coalesce(s.delivered_transactions, 0)::float8 AS "deliveredTransactions",
              s.last_delivered_at AS "lastDeliveredAt",
              (SELECT count(*)::int FROM engagement_index_failures WHERE tenant_id = $1) AS "failedCount",
              coalesce((SELECT json_agg(f ORDER BY f."failedAt" DESC, f."appointmentId") FROM (
                 SELECT appointment_id AS "appointmentId", reason, failed_at AS "failedAt" FROM engagement_index_failures
                 WHERE tenant_id = $1 ORDER BY failed_at DESC, appointment_id LIMIT $2) f), '[]') AS failures,
              sk."withoutPersonalNumber" AS "skippedWithoutPersonalNumber", sk.anonymous AS "skippedAnonymous"
       FROM (SELECT 1) one
       LEFT JOIN engagement_index_settings s ON s.tenant_id = $1
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE NOT a.anonymous AND (pt.personal_identity_number IS NULL OR btrim(pt.personal_identity_number) !~ '^[0-9]{8}[0-9pPtTfF][0-9]{3}$'))::int AS "withoutPersonalNumber",
                count(*) FILTER (WHERE a.anonymous)::int AS anonymous
         FROM appointments a JOIN schedules sc ON sc.tenant_id = a.tenant_id AND sc.id = a.schedule_id
         JOIN centres c ON c.tenant_id = sc.tenant_id AND c.id = sc.centre_id AND nullif(btrim(c.hsa_id), '') IS NOT NULL
         JOIN engagement_index_centres e ON e.tenant_id = c.tenant_id AND e.centre_id = c.id
         LEFT JOIN patients pt ON pt.tenant_id = a.tenant_id AND pt.id = a.patient_id
         WHERE a.tenant_id = $1 AND ${STANDING_FUTURE}
       ) sk`,
      [tx.tenantId, failuresShown],
    );
    return { ...row, failures: (row.failures as unknown as Array<FailureRow & { failedAt: string }>).map((f) => ({ ...f, failedAt: new Date(f.failedAt) })) };
  },
};

/** Across tenants (the `engagement-index` scope): the tenants that take part, and whether work waits that is due. */
export async function tenantsToServe(db: Queryable): Promise<Array<{ tenantId: string; due: boolean }>> {
  return db.query(
    `SELECT s.tenant_id AS "tenantId",
            (s.retry_at IS NULL OR s.retry_at <= now()) AND EXISTS (SELECT 1 FROM engagement_index_outbox o WHERE o.tenant_id = s.tenant_id) AS due
     FROM engagement_index_settings s WHERE s.enabled`,
  );
}

/** Puts the tenant's delivery job on the durable queue (one per tenant: its job key). */
export async function enqueueDelivery(db: Queryable, task: string, tenantId: string, runAt: Date | null = null): Promise<void> {
  await db.query(`SELECT careslot_enqueue_job($1, json_build_object('tenantId', $2::uuid), $1 || ':' || $2, $3)`, [task, tenantId, runAt]);
}
