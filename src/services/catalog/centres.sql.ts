import type { Tx } from '../../db/unit-of-work';
import type { Address, CentreRow } from './catalog.model';
import { assignments, lookupableIds } from './catalog-support.sql';

const CENTRE_COLUMNS = `id, name, time_zone AS "timeZone", hsa_id AS "hsaId", address, offline,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface CentreFields {
  name: string;
  timeZone: string;
  hsaId: string | null;
  address: Address | null;
  offline: boolean;
}

/** SQL for centres. Every statement names the tenant too (RLS is the second wall). */
export const centresRepository = {
  async insert(tx: Tx, centre: CentreFields): Promise<CentreRow> {
    const [row] = await tx.query<CentreRow>(
      `INSERT INTO centres (tenant_id, name, time_zone, hsa_id, address, offline) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${CENTRE_COLUMNS}`,
      [tx.tenantId, centre.name, centre.timeZone, centre.hsaId, centre.address, centre.offline],
    );
    return row;
  },

  async update(tx: Tx, id: string, change: Partial<CentreFields>): Promise<CentreRow | undefined> {
    const set = assignments(change, { name: 'name', timeZone: 'time_zone', hsaId: 'hsa_id', address: 'address', offline: 'offline' }, 3);
    const [row] = await tx.query<CentreRow>(
      `UPDATE centres SET ${set.sql} WHERE tenant_id = $1 AND id = $2 RETURNING ${CENTRE_COLUMNS}`,
      [tx.tenantId, id, ...set.parameters],
    );
    return row;
  },

  async find(tx: Tx, id: string): Promise<CentreRow | undefined> {
    const [row] = await tx.query<CentreRow>(`SELECT ${CENTRE_COLUMNS} FROM centres WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
    return row;
  },

  /** Whether the caller's tenant has this centre (row-level security hides the others'). */
  async exists(tx: Tx, id: string): Promise<boolean> {
    const rows = await tx.query(`SELECT 1 FROM centres WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
    return rows.length > 0;
  },

  async findByIds(tx: Tx, ids: readonly string[]): Promise<CentreRow[]> {
    return tx.query<CentreRow>(`SELECT ${CENTRE_COLUMNS} FROM centres WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, lookupableIds(ids)]);
  },

  /** Keyset page ordered by (name, id). */
  async list(tx: Tx, page: { limit: number; after?: [string, string] }): Promise<CentreRow[]> {
    return tx.query<CentreRow>(
      `SELECT ${CENTRE_COLUMNS} FROM centres WHERE tenant_id = $1
         AND ($2::text IS NULL OR (name, id) > ($2, $3::uuid))
       ORDER BY name, id LIMIT $4`,
      [tx.tenantId, page.after?.[0] ?? null, page.after?.[1] ?? null, page.limit],
    );
  },
};
