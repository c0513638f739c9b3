import type { Tx } from '../../db/unit-of-work';
import type { BookingSystemCode } from './booking-systems';
import type { ConnectionRow } from './connections.model';

export interface SavedConnection {
  centreId: string;
  system: BookingSystemCode;
  externalId: string | null;
  externalDepartmentId: string | null;
  bookingUrl: string | null;
  apiKeyCiphertext: Buffer | null;
  apiKeyLast4: string | null;
  linkId: string | null;
  remoteName: string | null;
  savedBy: string;
}

const COLUMNS = `centre_id AS "centreId", system, external_id AS "externalId", external_department_id AS "externalDepartmentId",
  booking_url AS "bookingUrl", api_key_last4 AS "apiKeyLast4", link_id AS "linkId", remote_name AS "remoteName", status,
  (SELECT s.id FROM schedules s WHERE s.tenant_id = booking_system_connections.tenant_id AND s.centre_id = booking_system_connections.centre_id AND s.external_schedule_ref IS NOT NULL AND s.active) AS "scheduleId",
  last_contact_at AS "lastContactAt", last_problem AS "lastProblem", saved_by AS "savedBy", updated_at AS "updatedAt"`;

export const connectionsRepository = {
  /** The centre's connection; a careslot connection's health is its share link's, kept from real traffic (LinkHealth). */
  async find(tx: Tx, centreId: string): Promise<ConnectionRow | undefined> {
    const [row] = await tx.query<ConnectionRow>(
      `SELECT c.centre_id AS "centreId", c.system, c.external_id AS "externalId", c.external_department_id AS "externalDepartmentId",
              c.booking_url AS "bookingUrl", c.api_key_last4 AS "apiKeyLast4", c.link_id AS "linkId", c.remote_name AS "remoteName",
              (SELECT s.id FROM schedules s WHERE s.tenant_id = c.tenant_id AND s.centre_id = c.centre_id AND s.external_schedule_ref IS NOT NULL AND s.active) AS "scheduleId",
              coalesce(l.status, c.status) AS status,
              CASE WHEN l.id IS NULL THEN c.last_contact_at ELSE l.last_contact_at END AS "lastContactAt",
              CASE WHEN l.id IS NULL THEN c.last_problem ELSE l.last_problem END AS "lastProblem",
              c.saved_by AS "savedBy", c.updated_at AS "updatedAt"
       FROM booking_system_connections c LEFT JOIN share_links l ON l.tenant_id = c.tenant_id AND l.id = c.link_id
       WHERE c.tenant_id = $1 AND c.centre_id = $2`,
      [tx.tenantId, centreId],
    );
    return row;
  },

  /** The centre's connection becomes this one (a successful test just spoke to it: OK, contacted now). */
  async save(tx: Tx, connection: SavedConnection): Promise<ConnectionRow> {
    const [row] = await tx.query<ConnectionRow>(
      `INSERT INTO booking_system_connections (tenant_id, centre_id, system, external_id, external_department_id, booking_url,
         api_key_ciphertext, api_key_last4, link_id, remote_name, status, last_contact_at, last_problem, saved_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'OK', now(), NULL, $11)
       ON CONFLICT (tenant_id, centre_id) DO UPDATE SET system = excluded.system, external_id = excluded.external_id,
         external_department_id = excluded.external_department_id, booking_url = excluded.booking_url,
         api_key_ciphertext = excluded.api_key_ciphertext, api_key_last4 = excluded.api_key_last4, link_id = excluded.link_id,
         remote_name = excluded.remote_name, status = 'OK', last_contact_at = now(), last_problem = NULL, saved_by = excluded.saved_by, updated_at = now()
       RETURNING ${COLUMNS}`,
      [tx.tenantId, connection.centreId, connection.system, connection.externalId, connection.externalDepartmentId, connection.bookingUrl,
        connection.apiKeyCiphertext, connection.apiKeyLast4, connection.linkId, connection.remoteName, connection.savedBy],
    );
    return row;
  },

  /** What "request details" names: the centre and its tenant. */
  async centreIdentity(tx: Tx, centreId: string): Promise<{ id: string; name: string; hsaId: string | null; tenantName: string } | undefined> {
    const [row] = await tx.query<{ id: string; name: string; hsaId: string | null; tenantName: string }>(
      `SELECT c.id, c.name, c.hsa_id AS "hsaId", t.name AS "tenantName" FROM centres c JOIN tenants t ON t.id = c.tenant_id
       WHERE c.tenant_id = $1 AND c.id = $2`,
      [tx.tenantId, centreId],
    );
    return row;
  },
};
