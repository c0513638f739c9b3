import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { publishOnceCommitted } from './agenda-topic';

/**
 * What partners' data feeds wait on besides the agenda: a data access opened or closed, a patient's
 * details or consents, a practitioner's ban, the window's sweep. Carries the tenant id only: a feed
 * re-reads under its partner's rights.
 */
export const PARTNER_FEED_TOPIC = 'partner-feed.touched';

/** After COMMIT only, on the next turn, as agenda events. */
export function publishPartnerFeedTouchedAfterCommit(tx: Tx, bus: EventBus): void {
  publishOnceCommitted(tx, bus, PARTNER_FEED_TOPIC, { tenantId: tx.tenantId });
}
