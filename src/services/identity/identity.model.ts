import type { StaffPermission, StaffRole, TokenPrincipalKind } from '../../entities';

/** Staff users and tokens as the identity services hand them out. */
export interface UserRow {
  id: string;
  email: string;
  displayName: string;
  roles: StaffRole[];
  permissions: StaffPermission[];
  /** A partner user's partner; null for staff. */
  partnerId: string | null;
  active: boolean;
  createdAt: Date;
}

export interface TokenRow {
  id: string;
  principalKind: TokenPrincipalKind;
  userId: string | null;
  /** A PARTNER_APP token's partner. */
  partnerId: string | null;
  label: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

export interface CredentialRow extends TokenRow {
  secretHash: Buffer;
  roles: StaffRole[] | null;
  permissions: StaffPermission[] | null;
  userActive: boolean | null;
  userPartnerId: string | null;
  /** The active flag of the partner the token stands for (its own, or its user's); null when none. */
  partnerActive: boolean | null;
}
