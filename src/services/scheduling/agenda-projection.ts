/**
 * What an agenda read must answer: the fields of each appointment, and of its schedule (with the
 * schedule's practitioner), patient and service, by their GraphQL names. The read selects exactly
 * these, nested as the answer nests them, and nothing else. A field outside these lists (history,
 * partner, a schedule's opening hours…) is resolved from the ids as before.
 */
export const AGENDA_APPOINTMENT_FIELDS = [
  'id', 'centreId', 'scheduleId', 'serviceId', 'patientId', 'start', 'end', 'status', 'origin', 'anonymous', 'note', 'partnerId', 'viaShare',
  'cancellation', 'createdAt', 'updatedAt',
] as const;
export const AGENDA_SCHEDULE_FIELDS = ['id', 'centreId', 'practitionerId', 'name', 'slotMinutes', 'active', 'linkId'] as const;
export const AGENDA_PRACTITIONER_FIELDS = ['id', 'name', 'qualifications', 'dataSharingBanned'] as const;
export const AGENDA_PATIENT_FIELDS = ['id', 'familyName', 'givenName', 'patronymic', 'phone', 'personalIdentityNumber', 'consents'] as const;
export const AGENDA_SERVICE_FIELDS = ['id', 'code', 'name', 'durationMinutes', 'requiredQualification'] as const;

export type AgendaAppointmentField = (typeof AGENDA_APPOINTMENT_FIELDS)[number];
export type AgendaScheduleField = (typeof AGENDA_SCHEDULE_FIELDS)[number];
export type AgendaPractitionerField = (typeof AGENDA_PRACTITIONER_FIELDS)[number];
export type AgendaPatientField = (typeof AGENDA_PATIENT_FIELDS)[number];
export type AgendaServiceField = (typeof AGENDA_SERVICE_FIELDS)[number];

export interface AgendaProjection {
  appointment: ReadonlySet<AgendaAppointmentField>;
  schedule?: { fields: ReadonlySet<AgendaScheduleField>; practitioner?: ReadonlySet<AgendaPractitionerField> };
  patient?: ReadonlySet<AgendaPatientField>;
  service?: ReadonlySet<AgendaServiceField>;
}

/**
 * One appointment as the agenda answers it: the selected fields by their GraphQL names (instants
 * as ISO text), the selected relations embedded (`patient` null when there is none), and the
 * keyset of the page (`cursorAt`, `cursorId`).
 */
export type AgendaNode = Record<string, unknown> & { cursorAt: string; cursorId: string };
