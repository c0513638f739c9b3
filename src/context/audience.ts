import type { Principal } from './principal';

/**
 * Everything about a caller that decides what the resolvers may return: two principals with the
 * same key get the same answer to the same operation on the same data, so a live event executed
 * once for one of them may be sent to all (WebSocket fan-out). Anything a resolver consults about
 * its caller must be part of the key. Staff rights are the tenant, the roles and the permissions
 * (the user id only names who acts, in audit and history, which no subscription writes); partner
 * and peer rights come from their agreement or share, so those group by credential, conservatively.
 */
export function visibilityKey(principal: Principal): string {
  switch (principal.kind) {
    case 'STAFF_USER':
      return JSON.stringify([principal.kind, principal.tenantId, [...principal.roles].sort(), [...principal.permissions].sort()]);
    case 'PARTNER_APP':
      return JSON.stringify([principal.kind, principal.tenantId, principal.partnerId, principal.credentialId]);
    case 'PEER_SERVER':
      return JSON.stringify([principal.kind, principal.tenantId, principal.shareId, principal.credentialId]);
  }
}
