import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ID } from '../scalars';
import { AppointmentOriginEnum } from '../scheduling/scheduling.enums';

export enum BookingStatisticsDimensionEnum {
  ORIGIN = 'ORIGIN',
  PARTNER = 'PARTNER',
  CENTRE = 'CENTRE',
  SERVICE = 'SERVICE',
  PRACTITIONER = 'PRACTITIONER',
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(BookingStatisticsDimensionEnum, {
  name: 'BookingStatisticsDimension',
  description: 'What booking statistics are grouped by. Days, weeks and months are calendar periods in each centre\'s time zone; a grouping names at most one of them.',
  valuesConfig: {
    PRACTITIONER: { description: 'The practitioner of the appointment\'s schedule.' },
    DAY: { description: 'The local day of the start.' },
    WEEK: { description: 'The local ISO week (Monday to Sunday) of the start.' },
    MONTH: { description: 'The local calendar month of the start.' },
  },
});

@ObjectType({ simpleResolvers: true })
export class BookingCounts {
  @Field(() => Int, { description: 'Every appointment of the set, whatever its status now.' }) booked!: number;
  @Field(() => Int) cancelled!: number;
  @Field(() => Int) noShow!: number;
  @Field(() => Int) fulfilled!: number;
}

@ObjectType({ simpleResolvers: true, description: 'The values of the grouped dimensions; the others are null.' })
export class BookingStatisticsKey {
  @Field(() => AppointmentOriginEnum, { nullable: true }) origin!: AppointmentOriginEnum | null;
  @Field(() => ID, { nullable: true, description: 'Null in a PARTNER group of bookings made for no partner.' }) partnerId!: string | null;
  @Field(() => ID, { nullable: true }) centreId!: string | null;
  @Field(() => ID, { nullable: true }) serviceId!: string | null;
  @Field(() => ID, { nullable: true, description: 'Null in a PRACTITIONER group of schedules without a practitioner.' }) practitionerId!: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD in the centre\'s time zone: the day, the Monday of the week, or the first day of the month.' })
  period!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class BookingStatisticsGroup {
  @Field(() => BookingStatisticsKey) key!: BookingStatisticsKey;
  @Field(() => BookingCounts) counts!: BookingCounts;
}

@ObjectType({ simpleResolvers: true })
export class BookingStatistics {
  @Field(() => [BookingStatisticsGroup], { description: 'Ordered by their keys, in the order of groupBy.' }) groups!: BookingStatisticsGroup[];
  @Field(() => BookingCounts, { description: 'Every appointment the filter selects.' }) total!: BookingCounts;
}
