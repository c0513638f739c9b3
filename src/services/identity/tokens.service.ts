import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { badInput, notFound } from '../../platform/errors';
import { issueToken } from '../../platform/opaque-token';
import { ADMIN_ONLY, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { createdAtKeyOf, decodeCreatedAtCursor, toPage, type Page, type PageRequest } from '../common/pagination';
import { IDENTITY_TOPICS } from './identity-events';
import type { TokenRow } from './identity.model';
import { identityRepository } from './identity.sql';

export interface NewApiToken {
  userId: string;
  label: string;
  expiresAt?: Date;
}

export interface CreatedApiToken {
  /** Shown once: only its hash is kept. */
  token: string;
  apiToken: TokenRow;
}

export class TokensService {
  constructor(private readonly bus: EventBus) {}

  async createToken(ctx: RequestContext, input: NewApiToken): Promise<CreatedApiToken> {
    const admin = requireStaffRole(ctx, ADMIN_ONLY);
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw badInput([{ field: 'input.expiresAt', problems: ['must be in the future'] }]);
    }
    return ctx.transaction(async (tx) => {
      const user = await identityRepository.findUser(tx, input.userId);
      if (!user) throw notFound('User');
      const issued = issueToken('api', tx.tenantId);
      const apiToken = await identityRepository.insertToken(tx, {
        id: issued.credentialId, principalKind: 'STAFF_USER', userId: user.id, label: input.label,
        secretHash: issued.secretHash, expiresAt: input.expiresAt ?? null, createdBy: admin.userId,
      });
      await recordAudit(ctx, tx, { action: 'api-token.created', entityType: 'ApiToken', entityId: apiToken.id, details: { userId: user.id } });
      return { token: issued.token, apiToken };
    });
  }

  async revokeToken(ctx: RequestContext, tokenId: string): Promise<TokenRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      const token = await identityRepository.revokeToken(tx, tokenId);
      if (!token) throw notFound('API token');
      await recordAudit(ctx, tx, { action: 'api-token.revoked', entityType: 'ApiToken', entityId: token.id });
      tx.afterCommit(() => void this.bus.publish(IDENTITY_TOPICS.credentialRevoked, { credentialId: token.id }));
      return token;
    });
  }

  /** The tenant's tokens (or one user's), newest first, one page. */
  async tokens(ctx: RequestContext, userId: string | undefined, page: PageRequest): Promise<Page<TokenRow>> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const after = page.after ? decodeCreatedAtCursor(page.after, 'after') : undefined;
    const rows = await ctx.transaction((tx) => identityRepository.listTokens(tx, userId, { limit: page.first + 1, after }));
    return toPage(rows, page.first, createdAtKeyOf);
  }
}
