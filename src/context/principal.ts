import type { StaffPermission, StaffRole } from '../entities';

/** Who is calling. Every kind belongs to exactly one tenant; nothing crosses tenants through a principal. */
export type Principal = StaffUserPrincipal | PartnerAppPrincipal | PeerServerPrincipal;

interface PrincipalBase {
  tenantId: string;
  /** The token (or share link) that authenticated this principal; revoking it ends the principal. */
  credentialId: string;
}

export interface StaffUserPrincipal extends PrincipalBase {
  kind: 'STAFF_USER';
  userId: string;
  roles: readonly StaffRole[];
  permissions: readonly StaffPermission[];
}

/** An external partner's application; its rights come from partner agreements. */
export interface PartnerAppPrincipal extends PrincipalBase {
  kind: 'PARTNER_APP';
  partnerId: string;
}

/** Another careslot server calling through a share's link token. */
export interface PeerServerPrincipal extends PrincipalBase {
  kind: 'PEER_SERVER';
  shareId: string;
}

export type PrincipalKind = Principal['kind'];
export const PRINCIPAL_KINDS = ['STAFF_USER', 'PARTNER_APP', 'PEER_SERVER'] as const satisfies readonly PrincipalKind[];
export type StaffRoleName = StaffRole;

export function hasRole(principal: Principal | undefined, roles: readonly StaffRole[]): boolean {
  return principal?.kind === 'STAFF_USER' && principal.roles.some((role) => roles.includes(role));
}

/** The identity written into audit events and appointment history. */
export function actorOf(principal: Principal): { kind: PrincipalKind; id: string } {
  switch (principal.kind) {
    case 'STAFF_USER':
      return { kind: principal.kind, id: principal.userId };
    case 'PARTNER_APP':
      return { kind: principal.kind, id: principal.partnerId };
    case 'PEER_SERVER':
      return { kind: principal.kind, id: principal.shareId };
  }
}
