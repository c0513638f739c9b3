import { ArrayMaxSize, ArrayUnique, IsDate, IsEnum, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { AppointmentOriginEnum, AppointmentStatusEnum } from '../scheduling/scheduling.enums';
import { BookingStatisticsDimensionEnum } from './booking-statistics.types';

/** Enough for any real selection; the lists become bind parameters of one statement. */
const MAX_LIST = 100;
const LIST_HELP = `At most ${MAX_LIST}; null or absent filters nothing, an empty list matches nothing.`;

@InputType({ description: 'Appointments whose start lies in [from, to), at most 366 days; every list narrows the set.' })
export class BookingStatisticsFilter {
  @Field(() => InstantScalar) @IsDate() from!: Date;
  @Field(() => InstantScalar, { description: 'After from, at most 366 days later.' }) @IsDate() to!: Date;
  @Field(() => [ID], { nullable: true, description: LIST_HELP }) @IsOptional() @IsUUID(undefined, { each: true }) @ArrayMaxSize(MAX_LIST) centreIds?: string[] | null;
  @Field(() => [ID], { nullable: true, description: LIST_HELP }) @IsOptional() @IsUUID(undefined, { each: true }) @ArrayMaxSize(MAX_LIST) serviceIds?: string[] | null;
  @Field(() => [ID], { nullable: true, description: LIST_HELP }) @IsOptional() @IsUUID(undefined, { each: true }) @ArrayMaxSize(MAX_LIST) practitionerIds?: string[] | null;
  @Field(() => [AppointmentOriginEnum], { nullable: true, description: LIST_HELP })
  @IsOptional() @IsEnum(AppointmentOriginEnum, { each: true }) @ArrayMaxSize(MAX_LIST) origins?: AppointmentOriginEnum[] | null;
  @Field(() => [ID], { nullable: true, description: `${LIST_HELP} A partner user or app may name its own partner only.` })
  @IsOptional() @IsUUID(undefined, { each: true }) @ArrayMaxSize(MAX_LIST) partnerIds?: string[] | null;
  @Field(() => [AppointmentStatusEnum], { nullable: true, description: LIST_HELP })
  @IsOptional() @IsEnum(AppointmentStatusEnum, { each: true }) @ArrayMaxSize(MAX_LIST) statuses?: AppointmentStatusEnum[] | null;
}

@ArgsType()
export class BookingStatisticsArgs {
  @Field(() => BookingStatisticsFilter) @ValidateNested() filter!: BookingStatisticsFilter;
  @Field(() => [BookingStatisticsDimensionEnum], { description: 'Each at most once, at most one of DAY, WEEK and MONTH; empty: one group of everything.' })
  @IsEnum(BookingStatisticsDimensionEnum, { each: true }) @ArrayUnique() @ArrayMaxSize(8) groupBy!: BookingStatisticsDimensionEnum[];
}
