import type { GraphQLResolveInfo } from 'graphql';
import { Args, Authorized, Ctx, Info, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import { Availability } from '../../schema/scheduling/availability.types';
import { AvailabilityArgs } from '../../schema/scheduling/scheduling.inputs';
import { selects } from '../selection';
import { toAvailability } from './scheduling.mappers';

@Resolver()
export class AvailabilityResolver {
  constructor(private readonly services: Services) {}

  @Authorized()
  @Query(() => Availability, { description: 'Free and occupied time of a centre\'s schedules; individual slots only when selected. One SQL statement.' })
  async availability(@Ctx() ctx: RequestContext, @Args() args: AvailabilityArgs, @Info() info: GraphQLResolveInfo): Promise<Availability> {
    return toAvailability(await this.services.availability.availability(ctx, { ...args, includeSlots: selects(info, ['schedules', 'slots']) }));
  }
}
