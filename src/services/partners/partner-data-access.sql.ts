import type { Tx } from '../../db/unit-of-work';
import type { AccessLogRow, DataAccessRow } from './partner-feed.model';

const ACCESS_COLUMNS = `partner_id AS "partnerId", opened_at AS "openedAt", opened_by AS "openedBy", closed_at AS "closedAt", closed_by AS "closedBy", epoch,
  CASE WHEN closed_at IS NULL THEN opened_at + interval '24 hours' END AS "beginsAt",
  CASE WHEN closed_at IS NOT NULL THEN 'CLOSED' WHEN opened_at + interval '24 hours' > careslot_now() THEN 'PENDING' ELSE 'OPEN' END AS state`;

export const partnerDataAccessRepository = {
  async find(tx: Tx, partnerId: string): Promise<DataAccessRow | undefined> {
    const [row] = await tx.query<DataAccessRow>(`SELECT ${ACCESS_COLUMNS} FROM partner_data_access WHERE tenant_id = $1 AND partner_id = $2`, [tx.tenantId, partnerId]);
    return row;
  },

  /** Opens (again): a closed or never opened access starts a new epoch and a new 24-hour wait; an open one stays as it is. */
  async open(tx: Tx, partnerId: string, openedBy: string): Promise<{ row: DataAccessRow; changed: boolean }> {
    const [row] = await tx.query<DataAccessRow & { changed: boolean }>(
      `WITH before AS (SELECT closed_at IS NULL AS was_open FROM partner_data_access WHERE tenant_id = $1 AND partner_id = $2 FOR UPDATE)
       INSERT INTO partner_data_access AS g (tenant_id, partner_id, opened_at, opened_by) VALUES ($1, $2, careslot_now(), $3)
       ON CONFLICT (tenant_id, partner_id) DO UPDATE
         SET opened_at = careslot_now(), opened_by = $3, closed_at = NULL, closed_by = NULL, epoch = g.epoch + 1
         WHERE g.closed_at IS NOT NULL
       RETURNING ${ACCESS_COLUMNS}, NOT coalesce((SELECT was_open FROM before), false) AS changed`,
      [tx.tenantId, partnerId, openedBy],
    );
    if (row) {
      const { changed, ...access } = row;
      return { row: access, changed };
    }
    return { row: (await partnerDataAccessRepository.find(tx, partnerId))!, changed: false };
  },

  /** Closes an open access at once; a closed one stays as it is. */
  async close(tx: Tx, partnerId: string, closedBy: string): Promise<{ row: DataAccessRow | undefined; changed: boolean }> {
    const [row] = await tx.query<DataAccessRow>(
      `UPDATE partner_data_access SET closed_at = careslot_now(), closed_by = $3
       WHERE tenant_id = $1 AND partner_id = $2 AND closed_at IS NULL RETURNING ${ACCESS_COLUMNS}`,
      [tx.tenantId, partnerId, closedBy],
    );
    return row ? { row, changed: true } : { row: await partnerDataAccessRepository.find(tx, partnerId), changed: false };
  },
};


/** The partner's data-access log in a period, oldest first, after (occurred_at, id). */
export async function accessLog(
  tx: Tx, partnerId: string, period: { from: Date; to: Date }, page: { limit: number; after?: { at: Date; id: string } },
): Promise<AccessLogRow[]> {
  return tx.query<AccessLogRow>(
    `SELECT id, occurred_at AS "occurredAt", action, actor_kind AS "actorKind", actor_id AS "actorId", details
     FROM audit_events
     WHERE tenant_id = $1 AND entity_type = 'Partner' AND entity_id = $2::text AND action LIKE 'partner-data.%'
       AND occurred_at >= $3 AND occurred_at < $4
       AND ($5::timestamptz IS NULL OR (date_trunc('milliseconds', occurred_at), id) > ($5, $6::uuid))
     ORDER BY date_trunc('milliseconds', occurred_at), id LIMIT $7`,
    [tx.tenantId, partnerId, period.from, period.to, page.after?.at ?? null, page.after?.id ?? null, page.limit],
  );
}
