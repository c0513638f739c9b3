import type { AvailabilityRow } from '../../services/scheduling/availability.model';
import type { CentreAvailability } from '../../services/scheduling/availability.service';
import type { AppointmentChangeRow, AppointmentRow, HoldOutcome } from '../../services/scheduling/appointment.model';
import type { PatientRow } from '../../services/scheduling/patient.model';
import type { Page } from '../../services/common/pagination';
import { Appointment, AppointmentChange } from '../../schema/scheduling/appointment.types';
import { Availability, ScheduleAvailability } from '../../schema/scheduling/availability.types';
import { BookAtExternalSystem, FAILURE_TYPES } from '../../schema/scheduling/booking.results';
import { Patient, PatientConnection } from '../../schema/scheduling/patient.types';
import { SHARED_CLIENT_MARKER } from '../../services/sharing/shares.service';
import { AppointmentOriginEnum, AppointmentStatusEnum, ScheduleSourceEnum, SlotStateEnum } from '../../schema/scheduling/scheduling.enums';

export const toAppointment = (row: AppointmentRow): Appointment => ({
  id: row.id, centreId: row.centreId, scheduleId: row.scheduleId, serviceId: row.serviceId, patientId: row.patientId,
  start: row.startsAt, end: row.endsAt, status: row.status as AppointmentStatusEnum, origin: row.origin as AppointmentOriginEnum,
  anonymous: row.anonymous, note: row.note, partnerId: row.partnerId, createdAt: row.createdAt, updatedAt: row.updatedAt, viaShare: row.remoteAppointmentId !== null,
  cancellation: row.cancellationCode ? { reasonCode: row.cancellationCode, reasonText: row.cancellationText } : null,
});

export const toAppointmentChange = (row: AppointmentChangeRow): AppointmentChange => ({
  occurredAt: row.occurredAt, action: row.action, actorKind: row.actorKind, actorId: row.actorId,
  fromStatus: row.fromStatus as AppointmentStatusEnum | null, toStatus: row.toStatus as AppointmentStatusEnum, start: row.startsAt, end: row.endsAt,
});

const FAILURES: Record<Exclude<HoldOutcome['kind'], 'BOOKED' | 'BOOK_AT_LINK'>, [keyof typeof FAILURE_TYPES, string]> = {
  SLOT_UNAVAILABLE: ['SlotUnavailable', 'This time is no longer available'],
  OUTSIDE_OPENING_HOURS: ['OutsideOpeningHours', 'The appointment would not fit inside the opening hours'],
  OFF_SLOT_GRID: ['OffSlotGrid', 'The start is not on the schedule\'s slot grid'],
  IN_THE_PAST: ['InThePast', 'The start lies in the past'],
  SERVICE_NOT_OFFERED: ['ServiceNotOffered', 'The schedule does not offer this service'],
  PATIENT_NOT_FOUND: ['PatientNotFound', 'No such patient'],
  NOT_BOOKABLE_THROUGH_SHARE: ['NotBookableThroughShare', 'The sharing centre does not allow this booking through the share'],
  SERVICE_NOT_ACTIVATED_FOR_PARTNER: ['ServiceNotActivatedForPartner', 'This service is not activated for the partner at this centre (traffic channels)'],
  CENTRE_OFFLINE: ['CentreOffline', 'The centre is offline: it takes no partner bookings'],
  HOLD_EXPIRED: ['HoldExpired', 'The hold no longer holds its slot (expired, released or booked), or it is not yours'],
};

/** A booking outcome → the union member clients switch on. */
export function toBookingResult(outcome: HoldOutcome): object {
  if (outcome.kind === 'BOOKED') return toAppointment(outcome.appointment);
  if (outcome.kind === 'BOOK_AT_LINK') {
    return Object.assign(new BookAtExternalSystem(), { message: 'Nothing was booked here: the patient books this slot at the booking system\'s link', bookingLink: outcome.bookingLink });
  }
  const [typeName, message] = FAILURES[outcome.kind];
  return Object.assign(new FAILURE_TYPES[typeName](), { message });
}

export const toPatient = (row: PatientRow): Patient => ({
  id: row.id, familyName: row.familyName, givenName: row.givenName, patronymic: row.patronymic, phone: row.phone,
  personalIdentityNumber: row.personalIdentityNumber,
  consents: { dataProcessingRefused: row.dataProcessingRefused, allNotificationsRefused: row.allNotificationsRefused, advertisingRefused: row.advertisingRefused },
});

export const toPatientConnection = (page: Page<PatientRow>): PatientConnection => ({
  nodes: page.nodes.map(toPatient),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});

const toScheduleAvailability = (row: AvailabilityRow): ScheduleAvailability => ({
  scheduleId: row.scheduleId,
  source: (row.source ?? 'LOCAL') as ScheduleSourceEnum,
  free: row.free.map(([start, end]) => ({ start, end })),
  occupied: row.occupied.map(([start, end]) => ({ start, end })),
  slots: (row.slots ?? []).map(([start, end, state, heldUntil, heldThroughShare, bookingLink]) => ({
    start, end, state: state as SlotStateEnum, heldUntil: heldUntil ?? null, displayMarker: heldThroughShare ? SHARED_CLIENT_MARKER : null, bookingLink: bookingLink ?? null,
  })),
});

export const toAvailability = (availability: CentreAvailability): Availability => ({
  centreId: availability.centreId, from: availability.from, to: availability.to,
  schedules: availability.schedules.map(toScheduleAvailability),
  unavailable: availability.unavailable.map((schedule) => ({ ...schedule, source: schedule.source as ScheduleSourceEnum })),
});
