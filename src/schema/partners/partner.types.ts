import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { PageInfo } from '../pagination';
import { Service } from '../catalog/catalog.types';
import { Cancellation } from '../scheduling/appointment.types';
import { AppointmentOriginEnum, AppointmentStatusEnum } from '../scheduling/scheduling.enums';

export enum PartnerKindEnum {
  INSURER = 'INSURER',
  BOOKING_PORTAL = 'BOOKING_PORTAL',
  NOTIFICATION_SERVICE = 'NOTIFICATION_SERVICE',
  OTHER = 'OTHER',
}
registerEnumType(PartnerKindEnum, { name: 'PartnerKind' });

@ObjectType({ simpleResolvers: true, description: 'An external organisation with an agreement with the tenant: it books through traffic channels (seed 001).' })
export class Partner {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => PartnerKindEnum) kind!: PartnerKindEnum;
  @Field(() => String, { nullable: true }) contactName!: string | null;
  @Field(() => String, { nullable: true }) contactEmail!: string | null;
  @Field(() => String, { nullable: true }) contactPhone!: string | null;
  @Field({ description: 'An inactive partner books nothing; its users and apps are refused.' }) active!: boolean;
  @Field(() => InstantScalar) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class PartnerConnection {
  @Field(() => [Partner]) nodes!: Partner[];
  @Field() pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true, description: 'One row of a centre\'s traffic channels: a service, and the partners it is activated for.' })
export class TrafficChannelRow {
  @Field(() => Service) service!: Service;
  @Field(() => [ID]) partnerIds!: string[];
}

@ObjectType({ simpleResolvers: true, description: 'A centre\'s traffic channels: rows are services, columns are partners.' })
export class TrafficChannelMatrix {
  @Field(() => ID) centreId!: string;
  @Field(() => [Partner], { description: 'Every partner of the tenant, by name.' }) partners!: Partner[];
  @Field(() => [TrafficChannelRow], { description: 'The services offered at the centre, and any other with a channel there, by name.' }) rows!: TrafficChannelRow[];
}

@ObjectType({ simpleResolvers: true, description: 'A patient as someone booking for a partner sees it: whom the booking is for, nothing more.' })
export class PartnerPatient {
  @Field(() => ID) id!: string;
  @Field() familyName!: string;
  @Field() givenName!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A booking made for a partner, as the partner may see it.' })
export class PartnerBooking {
  @Field(() => ID) id!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => InstantScalar) start!: Date;
  @Field(() => InstantScalar) end!: Date;
  @Field(() => AppointmentStatusEnum) status!: AppointmentStatusEnum;
  @Field(() => AppointmentOriginEnum, { description: 'PARTNER_BOOKING (a user booked) or PARTNER_APP.' }) origin!: AppointmentOriginEnum;
  @Field(() => ID) centreId!: string;
  @Field(() => ID) scheduleId!: string;
  @Field(() => ID) serviceId!: string;
  @Field(() => ID, { nullable: true }) patientId!: string | null;
  @Field(() => Cancellation, { nullable: true }) cancellation!: Cancellation | null;
  @Field(() => InstantScalar) createdAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class PartnerBookingConnection {
  @Field(() => [PartnerBooking]) nodes!: PartnerBooking[];
  @Field() pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true, description: 'What the caller may do, for a front end to show or hide its tiles.' })
export class ViewerCapabilities {
  @Field({ description: 'Whether to show "Book to partner": the caller may book for at least one partner.' }) bookForPartners!: boolean;
  @Field(() => [Partner], { description: 'The active partners the caller may book for, by name.' }) partners!: Partner[];
}
