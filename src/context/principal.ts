import type { StaffPermission, StaffRole } from '../entities';

/** Who is calling. Every kind belongs to exactly one tenant; nothing crosses tenants through a principal. */
export type Principal = StaffUserPrincipal | PartnerUserPrincipal | PartnerAppPrincipal | PeerServerPrincipal;

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

/**
 * A user of a partner organisation (seed 001): acts only for its own partner, through the partner
 * doors of the schema, never through staff fields.
 */
export interface PartnerUserPrincipal extends PrincipalBase {
  kind: 'PARTNER_USER';
  userId: string;
  partnerId: string;
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
export const PRINCIPAL_KINDS = ['STAFF_USER', 'PARTNER_USER', 'PARTNER_APP', 'PEER_SERVER'] as const satisfies readonly PrincipalKind[];
export type StaffRoleName = StaffRole;

export function hasRole(principal: Principal | undefined, roles: readonly StaffRole[]): boolean {
  return principal?.kind === 'STAFF_USER' && principal.roles.some((role) => roles.includes(role));
}

/** The identity written into audit events and appointment history. */
export function actorOf(principal: Principal): { kind: PrincipalKind; id: string } {
  switch (principal.kind) {
    case 'STAFF_USER':
      return { kind: principal.kind, id: principal.userId };
    case 'PARTNER_USER':
      return { kind: principal.kind, id: principal.userId };
    case 'PARTNER_APP':
      return { kind: principal.kind, id: principal.partnerId };
    case 'PEER_SERVER':
      return { kind: principal.kind, id: principal.shareId };
  }
}

/** The partner a partner user or partner app stands for; undefined for staff and peers. */
export function ownPartnerOf(principal: Principal): string | undefined {
  return principal.kind === 'PARTNER_USER' || principal.kind === 'PARTNER_APP' ? principal.partnerId : undefined;
}

/** A user's id, staff or partner: the principals whose access an ADMIN changes through the user. */
export function userIdOf(principal: Principal): string | undefined {
  return principal.kind === 'STAFF_USER' || principal.kind === 'PARTNER_USER' ? principal.userId : undefined;
}
