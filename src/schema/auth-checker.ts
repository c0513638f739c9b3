import type { AuthChecker } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import { PRINCIPAL_KINDS, hasRole, type PrincipalKind, type StaffRoleName } from '../context/principal';
import { forbidden } from '../platform/errors';
import { StaffPermissionEnum } from './enums';
import { appErrorToGraphQL } from './graphql-errors';

/** What `@Authorized(...)` may name: principal kinds, staff roles, and permissions (held by staff or partner users). */
export type Access = PrincipalKind | StaffRoleName | `${StaffPermissionEnum}`;
type Permission = `${StaffPermissionEnum}`;

const isPrincipalKind = (access: Access): access is PrincipalKind => (PRINCIPAL_KINDS as readonly string[]).includes(access);
const isPermission = (access: Access): access is Permission => (Object.values(StaffPermissionEnum) as string[]).includes(access);

/**
 * Who may reach a field, decided before its arguments are validated: a caller who may not act
 * learns FORBIDDEN, never the rules of the input. `@Authorized()` admits staff users only; the
 * narrow peer and partner parts of the schema name their kind (`@Authorized('PEER_SERVER')`), so a
 * peer or partner token can never wander into staff fields; staff roles named (`@Authorized(...
 * ADMIN_ONLY)`) narrow staff further; a permission (`@Authorized('PARTNER_APP', 'PARTNER_BOOKING')`)
 * admits the users holding it. The services check the same rules again.
 */
export const authChecker: AuthChecker<RequestContext, Access> = ({ context }, access) => {
  const principal = context.principal;
  if (!principal) return false;
  const kinds = access.filter(isPrincipalKind);
  const permissions = access.filter(isPermission);
  const roles = access.filter((entry): entry is StaffRoleName => !isPrincipalKind(entry) && !isPermission(entry));
  // A permission admits any user holding it (staff or partner user), besides the kinds and the staff roles named.
  if (permissions.length > 0) {
    const holds = (principal.kind === 'STAFF_USER' || principal.kind === 'PARTNER_USER') && principal.permissions.some((held) => permissions.includes(held));
    if (holds || kinds.includes(principal.kind) || hasRole(principal, roles)) return true;
    throw appErrorToGraphQL(forbidden(`Requires the permission ${permissions.join(', ')}${roles.length > 0 ? ` or one of the roles ${roles.join(', ')}` : ''}`));
  }
  const allowedKinds: readonly PrincipalKind[] = kinds.length > 0 ? kinds : ['STAFF_USER'];
  // type-graphql's own denial runs before our error mapping and speaks other codes: answer ours.
  if (!allowedKinds.includes(principal.kind)) throw appErrorToGraphQL(forbidden());
  if (principal.kind === 'STAFF_USER' && roles.length > 0 && !hasRole(principal, roles)) {
    throw appErrorToGraphQL(forbidden(`Requires one of the roles ${roles.join(', ')}`));
  }
  return true;
};
