/**
 * The body of a `new_patient` CTE: inserts the patient given as JSON in parameter `json` (a
 * NewPatient) when the statement's verdict row `v` has no problem; $1 is the tenant. Shared by the
 * statements that may create the patient of the appointment they write.
 */
export const insertNewPatientSql = (json: string): string => `
  INSERT INTO patients (tenant_id, family_name, given_name, patronymic, phone, personal_identity_number,
                        data_processing_refused, all_notifications_refused, advertising_refused)
  SELECT $1, ${json}::jsonb->>'familyName', ${json}::jsonb->>'givenName', ${json}::jsonb->>'patronymic', ${json}::jsonb->>'phone',
         ${json}::jsonb->>'personalIdentityNumber', coalesce((${json}::jsonb->'consents'->>'dataProcessingRefused')::boolean, false),
         coalesce((${json}::jsonb->'consents'->>'allNotificationsRefused')::boolean, false),
         coalesce((${json}::jsonb->'consents'->>'advertisingRefused')::boolean, false)
  FROM v WHERE v.problem IS NULL AND ${json}::jsonb IS NOT NULL
  RETURNING id`;
