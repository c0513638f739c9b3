import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import { Schedule, Service } from '../../schema/catalog/catalog.types';
import { ShareLink, SharedFrom } from '../../schema/sharing/share-link.types';
import { toSchedule, toService } from '../catalog/catalog.mappers';
import { toShareLink } from './share-links.resolver';

/** What a link mirrored into the client centre, batched per request. */
@Resolver(() => ShareLink)
export class ShareLinkFieldsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => [Schedule], { description: 'The client centre\'s copies of the shared schedules (book in these).' })
  async mirrorSchedules(@Root() link: ShareLink, @Ctx() ctx: RequestContext): Promise<Schedule[]> {
    return (await this.services.links.mirrorsOf(ctx, link.id)).schedules.map(toSchedule);
  }

  @FieldResolver(() => [Service], { description: 'The client\'s copies of the shared services (book with these).' })
  async mirrorServices(@Root() link: ShareLink, @Ctx() ctx: RequestContext): Promise<Service[]> {
    return (await this.services.links.mirrorsOf(ctx, link.id)).services.map(toService);
  }
}

/** Where a schedule was shared from: null for the centre's own schedules. */
@Resolver(() => Schedule)
export class ScheduleSharingFieldsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => SharedFrom, { nullable: true, description: 'For a copy of a schedule shared by another centre: the link and that centre. Null for the centre\'s own schedules.' })
  async sharedFrom(@Root() schedule: Schedule, @Ctx() ctx: RequestContext): Promise<SharedFrom | null> {
    if (!schedule.linkId) return null;
    const link = await this.services.links.linkOf(ctx, schedule.linkId);
    return link ? { link: toShareLink(link), remoteCentreName: link.remoteCentreName } : null;
  }
}
