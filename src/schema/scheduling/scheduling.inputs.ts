import {
  ArrayMaxSize, IsBoolean, IsDate, IsEnum, IsOptional, IsUUID, Length, Matches, MaxLength, ValidateIf, ValidateNested,
} from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { AppointmentOriginEnum, AppointmentStatusEnum } from './scheduling.enums';

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
export const IDEMPOTENCY_HELP = '8–128 characters of A–Z, a–z, 0–9, ".", "_", ":", "-"; the same key with the same input returns the first result.';

@InputType()
export class PatientConsentsInput {
  @Field({ nullable: true }) @IsOptional() @IsBoolean() dataProcessingRefused?: boolean;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() allNotificationsRefused?: boolean;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() advertisingRefused?: boolean;
}

@InputType()
export class NewPatientInput {
  @Field() @Length(1, 100) familyName!: string;
  @Field() @Length(1, 100) givenName!: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 100) patronymic?: string;
  @Field({ nullable: true }) @IsOptional() @Matches(/^\+?[0-9 ()-]{5,20}$/, { message: 'phone must be digits, spaces, (), - and an optional leading +' }) phone?: string;
  @Field({ nullable: true }) @IsOptional() @Length(4, 32) personalIdentityNumber?: string;
  @Field(() => PatientConsentsInput, { nullable: true }) @IsOptional() @ValidateNested() consents?: PatientConsentsInput;
}

@InputType()
export class UpdatePatientInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 100) familyName?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 100) givenName?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 100) patronymic?: string;
  @Field({ nullable: true }) @IsOptional() @Matches(/^\+?[0-9 ()-]{5,20}$/, { message: 'phone must be digits, spaces, (), - and an optional leading +' }) phone?: string;
  @Field({ nullable: true }) @IsOptional() @Length(4, 32) personalIdentityNumber?: string;
  @Field(() => PatientConsentsInput, { nullable: true }) @IsOptional() @ValidateNested() consents?: PatientConsentsInput;
}

@InputType({ description: 'Give exactly one of patientId and newPatient; and either holdId (a hold of yours) or scheduleId, serviceId and start.' })
export class BookAppointmentInput {
  @Field(() => ID, { nullable: true, description: 'Books on your hold (holdSlot): its slot, service and partner.' }) @IsOptional() @IsUUID() holdId?: string;
  @Field(() => ID, { nullable: true }) @ValidateIf((input: BookAppointmentInput) => !input.holdId) @IsUUID() scheduleId?: string;
  @Field(() => ID, { nullable: true }) @ValidateIf((input: BookAppointmentInput) => !input.holdId) @IsUUID() serviceId?: string;
  @Field(() => InstantScalar, { nullable: true, description: 'Must sit on the schedule\'s slot grid; the service\'s duration decides the end.' })
  @ValidateIf((input: BookAppointmentInput) => !input.holdId) @IsDate() start?: Date;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() patientId?: string;
  @Field(() => NewPatientInput, { nullable: true }) @IsOptional() @ValidateNested() newPatient?: NewPatientInput;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: `idempotencyKey must be ${IDEMPOTENCY_HELP.split(';')[0]}` }) idempotencyKey!: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(2000) note?: string;
  @Field({ nullable: true, defaultValue: false }) @IsOptional() @IsBoolean() anonymous?: boolean;
}

@InputType()
export class RescheduleAppointmentInput {
  @Field(() => ID) @IsUUID() appointmentId!: string;
  @Field(() => InstantScalar) @IsDate() start!: Date;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey has an invalid format' }) idempotencyKey!: string;
}

@InputType()
export class CancelAppointmentInput {
  @Field(() => ID) @IsUUID() appointmentId!: string;
  @Field({ description: 'A short reason code, e.g. PATIENT_REQUEST, CLINIC_UNAVAILABLE.' }) @Matches(/^[A-Z][A-Z0-9_]{1,49}$/, { message: 'reasonCode must be 2–50 upper-case letters, digits or _' }) reasonCode!: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(1000) reasonText?: string;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey has an invalid format' }) idempotencyKey!: string;
}

@InputType()
export class ConfirmAppointmentInput {
  @Field(() => ID) @IsUUID() appointmentId!: string;
  @Field({ nullable: true, description: IDEMPOTENCY_HELP }) @IsOptional() @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey has an invalid format' }) idempotencyKey?: string;
}

@InputType({ description: 'Moves an appointment along its state machine (ARRIVED, FULFILLED, NO_SHOW, …).' })
export class ChangeAppointmentStatusInput {
  @Field(() => ID) @IsUUID() appointmentId!: string;
  @Field(() => AppointmentStatusEnum) @IsEnum(AppointmentStatusEnum) status!: AppointmentStatusEnum;
  @Field({ nullable: true, description: IDEMPOTENCY_HELP }) @IsOptional() @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey has an invalid format' }) idempotencyKey?: string;
}

@InputType()
export class AppointmentFilterInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() centreId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() scheduleId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() patientId?: string;
  @Field(() => InstantScalar, { nullable: true, description: 'Appointments ending after this instant.' }) @IsOptional() @IsDate() from?: Date;
  @Field(() => InstantScalar, { nullable: true, description: 'Appointments starting before this instant.' }) @IsOptional() @IsDate() to?: Date;
  @Field(() => [AppointmentStatusEnum], { nullable: true }) @IsOptional() @IsEnum(AppointmentStatusEnum, { each: true }) @ArrayMaxSize(6) statuses?: AppointmentStatusEnum[];
  @Field(() => [AppointmentOriginEnum], { nullable: true }) @IsOptional() @IsEnum(AppointmentOriginEnum, { each: true }) @ArrayMaxSize(4) origins?: AppointmentOriginEnum[];
}

@ArgsType()
export class AvailabilityArgs {
  @Field(() => ID) @IsUUID() centreId!: string;
  @Field(() => InstantScalar) @IsDate() from!: Date;
  @Field(() => InstantScalar, { description: 'At most AVAILABILITY_MAX_DAYS (default 31) days after from.' }) @IsDate() to!: Date;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() serviceId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() practitionerId?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 100) qualification?: string;
}

@ArgsType()
export class PatientSearchArgs {
  @Field({ description: 'A name prefix ("Lund", "Lund Ing") or an exact personal identity number.' }) @Length(1, 100) search!: string;
}
