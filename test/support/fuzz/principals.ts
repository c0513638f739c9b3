/**
 * Who sends a fuzzed operation: every staff role, a peer server (a share's link token), and
 * callers the server must turn away before anything runs (no token, an invalid token).
 */
export const STAFF_ROLES = ['ADMIN', 'CLINIC_HEAD', 'SCHEDULER', 'VIEWER'] as const;
export type StaffRoleName = (typeof STAFF_ROLES)[number];

export const PRINCIPALS = [...STAFF_ROLES, 'PEER_SERVER', 'ANONYMOUS', 'INVALID_TOKEN'] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

/** Principals without valid credentials: HTTP must answer 401 UNAUTHENTICATED, WebSocket must refuse the connection (4403). */
export const UNAUTHENTICATED_PRINCIPALS: readonly PrincipalName[] = ['ANONYMOUS', 'INVALID_TOKEN'];

export const isUnauthenticated = (principal: PrincipalName): boolean => UNAUTHENTICATED_PRINCIPALS.includes(principal);

/**
 * The `Authorization` header values a principal sends. Valid principals have one; INVALID_TOKEN
 * has several kinds of wrong (garbage, right shape but unknown, wrong secret, revoked, another
 * scheme) and cycles through them; ANONYMOUS sends none.
 */
export type Credentials = Readonly<Record<PrincipalName, readonly string[]>>;

export function authorizationFor(credentials: Credentials, principal: PrincipalName, index: number): string | undefined {
  const values = credentials[principal];
  return values.length === 0 ? undefined : values[index % values.length];
}
