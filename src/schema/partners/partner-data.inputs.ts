import { IsDate, IsEnum, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { IDEMPOTENCY_HELP, IDEMPOTENCY_KEY } from '../scheduling/scheduling.inputs';
import { PageArgs } from '../pagination';
import { NotificationChannelEnum, NotificationPurposeEnum } from './partner-data.types';

const KEY_MESSAGE = `idempotencyKey must be ${IDEMPOTENCY_HELP.split(';')[0]}`;
export const MAX_FEED_PAGE = 500;

@InputType()
export class PartnerIdInput {
  @Field(() => ID) @IsUUID() partnerId!: string;
}

@ArgsType()
export class PartnerDataAccessArgs {
  @Field(() => ID, { nullable: true, description: 'Staff name the partner; a partner user or app may leave it out.' }) @IsOptional() @IsUUID() partnerId?: string;
}

@ArgsType()
export class PartnerFeedArgs {
  @Field(() => String, { nullable: true, description: 'The cursor of the last change you applied; without it, the whole shared set.' })
  @IsOptional() @IsString() @MaxLength(512)
  after?: string;

  @Field(() => Int, { defaultValue: 100, description: `At most ${MAX_FEED_PAGE}.` }) @Min(1) @Max(MAX_FEED_PAGE) first!: number;
}

@ArgsType()
export class PartnerFeedStreamArgs {
  @Field(() => String, { nullable: true, description: 'Replay the changes after this cursor first; without it, the whole shared set.' })
  @IsOptional() @IsString() @MaxLength(512)
  after?: string;
}

@InputType()
export class PartnerConfirmInput {
  @Field(() => ID) @IsUUID() appointmentId!: string;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: KEY_MESSAGE }) idempotencyKey!: string;
}

@InputType()
export class PartnerCancelInput {
  @Field(() => ID) @IsUUID() appointmentId!: string;
  @Field({ description: 'Why: shown to the clinic with the cancellation.' }) @Length(1, 1000) reasonText!: string;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: KEY_MESSAGE }) idempotencyKey!: string;
}

@InputType()
export class PartnerPostponeInput {
  @Field(() => ID) @IsUUID() appointmentId!: string;
  @Field(() => InstantScalar, { description: 'A free start on the same schedule\'s grid.' }) @IsDate() start!: Date;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: KEY_MESSAGE }) idempotencyKey!: string;
}

@InputType()
export class RecordPartnerNotificationInput {
  @Field(() => ID) @IsUUID() appointmentId!: string;
  @Field(() => NotificationChannelEnum) @IsEnum(NotificationChannelEnum) channel!: NotificationChannelEnum;
  @Field(() => NotificationPurposeEnum) @IsEnum(NotificationPurposeEnum) purpose!: NotificationPurposeEnum;
  @Field(() => InstantScalar) @IsDate() sentAt!: Date;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: KEY_MESSAGE }) idempotencyKey!: string;
}

@ArgsType()
export class PartnerAccessLogArgs extends PageArgs {
  @Field(() => ID) @IsUUID() partnerId!: string;
  @Field(() => InstantScalar) @IsDate() from!: Date;
  @Field(() => InstantScalar) @IsDate() to!: Date;
}
