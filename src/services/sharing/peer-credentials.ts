import type { Principal } from '../../context/principal';

/**
 * Which secret a peer principal proved. The token carries the share id, which a rotation keeps,
 * so "is this principal still valid?" must also ask "with the secret that is current now?". The
 * verifier remembers the hash it checked against, keyed by the principal object (the Authenticator
 * caches and hands out that same object, and WebSocket connections keep it).
 */
const verifiedHashes = new WeakMap<Principal, Buffer>();

export function rememberVerifiedSecret(principal: Principal, secretHash: Buffer): void {
  verifiedHashes.set(principal, secretHash);
}

/**
 * False when the principal was verified against another secret than `currentHash` (the token was
 * rotated since). A principal this module never saw (built in-process, not through the verifier)
 * is judged by revocation alone.
 */
export function provedCurrentSecret(principal: Principal, currentHash: Buffer): boolean {
  const proved = verifiedHashes.get(principal);
  return proved === undefined || proved.equals(currentHash);
}
