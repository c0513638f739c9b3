import type { Tx } from '../../db/unit-of-work';
import type { PractitionerRow } from './catalog.model';
import { assignments, lookupableIds } from './catalog-support.sql';

const PRACTITIONER_COLUMNS = `id, name, qualifications, data_sharing_banned AS "dataSharingBanned",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface PractitionerFields {
  name: string;
  qualifications: string[];
  dataSharingBanned: boolean;
}

export const practitionersRepository = {
  async insert(tx: Tx, practitioner: PractitionerFields): Promise<PractitionerRow> {
    const [row] = await tx.query<PractitionerRow>(
      `INSERT INTO practitioners (tenant_id, name, qualifications, data_sharing_banned) VALUES ($1, $2, $3, $4)
       RETURNING ${PRACTITIONER_COLUMNS}`,
      [tx.tenantId, practitioner.name, practitioner.qualifications, practitioner.dataSharingBanned],
    );
    return row;
  },

  async update(tx: Tx, id: string, change: Partial<PractitionerFields>): Promise<PractitionerRow | undefined> {
    const set = assignments(change, { name: 'name', qualifications: 'qualifications', dataSharingBanned: 'data_sharing_banned' }, 3);
    const [row] = await tx.query<PractitionerRow>(
      `UPDATE practitioners SET ${set.sql} WHERE tenant_id = $1 AND id = $2 RETURNING ${PRACTITIONER_COLUMNS}`,
      [tx.tenantId, id, ...set.parameters],
    );
    return row;
  },

  async find(tx: Tx, id: string): Promise<PractitionerRow | undefined> {
    const [row] = await tx.query<PractitionerRow>(
      `SELECT ${PRACTITIONER_COLUMNS} FROM practitioners WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id],
    );
    return row;
  },

  async findByIds(tx: Tx, ids: readonly string[]): Promise<PractitionerRow[]> {
    return tx.query<PractitionerRow>(
      `SELECT ${PRACTITIONER_COLUMNS} FROM practitioners WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, lookupableIds(ids)],
    );
  },

  /** Keyset page ordered by (name, id), optionally only those holding a qualification. */
  async list(tx: Tx, page: { limit: number; after?: [string, string]; qualification?: string }): Promise<PractitionerRow[]> {
    return tx.query<PractitionerRow>(
      `SELECT ${PRACTITIONER_COLUMNS} FROM practitioners WHERE tenant_id = $1
         AND ($2::text IS NULL OR (name, id) > ($2, $3::uuid))
         AND ($4::text IS NULL OR $4 = ANY (qualifications))
       ORDER BY name, id LIMIT $5`,
      [tx.tenantId, page.after?.[0] ?? null, page.after?.[1] ?? null, page.qualification ?? null, page.limit],
    );
  },
};
