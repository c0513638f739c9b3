import type { Tx } from '../../db/unit-of-work';
import { lookupableIds } from '../catalog/catalog-support.sql';

/** SQL for traffic channels (partner × centre × service; a row = activated). Every statement names the tenant too. */
export const trafficChannelsRepository = {
  /**
   * The rows of a centre's matrix: services offered by its schedules (mirrors of shared schedules
   * aside), and any other service with a channel there, by name; each with the partners activated.
   */
  async matrixRows(tx: Tx, centreId: string): Promise<Array<{ serviceId: string; partnerIds: string[] }>> {
    return tx.query(
      `SELECT sv.id AS "serviceId",
              coalesce(array_agg(tc.partner_id ORDER BY tc.partner_id) FILTER (WHERE tc.partner_id IS NOT NULL), '{}') AS "partnerIds"
       FROM services sv
       LEFT JOIN traffic_channels tc ON tc.tenant_id = sv.tenant_id AND tc.service_id = sv.id AND tc.centre_id = $2
       WHERE sv.tenant_id = $1 AND sv.link_id IS NULL
         AND (tc.partner_id IS NOT NULL OR EXISTS (
           SELECT 1 FROM schedule_services ss JOIN schedules s ON s.tenant_id = ss.tenant_id AND s.id = ss.schedule_id
           WHERE ss.tenant_id = $1 AND ss.service_id = sv.id AND s.centre_id = $2 AND s.link_id IS NULL))
       GROUP BY sv.id, sv.name ORDER BY sv.name, sv.id`,
      [tx.tenantId, centreId],
    );
  },

  /** How many of the ids are the tenant's own services (not mirrors) and partners: the rest are NOT_FOUND. */
  async knownIds(tx: Tx, serviceIds: readonly string[], partnerIds: readonly string[]): Promise<{ services: number; partners: number }> {
    const [row] = await tx.query<{ services: number; partners: number }>(
      `SELECT (SELECT count(*)::int FROM services WHERE tenant_id = $1 AND link_id IS NULL AND id = ANY($2::uuid[])) AS services,
              (SELECT count(*)::int FROM partners WHERE tenant_id = $1 AND id = ANY($3::uuid[])) AS partners`,
      [tx.tenantId, lookupableIds(serviceIds), lookupableIds(partnerIds)],
    );
    return row;
  },

  /**
   * Makes the centre's channels exactly the given pairs, touching only what changes: an unchanged
   * channel keeps its row (and a booking holding it is not waited for).
   */
  async replace(tx: Tx, centreId: string, pairs: ReadonlyArray<{ partnerId: string; serviceId: string }>): Promise<{ added: number; removed: number }> {
    const partnerIds = pairs.map((pair) => pair.partnerId);
    const serviceIds = pairs.map((pair) => pair.serviceId);
    const removed = await tx.query(
      `DELETE FROM traffic_channels tc WHERE tc.tenant_id = $1 AND tc.centre_id = $2
         AND NOT EXISTS (SELECT 1 FROM unnest($3::uuid[], $4::uuid[]) AS keep(partner_id, service_id)
                         WHERE keep.partner_id = tc.partner_id AND keep.service_id = tc.service_id)
       RETURNING 1`,
      [tx.tenantId, centreId, partnerIds, serviceIds],
    );
    const added = await tx.query(
      `INSERT INTO traffic_channels (tenant_id, partner_id, centre_id, service_id)
       SELECT $1, keep.partner_id, $2, keep.service_id FROM unnest($3::uuid[], $4::uuid[]) AS keep(partner_id, service_id)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [tx.tenantId, centreId, partnerIds, serviceIds],
    );
    return { added: added.length, removed: removed.length };
  },
};
