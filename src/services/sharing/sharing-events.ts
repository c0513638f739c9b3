import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { IDENTITY_TOPICS } from '../identity/identity-events';

export const SHARING_TOPICS = {
  /** A share's schedules or rules changed: live peer subscriptions re-read it. */
  shareChanged: 'sharing.share-changed',
} as const;

/** Ids only, like every bus event. scheduleIds: the schedules before and after the change. */
export interface ShareChangedEvent {
  tenantId: string;
  shareId: string;
  scheduleIds: string[];
}

/**
 * After COMMIT: the share's token no longer works (revoked, or rotated). Evicts the verified
 * principal from every instance's Authenticator cache and ends live peer subscriptions.
 */
export function publishShareCredentialChangedAfterCommit(tx: Tx, bus: EventBus, shareId: string): void {
  tx.afterCommit(() => void bus.publish(IDENTITY_TOPICS.credentialRevoked, { credentialId: shareId }).catch(() => undefined));
}

export function publishShareChangedAfterCommit(tx: Tx, bus: EventBus, shareId: string, scheduleIds: string[]): void {
  const payload: ShareChangedEvent = { tenantId: tx.tenantId, shareId, scheduleIds };
  tx.afterCommit(() => void bus.publish(SHARING_TOPICS.shareChanged, payload).catch(() => undefined));
}
