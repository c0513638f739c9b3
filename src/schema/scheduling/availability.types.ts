import { Field, ObjectType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { ScheduleSourceEnum, SlotStateEnum } from './scheduling.enums';

@ObjectType({ simpleResolvers: true, description: 'A half-open time interval [start, end).' })
export class TimeInterval {
  @Field(() => InstantScalar) start!: string;
  @Field(() => InstantScalar) end!: string;
}

@ObjectType({ simpleResolvers: true })
export class Slot {
  @Field(() => InstantScalar) start!: string;
  @Field(() => InstantScalar) end!: string;
  @Field(() => SlotStateEnum) state!: SlotStateEnum;
  @Field(() => InstantScalar, { nullable: true, description: 'HELD: when the hold stops holding the slot.' }) heldUntil!: string | null;
  @Field(() => String, { nullable: true, description: 'HELD: `*` when a client centre holds the slot through a share (as its appointments are marked).' })
  displayMarker!: string | null;
  @Field(() => String, { nullable: true, description: 'FREE in a SMART Scheduling Links schedule: the publisher\'s booking deep link, where the patient books this slot.' })
  bookingLink!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'The agenda of one schedule in the requested window.' })
export class ScheduleAvailability {
  @Field(() => ID) scheduleId!: string;
  @Field(() => ScheduleSourceEnum, { description: 'Where this agenda comes from: this server, a share (CARESLOT), or the centre\'s connected booking system.' })
  source!: ScheduleSourceEnum;
  @Field(() => [TimeInterval], { description: 'Merged free time inside opening hours; with a serviceId, only where that service fits (the time it would take from each start where it fits).' }) free!: TimeInterval[];
  @Field(() => [TimeInterval], { description: 'Merged booked time inside opening hours, without any detail.' }) occupied!: TimeInterval[];
  @Field(() => [Slot], { description: 'Individual slots on the grid: FREE (bookable for the service asked for), OCCUPIED, or (for the clinic\'s staff) HELD.' }) slots!: Slot[];
}

@ObjectType({ simpleResolvers: true, description: 'A remote schedule (shared, or external) whose server could not be asked, and why.' })
export class UnavailableSchedule {
  @Field(() => ID) scheduleId!: string;
  @Field(() => ScheduleSourceEnum, { description: 'Which source did not answer: CARESLOT (a share link), FHIR_R4 or SMART_SCHEDULING_LINKS.' })
  source!: ScheduleSourceEnum;
  @Field(() => ID, { nullable: true, description: 'The share link, for a shared schedule; null for an external schedule.' }) linkId!: string | null;
  @Field({ description: 'The link\'s or connection\'s status: UNREACHABLE, REJECTED or REVOKED.' }) status!: string;
  @Field() problem!: string;
}

@ObjectType({ simpleResolvers: true })
export class Availability {
  @Field(() => ID) centreId!: string;
  @Field(() => InstantScalar) from!: Date;
  @Field(() => InstantScalar) to!: Date;
  @Field(() => [ScheduleAvailability]) schedules!: ScheduleAvailability[];
  @Field(() => [UnavailableSchedule], { description: 'Shared and external schedules left out because their server did not answer: never silently missing.' })
  unavailable!: UnavailableSchedule[];
}
