import { userIdOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { StaffPermission, StaffRole } from '../../entities';
import type { EventBus } from '../../events/event-bus';
import { badInput, notFound } from '../../platform/errors';
import { ADMIN_ONLY, STAFF_READERS, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { createdAtKeyOf, decodeCreatedAtCursor, toPage, type Page, type PageRequest } from '../common/pagination';
import { IDENTITY_TOPICS } from './identity-events';
import type { UserRow } from './identity.model';
import { identityRepository } from './identity.sql';

export interface NewUser {
  email: string;
  displayName: string;
  roles: StaffRole[];
  permissions: StaffPermission[];
  /** A partner user: belongs to this partner, holds no staff roles and acts only for it. */
  partnerId?: string;
}

const NO_ROLES_FOR_PARTNER_USERS = ['a partner user holds no staff roles: it acts through its permissions, for its partner only'];

export interface UserAccessChange {
  userId: string;
  roles?: StaffRole[];
  permissions?: StaffPermission[];
  active?: boolean;
}

export class UsersService {
  constructor(private readonly bus: EventBus) {}

  async createUser(ctx: RequestContext, input: NewUser): Promise<UserRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    if (input.partnerId && input.roles.length > 0) throw badInput([{ field: 'input.roles', problems: NO_ROLES_FOR_PARTNER_USERS }]);
    return ctx.transaction(async (tx) => {
      if (input.partnerId && !(await identityRepository.partnerExists(tx, input.partnerId))) throw notFound('Partner');
      const user = await identityRepository.insertUser(tx, { ...input, email: input.email.toLowerCase() });
      if (!user) throw badInput([{ field: 'input.email', problems: ['a user with this email already exists'] }]);
      await recordAudit(ctx, tx, { action: 'user.created', entityType: 'User', entityId: user.id, details: { roles: user.roles, partnerId: user.partnerId } });
      return user;
    });
  }

  async changeAccess(ctx: RequestContext, change: UserAccessChange): Promise<UserRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      const before = await identityRepository.findUser(tx, change.userId);
      if (!before) throw notFound('User');
      if (before.partnerId && change.roles?.length) throw badInput([{ field: 'input.roles', problems: NO_ROLES_FOR_PARTNER_USERS }]);
      const user = (await identityRepository.updateUserAccess(tx, change.userId, change))!;
      await recordAudit(ctx, tx, {
        action: 'user.access-changed', entityType: 'User', entityId: user.id,
        details: { roles: user.roles, permissions: user.permissions, active: user.active },
      });
      tx.afterCommit(() => void this.bus.publish(IDENTITY_TOPICS.userChanged, { tenantId: tx.tenantId, userId: user.id }));
      return user;
    });
  }

  async user(ctx: RequestContext, userId: string): Promise<UserRow> {
    requireStaffRole(ctx, STAFF_READERS);
    const user = await ctx.transaction((tx) => identityRepository.findUser(tx, userId));
    if (!user) throw notFound('User');
    return user;
  }

  /** The caller's own user (staff or partner user); undefined for apps and peers. */
  async ownUser(ctx: RequestContext): Promise<UserRow | undefined> {
    const userId = userIdOf(ctx.caller);
    return userId ? ctx.transaction((tx) => identityRepository.findUser(tx, userId)) : undefined;
  }

  async users(ctx: RequestContext, page: PageRequest): Promise<Page<UserRow>> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const after = page.after ? decodeCreatedAtCursor(page.after, 'after') : undefined;
    const rows = await ctx.transaction((tx) => identityRepository.listUsers(tx, { limit: page.first + 1, after }));
    return toPage(rows, page.first, createdAtKeyOf);
  }
}
