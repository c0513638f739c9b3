import { Field, ObjectType, createUnionType } from 'type-graphql';
import { Appointment } from './appointment.types';

/** Expected reasons a time cannot be booked, returned (not thrown) so clients can switch on __typename. */
@ObjectType({ simpleResolvers: true, description: 'Someone else holds (part of) this time.' })
export class SlotUnavailable {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The appointment would not fit inside the opening hours.' })
export class OutsideOpeningHours {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The start is not on the schedule\'s slot grid.' })
export class OffSlotGrid {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The start lies in the past.' })
export class InThePast {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The schedule does not offer this service.' })
export class ServiceNotOffered {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'No such patient in this tenant.' })
export class PatientNotFound {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The sharing centre\'s restrictions do not allow this time or service for this client.' })
export class NotBookableThroughShare {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The centre has not activated this service for the partner (its traffic channels), or the partner has no channel here.' })
export class ServiceNotActivatedForPartner {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The centre is offline: it takes no partner or shared bookings.' })
export class CentreOffline {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The hold no longer holds its slot (it expired, was released or booked), or it is not yours.' })
export class HoldExpired {
  @Field() message!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The schedule belongs to a read-only booking system (SMART Scheduling Links): nothing was booked here; the patient books this slot at bookingLink.' })
export class BookAtExternalSystem {
  @Field() message!: string;
  @Field({ description: 'The publisher\'s booking deep link for this slot.' }) bookingLink!: string;
}

export const FAILURE_TYPES = {
  SlotUnavailable, OutsideOpeningHours, OffSlotGrid, InThePast, ServiceNotOffered, PatientNotFound, NotBookableThroughShare,
  ServiceNotActivatedForPartner, CentreOffline, HoldExpired, BookAtExternalSystem,
};

/** Failures are class instances; anything else in these unions is an appointment. */
const resolveType = (value: object): string => {
  const failure = Object.values(FAILURE_TYPES).find((type) => value instanceof type);
  return failure ? failure.name : 'Appointment';
};

export const BookAppointmentResult = createUnionType({
  name: 'BookAppointmentResult',
  types: () => [
    Appointment, SlotUnavailable, OutsideOpeningHours, OffSlotGrid, InThePast, ServiceNotOffered, PatientNotFound, NotBookableThroughShare, HoldExpired, BookAtExternalSystem,
  ] as const,
  resolveType,
});

export const RescheduleAppointmentResult = createUnionType({
  name: 'RescheduleAppointmentResult',
  types: () => [Appointment, SlotUnavailable, OutsideOpeningHours, OffSlotGrid, InThePast, NotBookableThroughShare] as const,
  resolveType,
});
