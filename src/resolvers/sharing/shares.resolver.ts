import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { ADMIN_ONLY } from '../../services/common/access';
import type { Services } from '../../services';
import {
  CreateScheduleShareInput, RevokeScheduleShareInput, RotateScheduleShareTokenInput, ScheduleSharesArgs, UpdateScheduleShareInput,
} from '../../schema/sharing/share.inputs';
import { CreatedScheduleShare, ScheduleShare, ScheduleShareConnection } from '../../schema/sharing/share.types';
import { toCreatedScheduleShare, toScheduleShare, toScheduleShareConnection } from './sharing.mappers';

/** The sharing centre's side of schedule sharing: ADMIN only. */
@Resolver()
export class ScheduleSharesResolver {
  constructor(private readonly services: Services) {}

  @Authorized(...ADMIN_ONLY)
  @Query(() => ScheduleShareConnection, {
    description: 'Shares of the tenant (or of one centre), newest first, revoked ones included, cursor-paginated (ADMIN). Never the token.',
  })
  async scheduleShares(@Ctx() ctx: RequestContext, @Args() args: ScheduleSharesArgs): Promise<ScheduleShareConnection> {
    return toScheduleShareConnection(await this.services.shares.shares(ctx, args.centreId, args));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => CreatedScheduleShare, { description: 'Shares schedules of a centre with client centres (ADMIN). The link token is shown once.' })
  async createScheduleShare(@Ctx() ctx: RequestContext, @Arg('input') input: CreateScheduleShareInput): Promise<CreatedScheduleShare> {
    return toCreatedScheduleShare(await this.services.shares.createShare(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ScheduleShare, { description: 'Changes the label, the schedules or the restrictions of a share (ADMIN). Peers see it at once.' })
  async updateScheduleShare(@Ctx() ctx: RequestContext, @Arg('input') input: UpdateScheduleShareInput): Promise<ScheduleShare> {
    return toScheduleShare(await this.services.shares.updateShare(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => CreatedScheduleShare, { description: 'Issues a new link token (ADMIN); the old one stops working at once, live subscriptions included.' })
  async rotateScheduleShareToken(@Ctx() ctx: RequestContext, @Arg('input') input: RotateScheduleShareTokenInput): Promise<CreatedScheduleShare> {
    return toCreatedScheduleShare(await this.services.shares.rotateToken(ctx, input.id));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ScheduleShare, { description: 'Ends a share (ADMIN): its token stops working at once, live subscriptions included.' })
  async revokeScheduleShare(@Ctx() ctx: RequestContext, @Arg('input') input: RevokeScheduleShareInput): Promise<ScheduleShare> {
    return toScheduleShare(await this.services.shares.revokeShare(ctx, input.id));
  }
}
