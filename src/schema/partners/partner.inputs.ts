import {
  ArrayMaxSize, ArrayUnique, IsBoolean, IsDate, IsEmail, IsEnum, IsOptional, IsUUID, Length, Matches, MaxLength, ValidateNested,
} from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { PageArgs } from '../pagination';
import { BookAppointmentInput } from '../scheduling/scheduling.inputs';
import { AppointmentStatusEnum } from '../scheduling/scheduling.enums';
import { PartnerKindEnum } from './partner.types';

const PHONE = /^\+?[0-9 ()-]{5,20}$/;
const PHONE_HELP = 'contactPhone must be digits, spaces, (), - and an optional leading +';

@InputType()
export class CreatePartnerInput {
  @Field() @Length(1, 200) name!: string;
  @Field(() => PartnerKindEnum) @IsEnum(PartnerKindEnum) kind!: PartnerKindEnum;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) contactName?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsEmail() @MaxLength(254) contactEmail?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(PHONE, { message: PHONE_HELP }) contactPhone?: string | null;
  @Field({ nullable: true, defaultValue: true }) @IsOptional() @IsBoolean() active?: boolean;
}

@InputType({ description: 'Omitted fields keep their value; contact fields are cleared with null.' })
export class UpdatePartnerInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200) name?: string;
  @Field(() => PartnerKindEnum, { nullable: true }) @IsOptional() @IsEnum(PartnerKindEnum) kind?: PartnerKindEnum;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) contactName?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsEmail() @MaxLength(254) contactEmail?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(PHONE, { message: PHONE_HELP }) contactPhone?: string | null;
  @Field({ nullable: true, description: 'false stops the partner at once: its users and apps are refused, nothing is booked for it.' })
  @IsOptional() @IsBoolean() active?: boolean;
}

@ArgsType()
export class PartnersArgs extends PageArgs {
  @Field({ nullable: true, defaultValue: false, description: 'Only active partners.' }) @IsOptional() @IsBoolean() activeOnly?: boolean;
}

@InputType()
export class TrafficChannelRowInput {
  @Field(() => ID) @IsUUID() serviceId!: string;
  @Field(() => [ID], { description: 'The partners this service is activated for at the centre; empty: none.' })
  @IsUUID('all', { each: true }) @ArrayUnique() @ArrayMaxSize(200)
  partnerIds!: string[];
}

@InputType({ description: 'A centre\'s whole matrix: services left out have no channel there afterwards.' })
export class SetTrafficChannelsInput {
  @Field(() => ID) @IsUUID() centreId!: string;
  @Field(() => [TrafficChannelRowInput]) @ValidateNested({ each: true }) @ArrayMaxSize(500) rows!: TrafficChannelRowInput[];
}

const PARTNER_HELP = 'The partner acted for. Staff with PARTNER_BOOKING name it; a partner user or app may leave it out (its own).';

@ArgsType()
export class ActingPartnerArgs {
  @Field(() => ID, { nullable: true, description: PARTNER_HELP }) @IsOptional() @IsUUID() partnerId?: string;
}

@ArgsType()
export class PartnerCentreArgs extends ActingPartnerArgs {
  @Field(() => ID) @IsUUID() centreId!: string;
}

@ArgsType()
export class PartnerOfferArgs extends PartnerCentreArgs {
  @Field({ nullable: true }) @IsOptional() @Length(1, 100) qualification?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() practitionerId?: string;
}

@ArgsType()
export class PartnerAvailabilityArgs extends PartnerCentreArgs {
  @Field(() => ID, { description: 'The service to book: its green slots.' }) @IsUUID() serviceId!: string;
  @Field(() => InstantScalar) @IsDate() from!: Date;
  @Field(() => InstantScalar, { description: 'At most AVAILABILITY_MAX_DAYS (default 31) days after from.' }) @IsDate() to!: Date;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() practitionerId?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 100) qualification?: string;
}

@ArgsType()
export class PartnerPatientArgs extends ActingPartnerArgs {
  @Field({ description: 'Exact.' }) @Length(4, 32) personalIdentityNumber!: string;
  @Field({ description: 'Together with the number; any letter case.' }) @Length(1, 100) familyName!: string;
}

@InputType({ description: 'A booking for a partner: give exactly one of patientId and newPatient.' })
export class BookForPartnerInput extends BookAppointmentInput {
  @Field(() => ID, { nullable: true, description: PARTNER_HELP }) @IsOptional() @IsUUID() partnerId?: string;
}

@ArgsType()
export class PartnerBookingsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: PARTNER_HELP }) @IsOptional() @IsUUID() partnerId?: string;
  @Field(() => InstantScalar, { nullable: true, description: 'Bookings ending after this instant.' }) @IsOptional() @IsDate() from?: Date;
  @Field(() => InstantScalar, { nullable: true, description: 'Bookings starting before this instant.' }) @IsOptional() @IsDate() to?: Date;
  @Field(() => [AppointmentStatusEnum], { nullable: true }) @IsOptional() @IsEnum(AppointmentStatusEnum, { each: true }) @ArrayMaxSize(6) statuses?: AppointmentStatusEnum[];
}

@ArgsType()
export class PartnerBookingArgs extends ActingPartnerArgs {
  @Field(() => ID) @IsUUID() id!: string;
}
