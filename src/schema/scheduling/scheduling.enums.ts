import { registerEnumType } from 'type-graphql';

export enum AppointmentStatusEnum {
  BOOKED = 'BOOKED',
  CONFIRMED = 'CONFIRMED',
  ARRIVED = 'ARRIVED',
  FULFILLED = 'FULFILLED',
  CANCELLED = 'CANCELLED',
  NO_SHOW = 'NO_SHOW',
}
registerEnumType(AppointmentStatusEnum, { name: 'AppointmentStatus', description: 'FHIR Appointment statuses are the reference.' });

export enum AppointmentOriginEnum {
  LOCAL = 'LOCAL',
  SHARED_CLIENT = 'SHARED_CLIENT',
  PARTNER_BOOKING = 'PARTNER_BOOKING',
  PARTNER_APP = 'PARTNER_APP',
}
registerEnumType(AppointmentOriginEnum, { name: 'AppointmentOrigin', description: 'Where the booking came from.' });

export enum SlotStateEnum {
  FREE = 'FREE',
  OCCUPIED = 'OCCUPIED',
}
registerEnumType(SlotStateEnum, { name: 'SlotState' });

export enum AgendaChangeKindEnum {
  CREATED = 'CREATED',
  CHANGED = 'CHANGED',
  CANCELLED = 'CANCELLED',
  SCHEDULE_CHANGED = 'SCHEDULE_CHANGED',
}
registerEnumType(AgendaChangeKindEnum, { name: 'AgendaChangeKind' });
