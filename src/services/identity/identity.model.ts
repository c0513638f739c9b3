import type { StaffPermission, StaffRole, TokenPrincipalKind } from '../../entities';

/** Staff users and tokens as the identity services hand them out. */
export interface UserRow {
  id: string;
  email: string;
  displayName: string;
  roles: StaffRole[];
  permissions: StaffPermission[];
  active: boolean;
  createdAt: Date;
}

export interface TokenRow {
  id: string;
  principalKind: TokenPrincipalKind;
  userId: string | null;
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
}
