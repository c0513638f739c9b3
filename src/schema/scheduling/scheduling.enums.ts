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
  HELD = 'HELD',
}
registerEnumType(SlotStateEnum, {
  name: 'SlotState',
  valuesConfig: { HELD: { description: 'Held by a hold of this clinic (staff only; others see OCCUPIED), until heldUntil.' } },
});

export enum AgendaChangeKindEnum {
  CREATED = 'CREATED',
  CHANGED = 'CHANGED',
  CANCELLED = 'CANCELLED',
  HELD = 'HELD',
  RELEASED = 'RELEASED',
  SCHEDULE_CHANGED = 'SCHEDULE_CHANGED',
  RESYNC = 'RESYNC',
  LINK_DOWN = 'LINK_DOWN',
  LINK_RESTORED = 'LINK_RESTORED',
}
registerEnumType(AgendaChangeKindEnum, {
  name: 'AgendaChangeKind',
  valuesConfig: {
    CREATED: { description: 'An appointment was booked (in a shared schedule without appointmentId: the sharing centre booked).' },
    CHANGED: { description: 'An appointment moved or changed status.' },
    CANCELLED: { description: 'An appointment was cancelled.' },
    HELD: { description: 'A slot was held ("Start the reservation"): occupied until it is booked, released or expires (appointmentId is the hold\'s id).' },
    RELEASED: { description: 'A hold was given back: its time is free again.' },
    SCHEDULE_CHANGED: { description: 'A schedule\'s configuration changed (hours, services, exceptions, share rules).' },
    RESYNC: { description: 'A shared schedule may have changed while its sharing server could not tell: re-read it.' },
    LINK_DOWN: { description: 'The link to a sharing server stopped working (see ShareLink.status); its schedules are unavailable.' },
    LINK_RESTORED: { description: 'The link to a sharing server works again.' },
  },
});

export enum ScheduleSourceEnum {
  LOCAL = 'LOCAL',
  CARESLOT = 'CARESLOT',
  FHIR_R4 = 'FHIR_R4',
  SMART_SCHEDULING_LINKS = 'SMART_SCHEDULING_LINKS',
}
registerEnumType(ScheduleSourceEnum, {
  name: 'ScheduleSource',
  description: 'Where a schedule\'s agenda comes from: this server, or the booking system it lives in (its BookingSystemCode).',
  valuesConfig: {
    LOCAL: { description: 'A schedule of this server.' },
    CARESLOT: { description: 'A schedule shared by another careslot server (a share link\'s mirror).' },
    FHIR_R4: { description: 'The external schedule of a centre connected to a FHIR R4 server.' },
    SMART_SCHEDULING_LINKS: { description: 'The external schedule of a centre connected to a SMART Scheduling Links publisher (read-only: book at the slot\'s bookingLink).' },
  },
});
