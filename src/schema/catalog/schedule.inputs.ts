import { ArrayMaxSize, ArrayUnique, IsBoolean, IsEnum, IsInt, IsOptional, IsUUID, Length, Max, Min, ValidateNested } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { ID } from '../scalars';
import { ScheduleExceptionKindEnum } from './catalog.enums';
import {
  IsLaterThan, IsLocalDate, IsLocalDateTime, IsLocalTime, IsOmittableButNotNull, isEndTimeText, isLocalDateText, isLocalDateTimeText,
} from './catalog.validators';

const MAX_SERVICES_PER_SCHEDULE = 100;
const MAX_WEEKLY_BLOCKS = 100;

@InputType({ description: 'One weekly block in the centre\'s local time.' })
export class OpeningHoursInput {
  @Field(() => Int, { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' }) @IsInt() @Min(1) @Max(7) weekday!: number;
  @Field({ description: '"HH:MM".' }) @IsLocalTime() startTime!: string;
  @Field({ description: '"HH:MM", later than startTime; "24:00" for midnight.' })
  @IsLocalTime({ endOfDay: true }) @IsLaterThan('startTime', isEndTimeText)
  endTime!: string;
  @Field({ description: '"YYYY-MM-DD", the first day the block applies.' }) @IsLocalDate() validFrom!: string;
  @Field(() => String, { nullable: true, description: '"YYYY-MM-DD", the last day; omitted or null: open-ended.' })
  @IsOptional() @IsLocalDate() @IsLaterThan('validFrom', isLocalDateText, { orEqual: true })
  validUntil?: string | null;
}

@InputType()
export class CreateScheduleInput {
  @Field(() => ID) @IsUUID() centreId!: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() practitionerId?: string | null;
  @Field() @Length(1, 200) name!: string;
  @Field(() => Int, { description: '5 to 480.' }) @IsInt() @Min(5) @Max(480) slotMinutes!: number;
  @Field(() => [ID], { description: 'The services offered; at least one.' })
  @ArrayMaxSize(MAX_SERVICES_PER_SCHEDULE) @ArrayUnique() @IsUUID('all', { each: true })
  serviceIds!: string[];
  @Field(() => [OpeningHoursInput], { nullable: true, description: 'The weekly hours; also settable later with setOpeningHours.' })
  @IsOptional() @ArrayMaxSize(MAX_WEEKLY_BLOCKS) @ValidateNested({ each: true })
  openingHours?: OpeningHoursInput[];
}

@InputType({ description: 'Omitted fields keep their value; practitionerId is cleared with null; serviceIds replaces the whole set.' })
export class UpdateScheduleInput {
  @Field(() => ID) @IsUUID() id!: string;
  @Field(() => String, { nullable: true }) @IsOmittableButNotNull() @Length(1, 200) name?: string;
  @Field(() => Int, { nullable: true }) @IsOmittableButNotNull() @IsInt() @Min(5) @Max(480) slotMinutes?: number;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() practitionerId?: string | null;
  @Field(() => [ID], { nullable: true })
  @IsOmittableButNotNull() @ArrayMaxSize(MAX_SERVICES_PER_SCHEDULE) @ArrayUnique() @IsUUID('all', { each: true })
  serviceIds?: string[];
  @Field(() => Boolean, { nullable: true, description: 'An inactive schedule offers no slots.' }) @IsOmittableButNotNull() @IsBoolean() active?: boolean;
}

@InputType({ description: 'The complete weekly list: it replaces the previous one.' })
export class SetOpeningHoursInput {
  @Field(() => ID) @IsUUID() scheduleId!: string;
  @Field(() => [OpeningHoursInput]) @ArrayMaxSize(MAX_WEEKLY_BLOCKS) @ValidateNested({ each: true }) hours!: OpeningHoursInput[];
}

@InputType()
export class AddScheduleExceptionInput {
  @Field(() => ID) @IsUUID() scheduleId!: string;
  @Field(() => ScheduleExceptionKindEnum) @IsEnum(ScheduleExceptionKindEnum) kind!: ScheduleExceptionKindEnum;
  @Field({ description: '"YYYY-MM-DDTHH:MM", local time in the centre\'s time zone.' }) @IsLocalDateTime() startsLocal!: string;
  @Field({ description: '"YYYY-MM-DDTHH:MM", later than startsLocal; exclusive.' })
  @IsLocalDateTime() @IsLaterThan('startsLocal', isLocalDateTimeText)
  endsLocal!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) reason?: string | null;
}

@InputType()
export class RemoveScheduleExceptionInput {
  @Field(() => ID) @IsUUID() id!: string;
}
