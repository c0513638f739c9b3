import type { Tx } from '../../db/unit-of-work';
import type { NotificationChannel, NotificationPurpose } from '../../entities';
import { SHARED_JOINS, notSharedBecauseSql } from './partner-feed.sql';

export interface PartnerNotificationRow {
  id: string;
  appointmentId: string;
  patientId: string;
  channel: NotificationChannel;
  purpose: NotificationPurpose;
  sentAt: Date;
  recordedAt: Date;
}

export interface NotificationRecord {
  appointmentId: string;
  channel: NotificationChannel;
  purpose: NotificationPurpose;
  sentAt: Date;
  idempotencyKey: string;
}

const NOTIFICATION_COLUMNS = `id, appointment_id AS "appointmentId", patient_id AS "patientId", channel, purpose, sent_at AS "sentAt", recorded_at AS "recordedAt"`;

/**
 * Records a notification in ONE statement, judged at that moment: only on an appointment shared
 * now, so only while the patient's consents allow it. A repeated key answers the first record.
 */
const RECORD_SQL = `
WITH prior AS (
  SELECT ${NOTIFICATION_COLUMNS}
  FROM partner_notifications WHERE tenant_id = $1 AND partner_id = $2 AND idempotency_key = $7
),
target AS (
  SELECT a.id, a.patient_id, ${notSharedBecauseSql('careslot_now()')} AS why
  FROM appointments a ${SHARED_JOINS}
  LEFT JOIN patients p ON p.tenant_id = a.tenant_id AND p.id = a.patient_id
  WHERE a.tenant_id = $1 AND a.id = $3 AND NOT EXISTS (SELECT 1 FROM prior)
),
recorded AS (
  INSERT INTO partner_notifications (tenant_id, partner_id, appointment_id, patient_id, channel, purpose, sent_at, idempotency_key)
  SELECT $1, $2, t.id, t.patient_id, $4, $5, $6, $7 FROM target t WHERE t.why IS NULL
  RETURNING ${NOTIFICATION_COLUMNS}
)
SELECT (SELECT row_to_json(r) FROM recorded r) AS recorded,
       (SELECT row_to_json(p) FROM prior p) AS prior,
       EXISTS (SELECT 1 FROM target) AS found,
       (SELECT why FROM target) AS "notSharedBecause"`;

interface RecordResult {
  recorded: PartnerNotificationRow | null;
  /** The record made earlier with this key. */
  prior: PartnerNotificationRow | null;
  found: boolean;
  notSharedBecause: string | null;
}

const revive = (value: PartnerNotificationRow | null): PartnerNotificationRow | null =>
  value && { ...value, sentAt: new Date(value.sentAt), recordedAt: new Date(value.recordedAt) };

export const partnerNotificationsRepository = {
  async record(tx: Tx, partnerId: string, record: NotificationRecord): Promise<RecordResult> {
    const [row] = await tx.query<RecordResult>(
      RECORD_SQL, [tx.tenantId, partnerId, record.appointmentId, record.channel, record.purpose, record.sentAt, record.idempotencyKey],
    );
    return { ...row, recorded: revive(row.recorded), prior: revive(row.prior) };
  },
};
