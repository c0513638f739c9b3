import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { ADMIN_ONLY } from '../../services/common/access';
import type { Services } from '../../services';
import { IdArgs } from '../../schema/pagination';
import { CreatePartnerInput, PartnersArgs, UpdatePartnerInput } from '../../schema/partners/partner.inputs';
import { Partner, PartnerConnection } from '../../schema/partners/partner.types';
import { toPartner, toPartnerConnection } from './partners.mappers';

/** Partners: an ADMIN keeps them, staff read them, a partner user or app reads its own. */
@Resolver()
export class PartnersResolver {
  constructor(private readonly services: Services) {}

  @Authorized('STAFF_USER', 'PARTNER_USER', 'PARTNER_APP')
  @Query(() => PartnerConnection, { description: 'The tenant\'s partners by name (a partner user or app: its own).' })
  async partners(@Ctx() ctx: RequestContext, @Args() args: PartnersArgs): Promise<PartnerConnection> {
    return toPartnerConnection(await this.services.partners.partners(ctx, args));
  }

  @Authorized('STAFF_USER', 'PARTNER_USER', 'PARTNER_APP')
  @Query(() => Partner)
  async partner(@Ctx() ctx: RequestContext, @Args() { id }: IdArgs): Promise<Partner> {
    return toPartner(await this.services.partners.partner(ctx, id));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Partner, { description: 'Adds a partner (ADMIN).' })
  async createPartner(@Ctx() ctx: RequestContext, @Arg('input') input: CreatePartnerInput): Promise<Partner> {
    return toPartner(await this.services.partners.create(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Partner, { description: 'Changes a partner (ADMIN); deactivating stops its users and apps at once.' })
  async updatePartner(@Ctx() ctx: RequestContext, @Arg('input') input: UpdatePartnerInput): Promise<Partner> {
    return toPartner(await this.services.partners.update(ctx, input));
  }
}
