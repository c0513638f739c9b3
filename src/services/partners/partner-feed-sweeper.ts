import type { TenantDatabase } from '../../db/tenant-database';
import type { EventBus } from '../../events/event-bus';
import type { Logger } from '../../platform/logger';
import { PARTNER_FEED_TOPIC } from '../common/partner-feed-topic';
import { repeatEvery } from '../common/repeat-every';

/**
 * Touches the appointments that crossed an edge of the feed's sliding window (45 days back, 30
 * days ahead) since the last sweep, in the tenants with any open partner access, so partners are
 * told without any edit to them. Every instance sweeps; the sweep's row lock makes two sweeps one.
 */
const SWEEP_SQL = `
WITH last AS (SELECT swept_to FROM partner_feed_sweeps FOR UPDATE),
clock AS (SELECT careslot_now() AS now),
started AS (
  INSERT INTO partner_feed_sweeps (swept_to) SELECT now FROM clock WHERE NOT EXISTS (SELECT 1 FROM last)
  ON CONFLICT DO NOTHING RETURNING 1
),
bounds AS (SELECT least(l.swept_to, c.now) AS lo, greatest(l.swept_to, c.now) AS hi FROM last l, clock c),
open_tenants AS (SELECT DISTINCT tenant_id FROM partner_data_access WHERE closed_at IS NULL),
touched AS (
  UPDATE appointments a SET feed_xid = careslot_xact()
  FROM bounds b
  WHERE a.tenant_id IN (SELECT tenant_id FROM open_tenants) AND a.status <> 'HELD'
    AND ((a.starts_at > b.lo + interval '30 days' AND a.starts_at <= b.hi + interval '30 days')
      OR (a.starts_at >= b.lo - interval '45 days' AND a.starts_at < b.hi - interval '45 days'))
  RETURNING a.tenant_id
),
moved AS (UPDATE partner_feed_sweeps SET swept_to = (SELECT now FROM clock) WHERE EXISTS (SELECT 1 FROM last) RETURNING 1)
SELECT DISTINCT tenant_id AS "tenantId", (SELECT count(*) FROM moved) + (SELECT count(*) FROM started) AS swept FROM touched`;

export class PartnerFeedSweeper {
  private stopRepeating: () => void = () => undefined;

  constructor(private readonly database: TenantDatabase, private readonly bus: EventBus, private readonly logger: Logger, private readonly everyMs = 60_000) {}

  start(): void {
    this.stopRepeating = repeatEvery(this.everyMs, () => this.sweep(), (error) => this.logger.warn({ err: error.message }, 'partner feed sweep failed'));
  }

  /** Touches what crossed the window's edges since the last sweep and wakes those tenants' feeds; answers the tenants touched. */
  async sweep(): Promise<string[]> {
    const rows = await this.database.acrossTenants('partner-feed-sweeper', (db) => db.query<{ tenantId: string }>(SWEEP_SQL));
    for (const { tenantId } of rows) await this.bus.publish(PARTNER_FEED_TOPIC, { tenantId }).catch(() => undefined);
    return rows.map((row) => row.tenantId);
  }

  stop(): void {
    this.stopRepeating();
  }
}
