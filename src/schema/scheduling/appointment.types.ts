import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '../pagination';
import { ID, InstantScalar } from '../scalars';
import type { Schedule, Service } from '../catalog/catalog.types';
import { TimeInterval } from './availability.types';
import type { Patient } from './patient.types';
import { AgendaChangeKindEnum, AppointmentOriginEnum, AppointmentStatusEnum } from './scheduling.enums';

@ObjectType({ simpleResolvers: true })
export class Cancellation {
  @Field({ description: 'The code given when cancelling (cancelAppointment\'s reasonCode).' }) reasonCode!: string;
  @Field(() => String, { nullable: true, description: 'The free text given when cancelling (reasonText).' }) reasonText!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One entry of an appointment history: who did what, when.' })
export class AppointmentChange {
  @Field(() => InstantScalar) occurredAt!: Date;
  @Field({ description: 'BOOKED, RESCHEDULED or STATUS_CHANGED.' }) action!: string;
  @Field() actorKind!: string;
  @Field(() => String, { nullable: true }) actorId!: string | null;
  @Field(() => AppointmentStatusEnum, { nullable: true }) fromStatus!: AppointmentStatusEnum | null;
  @Field(() => AppointmentStatusEnum) toStatus!: AppointmentStatusEnum;
  @Field(() => InstantScalar) start!: Date;
  @Field(() => InstantScalar) end!: Date;
}

@ObjectType({ simpleResolvers: true })
export class Appointment {
  @Field(() => ID) id!: string;
  @Field(() => ID) centreId!: string;
  @Field(() => ID) scheduleId!: string;
  @Field(() => ID) serviceId!: string;
  @Field(() => ID, { nullable: true }) patientId!: string | null;
  @Field(() => InstantScalar) start!: Date;
  @Field(() => InstantScalar) end!: Date;
  @Field(() => AppointmentStatusEnum) status!: AppointmentStatusEnum;
  @Field(() => AppointmentOriginEnum) origin!: AppointmentOriginEnum;
  @Field() anonymous!: boolean;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => ID, { nullable: true, description: 'The partner it was booked for (origin PARTNER_BOOKING or PARTNER_APP).' }) partnerId!: string | null;
  @Field({ description: 'Booked in a shared schedule (decided by its sharing server), at the client centre; false otherwise.' }) viaShare!: boolean;
  @Field(() => Cancellation, { nullable: true }) cancellation!: Cancellation | null;
  @Field(() => InstantScalar) createdAt!: Date;
  @Field(() => InstantScalar) updatedAt!: Date;
  /** Embedded by the agenda's one read when selected (the field resolvers load them otherwise). */
  schedule?: Schedule;
  service?: Service;
  patient?: Patient | null;
}

@ObjectType({ simpleResolvers: true })
export class AppointmentConnection {
  @Field(() => [Appointment]) nodes!: Appointment[];
  @Field() pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true, description: 'Something changed in a centre agenda; re-read what you need.' })
export class AgendaChange {
  @Field(() => AgendaChangeKindEnum) kind!: AgendaChangeKindEnum;
  @Field(() => ID) centreId!: string;
  @Field(() => ID, { nullable: true }) appointmentId!: string | null;
  @Field(() => ID, { nullable: true }) scheduleId!: string | null;
  @Field(() => Appointment, { nullable: true, description: 'The appointment as the subscriber may see it now.' }) appointment!: Appointment | null;
  @Field(() => TimeInterval, { nullable: true, description: 'Where occupied time changed: the appointment\'s time (for a move, from the time it left to the time it took); in a shared schedule, as the sharing server said. Re-read only there.' })
  interval!: TimeInterval | null;
  @Field(() => ID, { nullable: true, description: 'LINK_DOWN, LINK_RESTORED and RESYNC: the link to the sharing server concerned.' }) linkId!: string | null;
}
