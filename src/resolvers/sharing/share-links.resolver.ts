import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { ADMIN_ONLY } from '../../services/common/access';
import type { Services } from '../../services';
import type { Page } from '../../services/common/pagination';
import type { LinkRow } from '../../services/sharing/links.model';
import type { LinkTestOutcome } from '../../services/sharing/links.service';
import {
  CreateShareLinkInput, RemoveShareLinkInput, ShareLink, ShareLinkConnection, ShareLinkProblem, ShareLinkProblemReason, ShareLinkResult, ShareLinksArgs,
  ShareLinkStatusEnum, TestShareLinkInput,
} from '../../schema/sharing/share-link.types';

@Resolver()
export class ShareLinksResolver {
  constructor(private readonly services: Services) {}

  @Authorized(...ADMIN_ONLY)
  @Query(() => ShareLinkConnection, { description: 'Links of the tenant\'s client centres to sharing centres, oldest first, cursor-paginated (ADMIN).' })
  async shareLinks(@Ctx() ctx: RequestContext, @Args() args: ShareLinksArgs): Promise<ShareLinkConnection> {
    return toShareLinkConnection(await this.services.links.links(ctx, args.centreId, args));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ShareLinkResult, { description: 'Really connects to the sharing server (ADMIN). More than five failures block you for an hour.' })
  async testShareLink(@Ctx() ctx: RequestContext, @Arg('input') input: TestShareLinkInput): Promise<typeof ShareLinkResult> {
    return toShareLinkResult(await this.services.links.test(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ShareLinkResult, { description: 'Tests the link and saves it only when it works (ADMIN).' })
  async createShareLink(@Ctx() ctx: RequestContext, @Arg('input') input: CreateShareLinkInput): Promise<typeof ShareLinkResult> {
    const outcome = await this.services.links.create(ctx, input);
    return toShareLinkResult(outcome, outcome.link);
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ShareLink, { description: 'Removes a link; its shared schedules leave the agenda (ADMIN).' })
  async removeShareLink(@Ctx() ctx: RequestContext, @Arg('input') input: RemoveShareLinkInput): Promise<ShareLink> {
    return toShareLink(await this.services.links.remove(ctx, input.id));
  }
}

export const toShareLink = (row: LinkRow): ShareLink => ({
  id: row.id, centreId: row.centreId, remoteUrl: row.remoteUrl, remoteCentreId: row.remoteCentreId,
  remoteCentreName: row.remoteCentreName, label: row.label, createdAt: row.createdAt,
  status: row.status as ShareLinkStatusEnum, lastContactAt: row.lastContactAt, lastProblem: row.lastProblem,
});

const toShareLinkConnection = (page: Page<LinkRow>): ShareLinkConnection => ({
  nodes: page.nodes.map(toShareLink),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});

function toShareLinkResult(outcome: LinkTestOutcome, link?: LinkRow): typeof ShareLinkResult {
  if (!outcome.ok) return Object.assign(new ShareLinkProblem(), { reason: outcome.failure as ShareLinkProblemReason, message: outcome.message });
  const { share } = outcome;
  return {
    remoteCentreName: share.centreName, timeZone: share.timeZone,
    schedules: share.schedules.map((schedule) => ({ name: schedule.name, slotMinutes: schedule.slotMinutes, services: schedule.services })),
    restrictions: share.restrictions,
    link: link ? toShareLink(link) : null,
  };
}
