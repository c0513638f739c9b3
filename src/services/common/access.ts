import { hasRole, type StaffUserPrincipal } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { StaffRole } from '../../entities';
import { forbidden } from '../../platform/errors';

/** The caller must be a staff user holding one of the roles; the rule lives here, not in resolvers. */
export function requireStaffRole(ctx: RequestContext, roles: readonly StaffRole[]): StaffUserPrincipal {
  const caller = ctx.caller;
  if (caller.kind !== 'STAFF_USER' || !hasRole(caller, roles)) {
    throw forbidden(`Requires one of the roles ${roles.join(', ')}`);
  }
  return caller;
}

export const ADMIN_ONLY: readonly StaffRole[] = ['ADMIN'];
export const AGENDA_WRITERS: readonly StaffRole[] = ['ADMIN', 'SCHEDULER'];
export const STAFF_READERS: readonly StaffRole[] = ['ADMIN', 'CLINIC_HEAD', 'SCHEDULER', 'VIEWER'];
