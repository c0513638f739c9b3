import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { PeerOccupancyEvent as PeerOccupancyEventRow } from '../../federation/peer-protocol';
import type { Services } from '../../services';
import { PeerAvailabilityArgs, PeerBookInput, PeerCancelInput, PeerHoldInput, PeerRescheduleInput, PeerTwinsArgs } from '../../schema/sharing/peer.inputs';
import { PeerBookResult, PeerCancellation, PeerHoldResult, PeerOccupancyEvent, PeerRescheduleResult, PeerScheduleAvailability, PeerShare, PeerTwin } from '../../schema/sharing/peer.types';
import { servicesOf } from '../schema-services';
import { toPeerBookResult, toPeerCancellation, toPeerHoldResult, toPeerOccupancyEvent, toPeerRescheduleResult, toPeerScheduleAvailability, toPeerShare } from './sharing.mappers';

/**
 * The peer API: reachable only with a shared link token (PEER_SERVER), and a link token reaches
 * nothing else. Everything is scoped to the token's share.
 */
@Resolver()
export class PeerResolver {
  constructor(private readonly services: Services) {}

  @Authorized('PEER_SERVER')
  @Query(() => PeerShare, { description: 'Peer servers only: the share behind the link token — centre, schedules, allowed services, restrictions.' })
  async peerShare(@Ctx() ctx: RequestContext): Promise<PeerShare> {
    return toPeerShare(await this.services.peer.share(ctx));
  }

  @Authorized('PEER_SERVER')
  @Query(() => [PeerScheduleAvailability], { description: 'Peer servers only: free time of the shared schedules with the share\'s rules applied; occupied time without any detail.' })
  async peerAvailability(@Ctx() ctx: RequestContext, @Args() args: PeerAvailabilityArgs): Promise<PeerScheduleAvailability[]> {
    const rows = await this.services.peer.availability(ctx, { from: args.from, to: args.to, serviceId: args.serviceId, includeSlots: args.slots });
    return rows.map(toPeerScheduleAvailability);
  }

  @Authorized('PEER_SERVER')
  @Mutation(() => PeerHoldResult, { description: 'Peer servers only: holds a slot for the client centre, under the share\'s rules, until its expiry. Idempotent per share and key.' })
  async peerHold(@Ctx() ctx: RequestContext, @Arg('input') input: PeerHoldInput): Promise<typeof PeerHoldResult> {
    return toPeerHoldResult(await this.services.peer.hold(ctx, input)) as typeof PeerHoldResult;
  }

  @Authorized('PEER_SERVER')
  @Mutation(() => PeerBookResult, { description: 'Peer servers only: books the twin of a client centre\'s appointment, on a slot or on its hold (holdId). Idempotent per share and key.' })
  async peerBook(@Ctx() ctx: RequestContext, @Arg('input') input: PeerBookInput): Promise<typeof PeerBookResult> {
    return toPeerBookResult(await this.services.peer.book(ctx, { ...input, holdId: input.holdId ?? undefined })) as typeof PeerBookResult;
  }

  @Authorized('PEER_SERVER')
  @Mutation(() => PeerRescheduleResult, { description: 'Peer servers only: moves the twin with this client reference, under the share\'s rules. Idempotent per share and key.' })
  async peerReschedule(@Ctx() ctx: RequestContext, @Arg('input') input: PeerRescheduleInput): Promise<typeof PeerRescheduleResult> {
    return toPeerRescheduleResult(await this.services.peer.reschedule(ctx, input)) as typeof PeerRescheduleResult;
  }

  @Authorized('PEER_SERVER')
  @Query(() => [PeerTwin], { description: 'Peer servers only: the caller\'s twins from an instant on, as the sharing centre holds them (to reconcile after a gap).' })
  async peerTwins(@Ctx() ctx: RequestContext, @Args() args: PeerTwinsArgs): Promise<PeerTwin[]> {
    return this.services.peer.twins(ctx, args.from, args.clientReference ?? undefined);
  }

  @Authorized('PEER_SERVER')
  @Mutation(() => PeerCancellation, { description: 'Peer servers only: cancels the twin with this client reference (a hold not booked yet is released). Idempotent.' })
  async peerCancel(@Ctx() ctx: RequestContext, @Arg('input') input: PeerCancelInput): Promise<PeerCancellation> {
    return toPeerCancellation(await this.services.peer.cancel(ctx, input));
  }

  @Authorized('PEER_SERVER')
  @Subscription(() => PeerOccupancyEvent, {
    description: 'Peer servers only: occupancy changes in the shared schedules. Ends when the share is revoked or its token rotated.',
    subscribe: ({ context, info }: SubscribeResolverData<unknown, object, RequestContext>) => servicesOf(info.schema).peer.watch(context),
  })
  peerOccupancyChanged(@Root() event: PeerOccupancyEventRow): PeerOccupancyEvent {
    return toPeerOccupancyEvent(event);
  }
}
