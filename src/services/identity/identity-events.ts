import type { Authenticator } from '../../context/authenticator';
import type { EventBus } from '../../events/event-bus';

/** What identity tells every instance: a credential (API token or share) revoked, a user's access changed. */
export const IDENTITY_TOPICS = {
  credentialRevoked: 'identity.credential-revoked',
  userChanged: 'identity.user-changed',
  /** A partner's agreement changed (e.g. deactivated): its users' and apps' credentials are looked up again. */
  partnerChanged: 'identity.partner-changed',
} as const;

/** Keeps the authenticator's memory honest on this instance; answers the way to stop listening. */
export function evictOnIdentityChanges(bus: EventBus, authenticator: Authenticator): () => void {
  const stops = [
    bus.subscribe(IDENTITY_TOPICS.credentialRevoked, (p) => authenticator.evictCredential((p as { credentialId: string }).credentialId)),
    bus.subscribe(IDENTITY_TOPICS.userChanged, (p) => authenticator.evictUser((p as { userId: string }).userId)),
    bus.subscribe(IDENTITY_TOPICS.partnerChanged, (p) => authenticator.evictPartner((p as { partnerId: string }).partnerId)),
  ];
  return () => stops.forEach((stop) => stop());
}
