import { createHash } from 'node:crypto';
import type { Tx } from '../../db/unit-of-work';
import type { AppointmentFilter } from './appointment.model';
import type { AgendaNode, AgendaProjection } from './agenda-projection';
import { appointmentListPage, appointmentListParameters } from './appointments.sql';

/** An instant in ISO with milliseconds, in UTC: as the keyset cursors hold it. */
const isoWithMs = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** An instant as the API writes it (milliseconds only when there are any), formatted once, by PostgreSQL. */
const instant = (column: string) => `replace(${isoWithMs(column)}, '.000Z', 'Z')`;

const APPOINTMENT_SQL: Record<string, string> = {
  id: 'a.id', centreId: 's.centre_id', scheduleId: 'a.schedule_id', serviceId: 'a.service_id', patientId: 'a.patient_id',
  start: instant('a.starts_at'), end: instant('a.ends_at'), status: 'a.status', origin: 'a.origin', anonymous: 'a.anonymous', note: 'a.note',
  partnerId: 'a.partner_id', viaShare: 'a.remote_appointment_id IS NOT NULL',
  cancellation: `CASE WHEN a.cancellation_code IS NULL THEN NULL ELSE json_build_object('reasonCode', a.cancellation_code, 'reasonText', a.cancellation_text) END`,
  createdAt: instant('a.created_at'), updatedAt: instant('a.updated_at'),
};
const SCHEDULE_SQL: Record<string, string> = {
  id: 's.id', centreId: 's.centre_id', practitionerId: 's.practitioner_id', name: 's.name', slotMinutes: 's.slot_minutes', active: 's.active', linkId: 's.link_id',
};
const PRACTITIONER_SQL: Record<string, string> = {
  id: 'pr.id', name: 'pr.name', qualifications: 'pr.qualifications', dataSharingBanned: 'pr.data_sharing_banned',
};
const PATIENT_SQL: Record<string, string> = {
  id: 'p.id', familyName: 'p.family_name', givenName: 'p.given_name', patronymic: 'p.patronymic', phone: 'p.phone',
  personalIdentityNumber: 'p.personal_identity_number',
  consents: `json_build_object('dataProcessingRefused', p.data_processing_refused, 'allNotificationsRefused', p.all_notifications_refused, 'advertisingRefused', p.advertising_refused)`,
};
const SERVICE_SQL: Record<string, string> = {
  id: 'sv.id', code: 'sv.code', name: 'sv.name', durationMinutes: 'sv.duration_minutes', requiredQualification: 'sv.required_qualification',
};

/** `json_build_object` of exactly these fields (key, expression pairs), in the order asked. */
const objectOf = (fields: Iterable<string>, sql: Record<string, string>, extra: string[] = []) =>
  `json_build_object(${[...[...fields].map((field) => `'${field}', ${sql[field]}`), ...extra].join(', ')})`;

/**
 * The agenda in ONE statement whatever it selects: the page of appointments (keyset on
 * (starts_at, id), the same filters and index bounds as every appointment list) with their
 * schedule, the schedule's practitioner, the patient and the service joined only when selected,
 * each row built as the JSON object the answer holds, and the page aggregated into one JSON value
 * (one parse, no Date, no row objects to map).
 */
function agendaSql(projection: AgendaProjection, listPage: string): string {
  const { schedule, patient, service } = projection;
  const relations: string[] = [];
  if (schedule) {
    const practitioner = schedule.practitioner
      ? [`'practitioner', CASE WHEN pr.id IS NULL THEN NULL ELSE ${objectOf(schedule.practitioner, PRACTITIONER_SQL)} END`] : [];
    relations.push(`'schedule', ${objectOf(schedule.fields, SCHEDULE_SQL, practitioner)}`);
  }
  if (patient) relations.push(`'patient', CASE WHEN p.id IS NULL THEN NULL ELSE ${objectOf(patient, PATIENT_SQL)} END`);
  if (service) relations.push(`'service', ${objectOf(service, SERVICE_SQL)}`);
  const joins = [
    schedule?.practitioner ? 'LEFT JOIN practitioners pr ON pr.tenant_id = s.tenant_id AND pr.id = s.practitioner_id' : '',
    patient ? 'LEFT JOIN patients p ON p.tenant_id = a.tenant_id AND p.id = a.patient_id' : '',
    service ? 'JOIN services sv ON sv.tenant_id = a.tenant_id AND sv.id = a.service_id' : '',
  ].filter(Boolean).join('\n    ');
  const node = objectOf(projection.appointment, APPOINTMENT_SQL, [
    ...relations,
    `'cursorAt', ${isoWithMs('a.starts_at')}`, `'cursorId', a.id`,
  ]);
  // The page's keys first (the index bound and the keyset decide which rows, in order), then the
  // answer's JSON for those rows only: built for the whole period it would cost more than the page.
  return `
SELECT coalesce(json_agg(page.node ORDER BY page.starts_at, page.id), '[]') AS nodes FROM (
  SELECT a.starts_at, a.id, ${node} AS node
  FROM (SELECT a.id FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
        ${listPage}) keys
  JOIN appointments a ON a.tenant_id = $1 AND a.id = keys.id
  JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
    ${joins}
) page`;
}

/**
 * Prepared statements by the shape of the request (its selection, the filters given, first page or
 * not): a client asks a handful, each planned once per connection. Past this many shapes (documents
 * crafted to make many) a shape goes unnamed, so no connection collects statements without bound.
 */
const MAX_NAMED_SHAPES = 64;
const named = new Map<string, string>();

function nameOf(sql: string): string | undefined {
  let name = named.get(sql);
  if (!name && named.size < MAX_NAMED_SHAPES) {
    name = `careslot_agenda_${createHash('sha256').update(sql).digest('hex').slice(0, 12)}`;
    named.set(sql, name);
  }
  return name;
}

export async function queryAgenda(
  tx: Tx, filter: AppointmentFilter, page: { limit: number; after?: [string, string] }, projection: AgendaProjection,
): Promise<AgendaNode[]> {
  const sql = agendaSql(projection, appointmentListPage(filter, page.after !== undefined));
  const name = nameOf(sql);
  const parameters = appointmentListParameters(tx, filter, page);
  const [row] = name ? await tx.prepared<{ nodes: AgendaNode[] }>(name, sql, parameters) : await tx.query<{ nodes: AgendaNode[] }>(sql, parameters);
  return row.nodes;
}
