import type { Tx } from '../../db/unit-of-work';
import { assignments, lookupableIds } from '../catalog/catalog-support.sql';
import type { PartnerFields, PartnerRow } from './partners.model';

const PARTNER_COLUMNS = `id, name, kind, contact_name AS "contactName", contact_email AS "contactEmail", contact_phone AS "contactPhone",
  active, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** SQL for partners. Every statement names the tenant too (RLS is the second wall). */
export const partnersRepository = {
  async insert(tx: Tx, partner: PartnerFields): Promise<PartnerRow> {
    const [row] = await tx.query<PartnerRow>(
      `INSERT INTO partners (tenant_id, name, kind, contact_name, contact_email, contact_phone, active) VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING ${PARTNER_COLUMNS}`,
      [tx.tenantId, partner.name, partner.kind, partner.contactName, partner.contactEmail, partner.contactPhone, partner.active],
    );
    return row;
  },

  async update(tx: Tx, id: string, change: Partial<PartnerFields>): Promise<PartnerRow | undefined> {
    const set = assignments(change, {
      name: 'name', kind: 'kind', contactName: 'contact_name', contactEmail: 'contact_email', contactPhone: 'contact_phone', active: 'active',
    }, 3);
    const [row] = await tx.query<PartnerRow>(
      `UPDATE partners SET ${set.sql} WHERE tenant_id = $1 AND id = $2 RETURNING ${PARTNER_COLUMNS}`,
      [tx.tenantId, id, ...set.parameters],
    );
    return row;
  },

  async findByIds(tx: Tx, ids: readonly string[]): Promise<PartnerRow[]> {
    return tx.query<PartnerRow>(`SELECT ${PARTNER_COLUMNS} FROM partners WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, lookupableIds(ids)]);
  },

  /** Keyset page ordered by (name, id); `activeOnly` for those that may book. */
  async list(tx: Tx, page: { limit: number; after?: [string, string]; activeOnly?: boolean }): Promise<PartnerRow[]> {
    return tx.query<PartnerRow>(
      `SELECT ${PARTNER_COLUMNS} FROM partners WHERE tenant_id = $1 AND (NOT $5 OR active)
         AND ($2::text IS NULL OR (name, id) > ($2, $3::uuid))
       ORDER BY name, id LIMIT $4`,
      [tx.tenantId, page.after?.[0] ?? null, page.after?.[1] ?? null, page.limit, page.activeOnly ?? false],
    );
  },
};
