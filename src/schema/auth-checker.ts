import type { AuthChecker } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import type { PrincipalKind } from '../context/principal';
import { forbidden } from '../platform/errors';
import { appErrorToGraphQL } from '../platform/graphql-errors';

/**
 * Which principal kinds may reach a field. `@Authorized()` admits staff users only; the narrow
 * peer and partner parts of the schema say so explicitly (`@Authorized('PEER_SERVER')`), so a
 * peer or partner token can never wander into staff fields. Role rules live in the services.
 */
export const authChecker: AuthChecker<RequestContext, PrincipalKind> = ({ context }, kinds) => {
  const principal = context.principal;
  if (!principal) return false;
  const allowed: readonly PrincipalKind[] = kinds.length > 0 ? kinds : ['STAFF_USER'];
  // type-graphql's own denial runs before our error mapping and speaks other codes: answer ours.
  if (!allowed.includes(principal.kind)) throw appErrorToGraphQL(forbidden());
  return true;
};
