import { Field, ObjectType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { SlotStateEnum } from './scheduling.enums';

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
}

@ObjectType({ simpleResolvers: true, description: 'The agenda of one schedule in the requested window.' })
export class ScheduleAvailability {
  @Field(() => ID) scheduleId!: string;
  @Field(() => [TimeInterval], { description: 'Merged free time inside opening hours; with a serviceId, only where that service fits (the time it would take from each start where it fits).' }) free!: TimeInterval[];
  @Field(() => [TimeInterval], { description: 'Merged booked time inside opening hours, without any detail.' }) occupied!: TimeInterval[];
  @Field(() => [Slot], { description: 'Individual slots on the grid: FREE (bookable for the service asked for), OCCUPIED, or (for the clinic\'s staff) HELD.' }) slots!: Slot[];
}

@ObjectType({ simpleResolvers: true, description: 'A shared schedule whose sharing server could not be asked, and why.' })
export class UnavailableSchedule {
  @Field(() => ID) scheduleId!: string;
  @Field(() => ID) linkId!: string;
  @Field({ description: 'The link\'s status: UNREACHABLE, REJECTED or REVOKED.' }) status!: string;
  @Field() problem!: string;
}

@ObjectType({ simpleResolvers: true })
export class Availability {
  @Field(() => ID) centreId!: string;
  @Field(() => InstantScalar) from!: Date;
  @Field(() => InstantScalar) to!: Date;
  @Field(() => [ScheduleAvailability]) schedules!: ScheduleAvailability[];
  @Field(() => [UnavailableSchedule], { description: 'Shared schedules left out because their sharing server did not answer: never silently missing.' })
  unavailable!: UnavailableSchedule[];
}
