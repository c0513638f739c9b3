import type { AuthChecker } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import { PRINCIPAL_KINDS, hasRole, type PrincipalKind, type StaffRoleName } from '../context/principal';
import { forbidden } from '../platform/errors';
import { appErrorToGraphQL } from './graphql-errors';

/** What `@Authorized(...)` may name: principal kinds, and staff roles. */
export type Access = PrincipalKind | StaffRoleName;

const isPrincipalKind = (access: Access): access is PrincipalKind => (PRINCIPAL_KINDS as readonly string[]).includes(access);

/**
 * Who may reach a field, decided before its arguments are validated: a caller who may not act
 * learns FORBIDDEN, never the rules of the input. `@Authorized()` admits staff users only; the
 * narrow peer and partner parts of the schema name their kind (`@Authorized('PEER_SERVER')`), so a
 * peer or partner token can never wander into staff fields; staff roles named (`@Authorized(...
 * ADMIN_ONLY)`) narrow staff further. The services check the same roles again.
 */
export const authChecker: AuthChecker<RequestContext, Access> = ({ context }, access) => {
  const principal = context.principal;
  if (!principal) return false;
  const kinds = access.filter(isPrincipalKind);
  const roles = access.filter((entry): entry is StaffRoleName => !isPrincipalKind(entry));
  const allowedKinds: readonly PrincipalKind[] = kinds.length > 0 ? kinds : ['STAFF_USER'];
  // type-graphql's own denial runs before our error mapping and speaks other codes: answer ours.
  if (!allowedKinds.includes(principal.kind)) throw appErrorToGraphQL(forbidden());
  if (principal.kind === 'STAFF_USER' && roles.length > 0 && !hasRole(principal, roles)) {
    throw appErrorToGraphQL(forbidden(`Requires one of the roles ${roles.join(', ')}`));
  }
  return true;
};
