import type { TenantDatabase } from '../../db/tenant-database';
import type { Tx } from '../../db/unit-of-work';
import type { PeerShareInfo } from '../../federation/peer-protocol';
import type { ShareLinkStatus } from '../../entities';
import type { LinkRow } from './links.model';

export type { LinkRow } from './links.model';

export interface MirrorScheduleRow {
  id: string;
  linkId: string;
  remoteScheduleId: string;
  centreId: string;
  centreName: string;
}

const LINK_COLUMNS = `id, centre_id AS "centreId", remote_url AS "remoteUrl", remote_centre_id AS "remoteCentreId",
  remote_centre_name AS "remoteCentreName", remote_share_id AS "remoteShareId", token_ciphertext AS "tokenCiphertext", label, created_at AS "createdAt",
  status, last_contact_at AS "lastContactAt", last_problem AS "lastProblem"`;

export const linksRepository = {
  async insertLink(tx: Tx, link: Omit<LinkRow, 'id' | 'createdAt' | 'status' | 'lastContactAt' | 'lastProblem'>): Promise<LinkRow> {
    const [row] = await tx.query<LinkRow>(
      `INSERT INTO share_links (tenant_id, centre_id, remote_url, remote_centre_id, remote_centre_name, remote_share_id, token_ciphertext, label, last_contact_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) RETURNING ${LINK_COLUMNS}`,
      [tx.tenantId, link.centreId, link.remoteUrl, link.remoteCentreId, link.remoteCentreName, link.remoteShareId, link.tokenCiphertext, link.label],
    );
    return row;
  },

  /**
   * Mirrors of the shared schedules and their services in the client centre, so that bookings in
   * them are ordinary appointments here (lists, history, state machine, live agenda).
   */
  async insertMirrors(tx: Tx, link: LinkRow, share: PeerShareInfo): Promise<void> {
    const services = new Map(share.schedules.flatMap((schedule) => schedule.services.map((service) => [service.id, service])));
    const mirrorServiceIds = new Map<string, string>();
    for (const service of services.values()) {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO services (tenant_id, code, name, duration_minutes, link_id, remote_service_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [tx.tenantId, `${service.code}@${link.id.slice(0, 8)}`, service.name, service.durationMinutes, link.id, service.id],
      );
      mirrorServiceIds.set(service.id, row.id);
    }
    for (const schedule of share.schedules) {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO schedules (tenant_id, centre_id, name, slot_minutes, link_id, remote_schedule_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [tx.tenantId, link.centreId, `${schedule.name} (${share.centreName})`, schedule.slotMinutes, link.id, schedule.id],
      );
      for (const service of schedule.services) {
        await tx.query(`INSERT INTO schedule_services (tenant_id, schedule_id, service_id) VALUES ($1, $2, $3)`, [tx.tenantId, row.id, mirrorServiceIds.get(service.id)]);
      }
    }
  },

  /** Keyset page, oldest first: (created_at, id); milliseconds, because the cursor travels as a JavaScript Date. */
  async linksOfCentre(tx: Tx, centreId: string | undefined, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<LinkRow[]> {
    return tx.query<LinkRow>(
      `SELECT ${LINK_COLUMNS} FROM share_links WHERE tenant_id = $1 AND ($2::uuid IS NULL OR centre_id = $2) AND removed_at IS NULL
         AND ($3::timestamptz IS NULL OR (date_trunc('milliseconds', created_at), id) > ($3, $4::uuid))
       ORDER BY date_trunc('milliseconds', created_at), id LIMIT $5`,
      [tx.tenantId, centreId ?? null, page.after?.createdAt ?? null, page.after?.id ?? null, page.limit],
    );
  },

  /** Links by id, removed ones too (a mirror outlives its link's removal). */
  async findByIds(tx: Tx, ids: readonly string[]): Promise<LinkRow[]> {
    return tx.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM share_links WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, ids]);
  },

  async findLink(tx: Tx, linkId: string): Promise<LinkRow | undefined> {
    const [row] = await tx.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM share_links WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL`, [tx.tenantId, linkId]);
    return row;
  },

  async removeLink(tx: Tx, linkId: string): Promise<LinkRow | undefined> {
    const [row] = await tx.query<LinkRow>(
      `UPDATE share_links SET removed_at = now() WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL RETURNING ${LINK_COLUMNS}`, [tx.tenantId, linkId],
    );
    if (row) await tx.query(`UPDATE schedules SET active = false WHERE tenant_id = $1 AND link_id = $2`, [tx.tenantId, linkId]);
    return row;
  },

  async mirrorOfSchedule(tx: Tx, scheduleId: string): Promise<(MirrorScheduleRow & { link: LinkRow; remoteServiceIds: Record<string, string> }) | undefined> {
    const [row] = await tx.query<MirrorScheduleRow & { link: LinkRow; remoteServiceIds: Record<string, string> | null }>(
      `SELECT s.id, s.link_id AS "linkId", s.remote_schedule_id AS "remoteScheduleId", s.centre_id AS "centreId", c.name AS "centreName",
              (SELECT json_object_agg(sv.id, sv.remote_service_id) FROM services sv WHERE sv.tenant_id = s.tenant_id AND sv.link_id = s.link_id) AS "remoteServiceIds"
       FROM schedules s JOIN centres c ON c.tenant_id = s.tenant_id AND c.id = s.centre_id
       WHERE s.tenant_id = $1 AND s.id = $2 AND s.link_id IS NOT NULL AND s.active`,
      [tx.tenantId, scheduleId],
    );
    if (!row) return undefined;
    const link = await linksRepository.findLink(tx, row.linkId);
    return link ? { ...row, link, remoteServiceIds: row.remoteServiceIds ?? {} } : undefined;
  },

  /**
   * A contact with the sharing server and what it showed, in one statement: the status before and
   * after it (undefined for a removed link), so that only a change is announced, once. REVOKED
   * stays REVOKED when a later call is merely REJECTED (after a rotation both say "not accepted").
   */
  async recordContact(tx: Tx, linkId: string, status: ShareLinkStatus, problem: string | null): Promise<{ previous: ShareLinkStatus; current: ShareLinkStatus } | undefined> {
    const [row] = await tx.query<{ previous: ShareLinkStatus; current: ShareLinkStatus }>(
      `UPDATE share_links l SET status = next.status,
         status_changed_at = CASE WHEN old.status = next.status THEN l.status_changed_at ELSE now() END,
         last_contact_at = CASE WHEN next.status = 'OK' THEN now() ELSE l.last_contact_at END,
         last_problem = coalesce($4, l.last_problem)
       FROM (SELECT status FROM share_links WHERE tenant_id = $1 AND id = $2 AND removed_at IS NULL FOR UPDATE) old,
            LATERAL (SELECT CASE WHEN old.status = 'REVOKED' AND $3 = 'REJECTED' THEN 'REVOKED' ELSE $3 END AS status) next
       WHERE l.tenant_id = $1 AND l.id = $2 RETURNING old.status AS previous, l.status AS current`,
      [tx.tenantId, linkId, status, problem],
    );
    return row;
  },

  async mirrorsOfLink(tx: Tx, linkId: string): Promise<Array<{ id: string; remoteScheduleId: string }>> {
    return tx.query(`SELECT id, remote_schedule_id AS "remoteScheduleId" FROM schedules WHERE tenant_id = $1 AND link_id = $2`, [tx.tenantId, linkId]);
  },

  /** Every live link on this database, across tenants: ids only (see the link_registry policy). */
  async registry(database: TenantDatabase): Promise<Array<{ tenantId: string; linkId: string }>> {
    return database.acrossTenants('link-registry', (db) =>
      db.query(`SELECT tenant_id AS "tenantId", id AS "linkId" FROM share_links WHERE removed_at IS NULL`));
  },
};
