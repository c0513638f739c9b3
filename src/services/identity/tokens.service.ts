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

/** A token for a user (staff or partner user), or a PARTNER_APP token bound to a partner: exactly one of the two. */
export interface NewApiToken {
  userId?: string;
  partnerId?: string;
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
    if ((input.userId == null) === (input.partnerId == null)) {
      throw badInput([{ field: 'input.userId', problems: ['give exactly one of userId (a user\'s token) and partnerId (a partner app\'s token)'] }]);
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw badInput([{ field: 'input.expiresAt', problems: ['must be in the future'] }]);
    }
    return ctx.transaction(async (tx) => {
      if (input.userId && !(await identityRepository.findUser(tx, input.userId))) throw notFound('User');
      if (input.partnerId && !(await identityRepository.partnerExists(tx, input.partnerId))) throw notFound('Partner');
      const issued = issueToken('api', tx.tenantId);
      const apiToken = await identityRepository.insertToken(tx, {
        id: issued.credentialId, principalKind: input.partnerId ? 'PARTNER_APP' : 'STAFF_USER', userId: input.userId ?? null,
        partnerId: input.partnerId ?? null, label: input.label, secretHash: issued.secretHash, expiresAt: input.expiresAt ?? null, createdBy: admin.userId,
      });
      await recordAudit(ctx, tx, {
        action: 'api-token.created', entityType: 'ApiToken', entityId: apiToken.id, details: { userId: apiToken.userId, partnerId: apiToken.partnerId },
      });
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
