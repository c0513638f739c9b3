import type { Principal } from './principal';

/**
 * Everything about a caller that can change what it may see: two principals with the same key get
 * the same answer to the same operation on the same data. The one key for every answer shared
 * between callers: a live event executed once for a group of subscribers (WebSocket fan-out) and
 * each re-read cached for the subscribers of an event. Anything a resolver or a service consults
 * about its caller must be part of it. Staff see by tenant, roles and permissions (the user id only
 * names who acts, in audit and history, which no read writes); partner and peer rights come from
 * their agreement or share, and later their consent scope, so those group by credential, conservatively.
 */
export function audienceKey(principal: Principal): string {
  let key = keys.get(principal);
  if (key === undefined) keys.set(principal, (key = keyOf(principal)));
  return key;
}

/** One principal object serves every request and subscriber of its token: the key is built once. */
const keys = new WeakMap<Principal, string>();

function keyOf(principal: Principal): string {
  switch (principal.kind) {
    case 'STAFF_USER':
      return JSON.stringify([principal.kind, principal.tenantId, [...principal.roles].sort(), [...principal.permissions].sort()]);
    case 'PARTNER_USER':
      return JSON.stringify([principal.kind, principal.tenantId, principal.partnerId, [...principal.permissions].sort(), principal.credentialId]);
    case 'PARTNER_APP':
      return JSON.stringify([principal.kind, principal.tenantId, principal.partnerId, principal.credentialId]);
    case 'PEER_SERVER':
      return JSON.stringify([principal.kind, principal.tenantId, principal.shareId, principal.credentialId]);
  }
}
