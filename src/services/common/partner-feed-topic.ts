import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';

/**
 * What partners' data feeds wait on besides the agenda: a data access opened or closed, a patient's
 * details or consents, a practitioner's ban, the window's sweep. Carries the tenant id only: a feed
 * re-reads under its partner's rights.
 */
export const PARTNER_FEED_TOPIC = 'partner-feed.touched';

/** After COMMIT only, as agenda events (agenda-topic.ts). */
export function publishPartnerFeedTouchedAfterCommit(tx: Tx, bus: EventBus): void {
  const payload = { tenantId: tx.tenantId };
  tx.afterCommit(() => setImmediate(() => void bus.publish(PARTNER_FEED_TOPIC, payload).catch(() => undefined)));
}
