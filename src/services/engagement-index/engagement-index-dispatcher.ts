import type { TenantDatabase } from '../../db/tenant-database';
import type { Logger } from '../../platform/logger';
import { repeatEvery } from '../common/repeat-every';
import { ENGAGEMENT_INDEX_DELIVERY } from './engagement-index-delivery';
import { engagementIndexRepository as repo, enqueueDelivery, tenantsToServe } from './engagement-index.sql';

/**
 * Wakes the delivery: every `pollMs` it finds the tenants whose outbox holds work that is due (not
 * waiting for a retry's backoff) and puts their delivery job on the durable queue. The booking
 * path only writes its outbox row; it never touches the queue (one job row per tenant would make
 * concurrent bookings wait on each other). Every `sweepMs` it queues the deletes of posts whose
 * start has passed. Every instance runs it; the job key and the delivery's lock make it one.
 */
export class EngagementIndexDispatcher {
  private stops: Array<() => void> = [];

  constructor(private readonly database: TenantDatabase, private readonly logger: Logger, private readonly pollMs: number, private readonly sweepMs: number) {}

  start(): void {
    const failed = (what: string) => (error: Error) => this.logger.warn({ err: error.message }, `engagement index ${what} failed`);
    this.stops = [repeatEvery(this.pollMs, () => this.dispatch(), failed('dispatch')), repeatEvery(this.sweepMs, () => this.sweepPassed(), failed('sweep'))];
  }

  /** Enqueues the delivery of every tenant with due work; answers those tenants. */
  async dispatch(): Promise<string[]> {
    return this.database.acrossTenants('engagement-index', async (db) => {
      const due = (await tenantsToServe(db)).filter((tenant) => tenant.due).map((tenant) => tenant.tenantId);
      for (const tenantId of due) await enqueueDelivery(db, ENGAGEMENT_INDEX_DELIVERY, tenantId);
      return due;
    });
  }

  /** Queues one delete for each post whose appointment has started (or is gone), in every tenant that takes part; answers how many. */
  async sweepPassed(): Promise<number> {
    const tenants = await this.database.acrossTenants('engagement-index', (db) => tenantsToServe(db));
    let queued = 0;
    for (const { tenantId } of tenants) queued += await this.database.transaction(tenantId, (tx) => repo.queuePassed(tx));
    return queued;
  }

  stop(): void {
    for (const stop of this.stops) stop();
    this.stops = [];
  }
}
