import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsInt, IsOptional, IsUUID, Length, Max, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { ID } from '../scalars';
import { PageArgs } from '../pagination';
import { IsLaterThan, IsLocalTime, IsOmittableButNotNull, isEndTimeText } from '../catalog/catalog.validators';

const MAX_SCHEDULES_PER_SHARE = 100;
const MAX_SERVICES_PER_SHARE = 100;
const MAX_WEEKLY_WINDOWS = 70;

@InputType({ description: 'A weekly window in the sharing centre\'s local time.' })
export class ShareWeeklyWindowInput {
  @Field(() => Int, { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' }) @IsInt() @Min(1) @Max(7) weekday!: number;
  @Field({ description: '"HH:MM".' }) @IsLocalTime() startTime!: string;
  @Field({ description: '"HH:MM", later than startTime; "24:00" for midnight.' })
  @IsLocalTime({ endOfDay: true }) @IsLaterThan('startTime', isEndTimeText)
  endTime!: string;
}

@InputType({ description: 'Omitted fields take their defaults: every offered service, 0 to 90 days ahead, any open hour, no quota.' })
export class ShareRestrictionsInput {
  @Field(() => [ID], { nullable: true, description: 'Services a client may book; each must be offered by a shared schedule. Empty: all.' })
  @IsOptional() @ArrayMaxSize(MAX_SERVICES_PER_SHARE) @ArrayUnique() @IsUUID('all', { each: true })
  allowedServiceIds?: string[];
  @Field(() => Int, { nullable: true, description: '0 to 365; default 0.' }) @IsOptional() @IsInt() @Min(0) @Max(365) earliestDaysAhead?: number;
  @Field(() => Int, { nullable: true, description: '1 to 730, more than earliestDaysAhead; default 90.' }) @IsOptional() @IsInt() @Min(1) @Max(730) latestDaysAhead?: number;
  @Field(() => [ShareWeeklyWindowInput], { nullable: true, description: 'Empty: any time the schedules are open.' })
  @IsOptional() @ArrayMaxSize(MAX_WEEKLY_WINDOWS) @ValidateNested({ each: true })
  weeklyWindows?: ShareWeeklyWindowInput[];
  @Field(() => Int, { nullable: true, description: 'Bookings per local day the client may hold; null or omitted: no quota.' })
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  dailyQuota?: number | null;
}

@InputType()
export class CreateScheduleShareInput {
  @Field(() => ID) @IsUUID() centreId!: string;
  @Field(() => [ID], { description: 'Schedules of that centre; at least one.' })
  @ArrayMinSize(1) @ArrayMaxSize(MAX_SCHEDULES_PER_SHARE) @ArrayUnique() @IsUUID('all', { each: true })
  scheduleIds!: string[];
  @Field({ description: 'For the sharing centre\'s own lists, e.g. the client centre\'s name.' }) @Length(1, 100) label!: string;
  @Field(() => ShareRestrictionsInput, { nullable: true }) @IsOptional() @ValidateNested() restrictions?: ShareRestrictionsInput;
}

@InputType({ description: 'Omitted fields keep their value; scheduleIds replaces the set; restrictions replaces all restrictions (omitted ones take their defaults).' })
export class UpdateScheduleShareInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => String, { nullable: true }) @IsOmittableButNotNull() @Length(1, 100) label?: string;
  @Field(() => [ID], { nullable: true })
  @IsOmittableButNotNull() @ArrayMinSize(1) @ArrayMaxSize(MAX_SCHEDULES_PER_SHARE) @ArrayUnique() @IsUUID('all', { each: true })
  scheduleIds?: string[];
  @Field(() => ShareRestrictionsInput, { nullable: true }) @IsOmittableButNotNull() @ValidateNested() restrictions?: ShareRestrictionsInput;
}

@InputType()
export class RotateScheduleShareTokenInput {
  @Field(() => ID) @IsUUID() id!: string;
}

@InputType()
export class RevokeScheduleShareInput {
  @Field(() => ID) @IsUUID() id!: string;
}

@ArgsType()
export class ScheduleSharesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only the shares of this centre.' }) @IsOptional() @IsUUID() centreId?: string;
}
