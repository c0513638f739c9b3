import type { Principal } from '../../context/principal';
import { displayPrefixOf } from '../../platform/opaque-token';
import type { TokenRow, UserRow } from '../../services/identity/identity.model';
import type { Page } from '../../services/common/pagination';
import { ApiToken, ApiTokenConnection, User, UserConnection, Viewer } from '../../schema/identity/identity.types';
import { PrincipalKindEnum, StaffPermissionEnum, StaffRoleEnum } from '../../schema/enums';

export const toUser = (row: UserRow): User => ({
  ...row,
  roles: row.roles as StaffRoleEnum[],
  permissions: row.permissions as StaffPermissionEnum[],
});

export const toUserConnection = (page: Page<UserRow>): UserConnection => ({
  nodes: page.nodes.map(toUser),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});

export const toApiToken = (row: TokenRow): ApiToken => ({ ...row, principalKind: row.principalKind as PrincipalKindEnum, displayPrefix: displayPrefixOf('api', row.id) });

export const toApiTokenConnection = (page: Page<TokenRow>): ApiTokenConnection => ({
  nodes: page.nodes.map(toApiToken),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});

export const toViewer = (principal: Principal): Viewer => ({
  kind: principal.kind as PrincipalKindEnum,
  tenantId: principal.tenantId,
});
