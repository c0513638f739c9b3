import { Field, Int, ObjectType, createUnionType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { Slot, TimeInterval } from '../scheduling/availability.types';
import { FAILURE_TYPES } from '../scheduling/booking.results';
import { PeerCancelStatusEnum, PeerOccupancyKindEnum, ShareRefusalEnum } from './sharing.enums';
import { ShareRestrictions } from './share.types';

/** The peer-only part of the schema: what another careslot server sees through a share. */

@ObjectType({ simpleResolvers: true, description: 'A service a client may book in a shared schedule.' })
export class PeerSharedService {
  @Field(() => ID) id!: string;
  @Field() code!: string;
  @Field() name!: string;
  @Field(() => Int) durationMinutes!: number;
}

@ObjectType({ simpleResolvers: true })
export class PeerSharedSchedule {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => Int) slotMinutes!: number;
  @Field(() => [PeerSharedService], { description: 'Only the services the share allows.' }) services!: PeerSharedService[];
}

@ObjectType({ simpleResolvers: true, description: 'The share the calling peer\'s token stands for.' })
export class PeerShare {
  @Field(() => ID) shareId!: string;
  @Field(() => ID) centreId!: string;
  @Field() centreName!: string;
  @Field({ description: 'IANA zone of the sharing centre: the weekly windows are local times in it.' }) timeZone!: string;
  @Field(() => [PeerSharedSchedule]) schedules!: PeerSharedSchedule[];
  @Field(() => ShareRestrictions) restrictions!: ShareRestrictions;
}

@ObjectType({ simpleResolvers: true, description: 'A shared schedule in the requested window: free time with the share\'s rules applied, occupied time without any detail.' })
export class PeerScheduleAvailability {
  @Field(() => ID) scheduleId!: string;
  @Field(() => [TimeInterval]) free!: TimeInterval[];
  @Field(() => [TimeInterval], { description: 'Times only: whose, what and why never cross.' }) occupied!: TimeInterval[];
  @Field(() => [Slot], { nullable: true, description: 'Only when asked for (slots: true).' }) slots!: Slot[] | null;
}

@ObjectType({ simpleResolvers: true, description: 'The twin was booked at the sharing centre.' })
export class PeerBooking {
  @Field(() => ID) appointmentId!: string;
  @Field(() => InstantScalar) start!: string;
  @Field(() => InstantScalar) end!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The slot is held for the client centre until expiresAt; book on it with peerBook(holdId), give it back with peerCancel.' })
export class PeerHold {
  @Field(() => ID) holdId!: string;
  @Field(() => InstantScalar) start!: string;
  @Field(() => InstantScalar) end!: string;
  @Field(() => InstantScalar) expiresAt!: string;
}

@ObjectType({ simpleResolvers: true, description: 'The share\'s rules refuse this time or service.' })
export class ShareRefused {
  @Field(() => ShareRefusalEnum) reason!: ShareRefusalEnum;
  @Field() message!: string;
}

/** The booking, a refusal by the share's rules, or any failure a local booking may answer (booking.results.ts). */
const PEER_RESULT_TYPES = [PeerBooking, ShareRefused, ...Object.values(FAILURE_TYPES)] as const;

export const PeerBookResult = createUnionType({
  name: 'PeerBookResult',
  types: () => PEER_RESULT_TYPES,
  resolveType: (value: object) => PEER_RESULT_TYPES.find((type) => value instanceof type)?.name,
});

const PEER_HOLD_TYPES = [PeerHold, ShareRefused, ...Object.values(FAILURE_TYPES)] as const;

/** The hold, a refusal by the share's rules, or any failure a local hold may answer. */
export const PeerHoldResult = createUnionType({
  name: 'PeerHoldResult',
  types: () => PEER_HOLD_TYPES,
  resolveType: (value: object) => PEER_HOLD_TYPES.find((type) => value instanceof type)?.name,
});

/** The twin at its new time, a refusal by the share's rules, or any failure a local reschedule may answer. */
export const PeerRescheduleResult = createUnionType({
  name: 'PeerRescheduleResult',
  types: () => PEER_RESULT_TYPES,
  resolveType: (value: object) => PEER_RESULT_TYPES.find((type) => value instanceof type)?.name,
});

@ObjectType({ simpleResolvers: true, description: 'One of the calling client\'s twins, as the sharing centre holds it.' })
export class PeerTwin {
  @Field() clientReference!: string;
  @Field(() => InstantScalar) start!: string;
  @Field(() => InstantScalar) end!: string;
  @Field({ description: 'The appointment status at the sharing centre (BOOKED, CONFIRMED, …, CANCELLED).' }) status!: string;
}

@ObjectType({ simpleResolvers: true })
export class PeerCancellation {
  @Field(() => PeerCancelStatusEnum) status!: PeerCancelStatusEnum;
  @Field(() => ID, { nullable: true }) appointmentId!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'Occupancy changed in a shared schedule; re-read availability there. clientReference only for the caller\'s own twins. Every stream opens with LIVE: from then on nothing is missed.' })
export class PeerOccupancyEvent {
  @Field(() => ID, { nullable: true, description: 'The shared schedule; null only for LIVE.' }) scheduleId!: string | null;
  @Field(() => PeerOccupancyKindEnum) kind!: PeerOccupancyKindEnum;
  @Field(() => String, { nullable: true }) clientReference!: string | null;
  @Field(() => InstantScalar, { nullable: true, description: 'When an appointment changed: where occupancy changed begins (for a move, the earlier of the old and new start).' }) start!: string | null;
  @Field(() => InstantScalar, { nullable: true }) end!: string | null;
}
