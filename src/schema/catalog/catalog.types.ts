import { Field, Int, ObjectType } from 'type-graphql';
import { ID } from '../scalars';
import { PageInfo } from '../pagination';
import { ScheduleExceptionKindEnum } from './catalog.enums';

@ObjectType({ simpleResolvers: true })
export class Address {
  @Field(() => String, { nullable: true }) street?: string;
  @Field(() => String, { nullable: true }) postalCode?: string;
  @Field(() => String, { nullable: true }) city?: string;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2.' }) country?: string;
}

@ObjectType({ simpleResolvers: true, description: 'A healthcare centre (institution, location). Its schedules keep its time zone.' })
export class Centre {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'IANA time zone, e.g. Europe/Stockholm: opening hours and exceptions are local times in it.' }) timeZone!: string;
  @Field(() => String, { nullable: true, description: 'Swedish HSA-id, the logical address for the national booking services.' }) hsaId!: string | null;
  @Field(() => Address, { nullable: true }) address!: Address | null;
  @Field({ description: 'An offline centre takes no partner or shared bookings.' }) offline!: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'A doctor or other care giver.' })
export class Practitioner {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String]) qualifications!: string[];
  @Field({ description: 'Appointments with this practitioner are never shared with partners.' }) dataSharingBanned!: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'A bookable service (examination).' })
export class Service {
  @Field(() => ID) id!: string;
  @Field({ description: 'Unique within the tenant.' }) code!: string;
  @Field() name!: string;
  @Field(() => Int) durationMinutes!: number;
  @Field(() => String, { nullable: true, description: 'Only practitioners holding it perform the service.' }) requiredQualification!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'The bookable agenda of one centre, optionally of one practitioner. Slots are derived from it.' })
export class Schedule {
  @Field(() => ID) id!: string;
  @Field(() => ID) centreId!: string;
  @Field(() => ID, { nullable: true }) practitionerId!: string | null;
  @Field() name!: string;
  @Field(() => Int, { description: 'Length of one slot on the booking grid.' }) slotMinutes!: number;
  @Field({ description: 'An inactive schedule offers no slots.' }) active!: boolean;
  /** Set on a mirror of a shared schedule (read by Schedule.sharedFrom). */
  linkId?: string | null;
  /** Embedded by the agenda's one read when selected (the field resolver loads it otherwise). */
  practitioner?: Practitioner | null;
}

@ObjectType({ simpleResolvers: true, description: 'One weekly block of opening hours in the centre\'s local time, valid between two dates.' })
export class OpeningHours {
  @Field(() => ID) id!: string;
  @Field(() => Int, { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' }) weekday!: number;
  @Field({ description: '"HH:MM".' }) startTime!: string;
  @Field({ description: '"HH:MM"; "24:00" is the midnight that ends the day.' }) endTime!: string;
  @Field({ description: '"YYYY-MM-DD", the first day the block applies.' }) validFrom!: string;
  @Field(() => String, { nullable: true, description: '"YYYY-MM-DD", the last day the block applies; null: open-ended.' }) validUntil!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A closure or extra opening hours, in the centre\'s local time.' })
export class ScheduleException {
  @Field(() => ID) id!: string;
  @Field(() => ID) scheduleId!: string;
  @Field(() => ScheduleExceptionKindEnum) kind!: ScheduleExceptionKindEnum;
  @Field({ description: '"YYYY-MM-DDTHH:MM", local time in the centre\'s time zone.' }) startsLocal!: string;
  @Field({ description: '"YYYY-MM-DDTHH:MM", local time in the centre\'s time zone; exclusive.' }) endsLocal!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class CentreConnection {
  @Field(() => [Centre]) nodes!: Centre[];
  @Field() pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true })
export class PractitionerConnection {
  @Field(() => [Practitioner]) nodes!: Practitioner[];
  @Field() pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true })
export class ServiceConnection {
  @Field(() => [Service]) nodes!: Service[];
  @Field() pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true })
export class ScheduleConnection {
  @Field(() => [Schedule]) nodes!: Schedule[];
  @Field() pageInfo!: PageInfo;
}
