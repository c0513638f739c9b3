import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { ADMIN_ONLY } from '../../services/common/access';
import type { Services } from '../../services';
import type { ChannelMatrix } from '../../services/partners/partners.model';
import { CentreIdArgs } from '../../schema/pagination';
import { SetTrafficChannelsInput } from '../../schema/partners/partner.inputs';
import { TrafficChannelMatrix } from '../../schema/partners/partner.types';
import { toService } from '../catalog/catalog.mappers';
import { toPartner } from './partners.mappers';

/** Seed 001's traffic channels: one centre's matrix, read and replaced at once (ADMIN). */
@Resolver()
export class TrafficChannelsResolver {
  constructor(private readonly services: Services) {}

  @Authorized(...ADMIN_ONLY)
  @Query(() => TrafficChannelMatrix, { description: 'Which services of the centre are activated for which partners (ADMIN).' })
  async trafficChannels(@Ctx() ctx: RequestContext, @Args() { centreId }: CentreIdArgs): Promise<TrafficChannelMatrix> {
    return toMatrix(await this.services.trafficChannels.matrix(ctx, centreId));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => TrafficChannelMatrix, { description: 'Replaces the centre\'s matrix (ADMIN); takes effect on the next request.' })
  async setTrafficChannels(@Ctx() ctx: RequestContext, @Arg('input') input: SetTrafficChannelsInput): Promise<TrafficChannelMatrix> {
    return toMatrix(await this.services.trafficChannels.replace(ctx, input));
  }
}

function toMatrix(matrix: ChannelMatrix): TrafficChannelMatrix {
  return {
    centreId: matrix.centreId,
    partners: matrix.partners.map(toPartner),
    rows: matrix.rows.map((row) => ({ service: toService(row.service), partnerIds: row.partnerIds })),
  };
}
