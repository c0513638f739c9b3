import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { ADMIN_ONLY } from '../../services/common/access';
import type { Services } from '../../services';
import { PageArgs } from '../../schema/pagination';
import { ApiTokensArgs, ChangeUserAccessInput, CreateApiTokenInput, CreateUserInput, RevokeApiTokenInput } from '../../schema/identity/identity.inputs';
import { ApiToken, ApiTokenConnection, CreatedApiToken, User, UserConnection, Viewer } from '../../schema/identity/identity.types';
import { toApiToken, toApiTokenConnection, toUser, toUserConnection, toViewer } from './identity.mappers';

@Resolver(() => Viewer)
export class IdentityResolver {
  constructor(private readonly services: Services) {}

  @Authorized('STAFF_USER', 'PARTNER_USER', 'PARTNER_APP', 'PEER_SERVER')
  @Query(() => Viewer, { description: 'Who the bearer token stands for.' })
  viewer(@Ctx() ctx: RequestContext): Viewer {
    return toViewer(ctx.caller);
  }

  /** Read only when asked for: `{ viewer { kind } }` needs no database. */
  @FieldResolver(() => User, { nullable: true })
  async user(@Ctx() ctx: RequestContext): Promise<User | null> {
    const own = await this.services.users.ownUser(ctx);
    return own ? toUser(own) : null;
  }

  @Authorized(...ADMIN_ONLY)
  @Query(() => UserConnection, { description: 'Staff users of the tenant (ADMIN).' })
  async users(@Ctx() ctx: RequestContext, @Args() page: PageArgs): Promise<UserConnection> {
    return toUserConnection(await this.services.users.users(ctx, page));
  }

  @Authorized(...ADMIN_ONLY)
  @Query(() => ApiTokenConnection, { description: 'Bearer tokens of the tenant, newest first, cursor-paginated (ADMIN).' })
  async apiTokens(@Ctx() ctx: RequestContext, @Args() args: ApiTokensArgs): Promise<ApiTokenConnection> {
    return toApiTokenConnection(await this.services.tokens.tokens(ctx, args.userId, args));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => User, { description: 'Adds a staff user (ADMIN).' })
  async createUser(@Ctx() ctx: RequestContext, @Arg('input') input: CreateUserInput): Promise<User> {
    return toUser(await this.services.users.createUser(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => User, { description: 'Sets roles, permissions or the active flag of a staff user (ADMIN). Takes effect at once.' })
  async changeUserAccess(@Ctx() ctx: RequestContext, @Arg('input') input: ChangeUserAccessInput): Promise<User> {
    return toUser(await this.services.users.changeAccess(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => CreatedApiToken, { description: 'Issues a bearer token for a staff user (ADMIN). The token is shown once.' })
  async createApiToken(@Ctx() ctx: RequestContext, @Arg('input') input: CreateApiTokenInput): Promise<CreatedApiToken> {
    const created = await this.services.tokens.createToken(ctx, input);
    return { token: created.token, apiToken: toApiToken(created.apiToken) };
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => ApiToken, { description: 'Revokes a bearer token (ADMIN). Requests and live subscriptions using it stop at once.' })
  async revokeApiToken(@Ctx() ctx: RequestContext, @Arg('input') input: RevokeApiTokenInput): Promise<ApiToken> {
    return toApiToken(await this.services.tokens.revokeToken(ctx, input.id));
  }
}
