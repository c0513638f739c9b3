/** The appointment columns as AppointmentRow, for a table aliased `a` joined to its schedule `s`. */
export const APPOINTMENT_COLUMNS = `a.id, s.centre_id AS "centreId", a.schedule_id AS "scheduleId", a.service_id AS "serviceId",
  a.patient_id AS "patientId", a.starts_at AS "startsAt", a.ends_at AS "endsAt", a.status, a.origin, a.anonymous, a.note,
  a.cancellation_code AS "cancellationCode", a.cancellation_text AS "cancellationText", a.share_id AS "shareId",
  a.client_reference AS "clientReference", a.client_centre_name AS "clientCentreName", a.remote_appointment_id AS "remoteAppointmentId",
  a.external_appointment_ref AS "externalAppointmentRef", a.partner_id AS "partnerId", a.hold_expires_at AS "holdExpiresAt", a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;

/** The same columns from a RETURNING list (no join available there): the centre comes from the verdict row `v`. */
export const RETURNED_APPOINTMENT_COLUMNS = `id, schedule_id AS "scheduleId", service_id AS "serviceId", patient_id AS "patientId",
  starts_at AS "startsAt", ends_at AS "endsAt", status, origin, anonymous, note, cancellation_code AS "cancellationCode",
  cancellation_text AS "cancellationText", share_id AS "shareId", client_reference AS "clientReference",
  client_centre_name AS "clientCentreName", remote_appointment_id AS "remoteAppointmentId", external_appointment_ref AS "externalAppointmentRef", partner_id AS "partnerId", hold_expires_at AS "holdExpiresAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The same columns from a RETURNING list of an UPDATE … FROM (qualified by the updated table `a`; the centre from `v`). */
export const UPDATED_APPOINTMENT_COLUMNS = RETURNED_APPOINTMENT_COLUMNS.split(/,\s*/).map((column) => `a.${column}`).join(', ');
