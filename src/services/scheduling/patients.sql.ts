import type { Tx } from '../../db/unit-of-work';
import type { NewPatient, PatientChange, PatientRow } from './patient.model';

export const PATIENT_COLUMNS = `id, family_name AS "familyName", given_name AS "givenName", patronymic, phone,
  personal_identity_number AS "personalIdentityNumber", data_processing_refused AS "dataProcessingRefused",
  all_notifications_refused AS "allNotificationsRefused", advertising_refused AS "advertisingRefused", created_at AS "createdAt"`;

/** The name search key; the same expression backs the index patients_name_search_idx. */
const SEARCH_NAME = `lower(family_name || ' ' || given_name)`;

export const patientsRepository = {
  async insert(tx: Tx, patient: NewPatient): Promise<PatientRow | undefined> {
    const [row] = await tx.query<PatientRow>(
      `INSERT INTO patients (tenant_id, family_name, given_name, patronymic, phone, personal_identity_number,
         data_processing_refused, all_notifications_refused, advertising_refused)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (tenant_id, personal_identity_number) WHERE personal_identity_number IS NOT NULL DO NOTHING
       RETURNING ${PATIENT_COLUMNS}`,
      [tx.tenantId, patient.familyName, patient.givenName, patient.patronymic ?? null, patient.phone ?? null,
        patient.personalIdentityNumber ?? null, patient.consents?.dataProcessingRefused ?? false,
        patient.consents?.allNotificationsRefused ?? false, patient.consents?.advertisingRefused ?? false],
    );
    return row;
  },

  async update(tx: Tx, change: PatientChange): Promise<PatientRow | undefined> {
    const [row] = await tx.query<PatientRow>(
      `UPDATE patients SET family_name = COALESCE($3, family_name), given_name = COALESCE($4, given_name),
         patronymic = COALESCE($5, patronymic), phone = COALESCE($6, phone),
         personal_identity_number = COALESCE($7, personal_identity_number),
         data_processing_refused = COALESCE($8, data_processing_refused),
         all_notifications_refused = COALESCE($9, all_notifications_refused),
         advertising_refused = COALESCE($10, advertising_refused), updated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${PATIENT_COLUMNS}`,
      [tx.tenantId, change.id, change.familyName ?? null, change.givenName ?? null, change.patronymic ?? null,
        change.phone ?? null, change.personalIdentityNumber ?? null, change.consents?.dataProcessingRefused ?? null,
        change.consents?.allNotificationsRefused ?? null, change.consents?.advertisingRefused ?? null],
    );
    return row;
  },

  async findByIds(tx: Tx, ids: readonly string[]): Promise<PatientRow[]> {
    return tx.query<PatientRow>(`SELECT ${PATIENT_COLUMNS} FROM patients WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, ids]);
  },

  /** By identity number (exact) or name prefix ("family given"), keyset-paged by (name, id). */
  async search(tx: Tx, term: string, page: { limit: number; after?: [string, string] }): Promise<Array<PatientRow & { searchKey: string }>> {
    return tx.query<PatientRow & { searchKey: string }>(
      `SELECT ${PATIENT_COLUMNS}, ${SEARCH_NAME} AS "searchKey" FROM patients
       WHERE tenant_id = $1
         AND (personal_identity_number = $2 OR ${SEARCH_NAME} LIKE $3 || '%' OR lower(given_name) LIKE $3 || '%')
         AND ($4::text IS NULL OR (${SEARCH_NAME}, id) > ($4, $5::uuid))
       ORDER BY ${SEARCH_NAME}, id LIMIT $6`,
      [tx.tenantId, term.trim(), escapeLike(term.trim().toLowerCase()), page.after?.[0] ?? null, page.after?.[1] ?? null, page.limit],
    );
  },

  /** The database's own lower(): JavaScript lower-cases some letters differently (İ). */
  searchKeyOf(row: PatientRow & { searchKey: string }): [string, string] {
    return [row.searchKey, row.id];
  },
};

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
