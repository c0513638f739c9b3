import { Field, InputType, ObjectType, createUnionType } from 'type-graphql';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import { ID, InstantScalar } from '../scalars';
import {
  CentreOffline, FAILURE_TYPES, HoldExpired, InThePast, NotBookableThroughShare, OffSlotGrid, OutsideOpeningHours, ServiceNotActivatedForPartner,
  ServiceNotOffered, SlotUnavailable,
} from './booking.results';
import { IDEMPOTENCY_HELP, IDEMPOTENCY_KEY } from './scheduling.inputs';

@ObjectType({ simpleResolvers: true, description: 'A slot held for its holder ("Start the reservation") until expiresAt; book on it with bookAppointment(holdId) or bookForPartner(holdId).' })
export class Hold {
  @Field(() => ID) id!: string;
  @Field(() => ID) scheduleId!: string;
  @Field(() => ID) serviceId!: string;
  @Field(() => InstantScalar) start!: Date;
  @Field(() => InstantScalar) end!: Date;
  @Field(() => InstantScalar, { description: 'From this instant the slot is free for everyone again.' }) expiresAt!: Date;
  @Field(() => ID, { nullable: true, description: 'The partner it is held for, through the partner\'s traffic channels.' }) partnerId!: string | null;
}

@InputType({ description: 'The slot to hold: the same rules as a booking (grid, opening hours, the partner\'s channels).' })
export class HoldSlotInput {
  @Field(() => ID) @IsUUID() scheduleId!: string;
  @Field(() => ID) @IsUUID() serviceId!: string;
  @Field(() => InstantScalar) start!: Date;
  @Field({ description: IDEMPOTENCY_HELP }) @Matches(IDEMPOTENCY_KEY, { message: `idempotencyKey must be ${IDEMPOTENCY_HELP.split(';')[0]}` }) idempotencyKey!: string;
  @Field(() => ID, { nullable: true, description: 'Holds for this partner (staff with PARTNER_BOOKING); a partner user or app may leave it out.' })
  @IsOptional() @IsUUID() partnerId?: string;
}

@InputType()
export class ReleaseHoldInput {
  @Field(() => ID) @IsUUID() holdId!: string;
}

@ObjectType({ simpleResolvers: true })
export class ReleasedHold {
  @Field({ description: 'false: the hold no longer held its slot (expired or booked), or it is not yours.' }) released!: boolean;
}

export const HoldSlotResult = createUnionType({
  name: 'HoldSlotResult',
  types: () => [
    Hold, SlotUnavailable, OutsideOpeningHours, OffSlotGrid, InThePast, ServiceNotOffered, NotBookableThroughShare, ServiceNotActivatedForPartner,
    CentreOffline, HoldExpired,
  ] as const,
  resolveType: (value: object) => Object.values(FAILURE_TYPES).find((type) => value instanceof type)?.name ?? 'Hold',
});
