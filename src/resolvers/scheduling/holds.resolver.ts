import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import type { HoldOutcome } from '../../services/scheduling/appointment.model';
import { Hold, HoldSlotInput, HoldSlotResult, ReleaseHoldInput, ReleasedHold } from '../../schema/scheduling/hold.types';
import { toBookingResult } from './scheduling.mappers';

/** Local staff who book, users with PARTNER_BOOKING and partner apps hold; a VIEWER is refused before its input is read. */
const HOLDERS = ['ADMIN', 'SCHEDULER', 'PARTNER_BOOKING', 'PARTNER_APP'] as const;

/** Seed 001's "Start the reservation": hold a slot while the patient is found or registered, then book on it, or give it back. */
@Resolver()
export class HoldsResolver {
  constructor(private readonly services: Services) {}

  @Authorized(...HOLDERS)
  @Mutation(() => HoldSlotResult, { description: `Holds a slot for HOLD_SECONDS (300 by default): taken for everyone else, booked with bookAppointment(holdId) (or bookForPartner(holdId)), or given back with releaseHold.` })
  async holdSlot(@Ctx() ctx: RequestContext, @Arg('input') input: HoldSlotInput): Promise<typeof HoldSlotResult> {
    return toHoldResult(await this.services.booking.hold(ctx, input)) as typeof HoldSlotResult;
  }

  @Authorized(...HOLDERS)
  @Mutation(() => ReleasedHold, { description: 'Gives your hold back: its slot is free at once.' })
  async releaseHold(@Ctx() ctx: RequestContext, @Arg('input') input: ReleaseHoldInput): Promise<ReleasedHold> {
    return { released: await this.services.holds.release(ctx, input.holdId) };
  }
}

function toHoldResult(outcome: HoldOutcome): object {
  if (outcome.kind !== 'BOOKED') return toBookingResult(outcome);
  const hold = outcome.appointment;
  return Object.assign(new Hold(), {
    id: hold.id, scheduleId: hold.scheduleId, serviceId: hold.serviceId, start: hold.startsAt, end: hold.endsAt, expiresAt: hold.holdExpiresAt!,
    partnerId: hold.partnerId,
  });
}
