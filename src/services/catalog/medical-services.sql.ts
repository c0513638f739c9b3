import type { Tx } from '../../db/unit-of-work';
import type { MedicalServiceRow } from './catalog.model';
import { assignments, isUniqueViolation, lookupableIds } from './catalog-support.sql';

const SERVICE_COLUMNS = `id, code, name, duration_minutes AS "durationMinutes", required_qualification AS "requiredQualification",
  created_at AS "createdAt", updated_at AS "updatedAt", link_id AS "linkId"`;

export interface MedicalServiceFields {
  code: string;
  name: string;
  durationMinutes: number;
  requiredQualification: string | null;
}

/** What an insert or update of a service reports when another service of the tenant has the code. */
export const CODE_TAKEN = 'code-taken';

export const medicalServicesRepository = {
  /** The mirrors a link created in its client's tenant (the services shared through it). */
  async mirrorsOfLinks(tx: Tx, linkIds: readonly string[]): Promise<MedicalServiceRow[]> {
    return tx.query<MedicalServiceRow>(
      `SELECT ${SERVICE_COLUMNS} FROM services WHERE tenant_id = $1 AND link_id = ANY($2::uuid[]) ORDER BY code, id`, [tx.tenantId, lookupableIds(linkIds)],
    );
  },

  async insert(tx: Tx, service: MedicalServiceFields): Promise<MedicalServiceRow | typeof CODE_TAKEN> {
    const [row] = await tx.query<MedicalServiceRow>(
      `INSERT INTO services (tenant_id, code, name, duration_minutes, required_qualification) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, code) DO NOTHING RETURNING ${SERVICE_COLUMNS}`,
      [tx.tenantId, service.code, service.name, service.durationMinutes, service.requiredQualification],
    );
    return row ?? CODE_TAKEN;
  },

  /** The failed statement aborts the transaction: the caller must end it by throwing on CODE_TAKEN. */
  async update(tx: Tx, id: string, change: Partial<MedicalServiceFields>): Promise<MedicalServiceRow | undefined | typeof CODE_TAKEN> {
    const set = assignments(change, {
      code: 'code', name: 'name', durationMinutes: 'duration_minutes', requiredQualification: 'required_qualification',
    }, 3);
    try {
      const [row] = await tx.query<MedicalServiceRow>(
        `UPDATE services SET ${set.sql} WHERE tenant_id = $1 AND id = $2 RETURNING ${SERVICE_COLUMNS}`,
        [tx.tenantId, id, ...set.parameters],
      );
      return row;
    } catch (error) {
      if (isUniqueViolation(error, 'services_tenant_code_key')) return CODE_TAKEN;
      throw error;
    }
  },

  async findByIds(tx: Tx, ids: readonly string[]): Promise<MedicalServiceRow[]> {
    return tx.query<MedicalServiceRow>(
      `SELECT ${SERVICE_COLUMNS} FROM services WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, lookupableIds(ids)],
    );
  },

  /** Keyset page ordered by (code, id). */
  async list(tx: Tx, page: { limit: number; after?: [string, string] }): Promise<MedicalServiceRow[]> {
    return tx.query<MedicalServiceRow>(
      `SELECT ${SERVICE_COLUMNS} FROM services WHERE tenant_id = $1
         AND ($2::text IS NULL OR (code, id) > ($2, $3::uuid))
       ORDER BY code, id LIMIT $4`,
      [tx.tenantId, page.after?.[0] ?? null, page.after?.[1] ?? null, page.limit],
    );
  },
};
