import { IsBoolean, IsDate, IsOptional, IsUUID, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
const IDEMPOTENCY_HELP = '8–128 characters of A–Z, a–z, 0–9, ".", "_", ":", "-"; the same key with the same input returns the first result.';
const CLIENT_REFERENCE = /^[A-Za-z0-9._:-]{1,128}$/;

@ArgsType()
export class PeerAvailabilityArgs {
  @Field(() => InstantScalar) @IsDate() from!: Date;
  @Field(() => InstantScalar, { description: 'At most AVAILABILITY_MAX_DAYS (default 31) days after from.' }) @IsDate() to!: Date;
  @Field(() => ID, { nullable: true, description: 'FREE for this service (its duration must fit); a service the share does not allow is free nowhere.' })
  @IsOptional() @IsUUID()
  serviceId?: string;
  @Field(() => Boolean, { defaultValue: false, description: 'Also the individual slots.' }) @IsBoolean() slots!: boolean;
}

@InputType({ description: 'The patient as the client centre knows them; found at the sharing centre by personal identity number, or created.' })
export class PeerPatientInput {
  @Field() @Length(1, 100) familyName!: string;
  @Field() @Length(1, 100) givenName!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 100) patronymic?: string | null;
  @Field(() => String, { nullable: true })
  @IsOptional() @Matches(/^\+?[0-9 ()-]{5,20}$/, { message: 'phone must be digits, spaces, (), - and an optional leading +' })
  phone?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(4, 32) personalIdentityNumber?: string | null;
}

@InputType()
export class PeerBookInput {
  @Field(() => ID) @IsUUID() scheduleId!: string;
  @Field(() => ID) @IsUUID() serviceId!: string;
  @Field(() => InstantScalar, { description: 'On the schedule\'s slot grid; the service\'s duration decides the end.' }) @IsDate() start!: Date;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey has an invalid format' }) idempotencyKey!: string;
  @Field({ description: 'The client\'s own appointment id: the twin\'s handle on both sides (1–128 of A–Z, a–z, 0–9, ".", "_", ":", "-").' })
  @Matches(CLIENT_REFERENCE, { message: 'clientReference has an invalid format' })
  clientReference!: string;
  @Field({ description: 'Shown with the appointment at the sharing centre.' }) @Length(1, 200) clientCentreName!: string;
  @Field(() => PeerPatientInput) @ValidateNested() patient!: PeerPatientInput;
  @Field(() => String, { nullable: true, description: 'The booking note, shown to the sharing centre that performs the visit.' })
  @IsOptional() @MaxLength(2000) note?: string | null;
  @Field(() => ID, { nullable: true, description: 'Books on this hold of the caller\'s (peerHold): scheduleId, serviceId, start and clientReference must be the hold\'s.' })
  @IsOptional() @IsUUID()
  holdId?: string | null;
}

@InputType({ description: 'Holds a slot for the client centre until the hold\'s expiry: the share\'s rules as for a booking, no patient yet.' })
export class PeerHoldInput {
  @Field(() => ID) @IsUUID() scheduleId!: string;
  @Field(() => ID) @IsUUID() serviceId!: string;
  @Field(() => InstantScalar, { description: 'On the schedule\'s slot grid; the service\'s duration decides the end.' }) @IsDate() start!: Date;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey has an invalid format' }) idempotencyKey!: string;
  @Field({ description: 'The client\'s own id for the hold, kept by the appointment it becomes (1–128 of A–Z, a–z, 0–9, ".", "_", ":", "-").' })
  @Matches(CLIENT_REFERENCE, { message: 'clientReference has an invalid format' })
  clientReference!: string;
  @Field({ description: 'Shown with the hold at the sharing centre.' }) @Length(1, 200) clientCentreName!: string;
}

@InputType({ description: 'Moves the twin with this client reference to another start in the same shared schedule.' })
export class PeerRescheduleInput {
  @Field({ description: 'The client reference the twin was booked with.' }) @Matches(CLIENT_REFERENCE, { message: 'clientReference has an invalid format' }) clientReference!: string;
  @Field(() => InstantScalar, { description: 'On the schedule\'s slot grid; the service\'s duration decides the end.' }) @IsDate() start!: Date;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey has an invalid format' }) idempotencyKey!: string;
}

@ArgsType()
export class PeerTwinsArgs {
  @Field(() => InstantScalar, { description: 'Twins that start from this instant on, whatever their status.' }) @IsDate() from!: Date;
  @Field(() => String, { nullable: true, description: 'Only the twin with this client reference.' })
  @IsOptional() @Matches(CLIENT_REFERENCE, { message: 'clientReference has an invalid format' }) clientReference?: string | null;
}

@InputType()
export class PeerCancelInput {
  @Field({ description: 'The client reference the twin was booked with.' }) @Matches(CLIENT_REFERENCE, { message: 'clientReference has an invalid format' }) clientReference!: string;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: 'idempotencyKey has an invalid format' }) idempotencyKey!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(1000) reasonText?: string;
}
