import type { Tx } from '../../db/unit-of-work';
import type { OfferedServiceRow, ScheduleRow } from './catalog.model';
import { assignments, lookupableIds } from './catalog-support.sql';

const SCHEDULE_COLUMNS = `id, centre_id AS "centreId", practitioner_id AS "practitionerId", name, slot_minutes AS "slotMinutes", active,
  created_at AS "createdAt", updated_at AS "updatedAt", link_id AS "linkId"`;

export interface ScheduleFields {
  centreId: string;
  practitionerId: string | null;
  name: string;
  slotMinutes: number;
  active: boolean;
}

export type ScheduleChange = Partial<Omit<ScheduleFields, 'centreId'>>;

/** SQL for schedules and the services they offer. */
export const schedulesRepository = {
  /** The mirrors a link created in its client centre (the schedules shared through it). */
  async mirrorsOfLinks(tx: Tx, linkIds: readonly string[]): Promise<ScheduleRow[]> {
    return tx.query<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE tenant_id = $1 AND link_id = ANY($2::uuid[]) ORDER BY name, id`, [tx.tenantId, lookupableIds(linkIds)],
    );
  },

  async insert(tx: Tx, schedule: ScheduleFields): Promise<ScheduleRow> {
    const [row] = await tx.query<ScheduleRow>(
      `INSERT INTO schedules (tenant_id, centre_id, practitioner_id, name, slot_minutes, active) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${SCHEDULE_COLUMNS}`,
      [tx.tenantId, schedule.centreId, schedule.practitionerId, schedule.name, schedule.slotMinutes, schedule.active],
    );
    return row;
  },

  /** Also locks the row until commit, so concurrent replacements of its hours or services queue up. */
  async update(tx: Tx, id: string, change: ScheduleChange): Promise<ScheduleRow | undefined> {
    const set = assignments(change, { practitionerId: 'practitioner_id', name: 'name', slotMinutes: 'slot_minutes', active: 'active' }, 3);
    const [row] = await tx.query<ScheduleRow>(
      `UPDATE schedules SET ${set.sql} WHERE tenant_id = $1 AND id = $2 RETURNING ${SCHEDULE_COLUMNS}`,
      [tx.tenantId, id, ...set.parameters],
    );
    return row;
  },

  /** Marks the schedule changed (its hours or exceptions) and locks it until commit; undefined when it does not exist. */
  async touch(tx: Tx, id: string): Promise<ScheduleRow | undefined> {
    const [row] = await tx.query<ScheduleRow>(
      `UPDATE schedules SET updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING ${SCHEDULE_COLUMNS}`, [tx.tenantId, id],
    );
    return row;
  },

  async find(tx: Tx, id: string): Promise<ScheduleRow | undefined> {
    const [row] = await tx.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
    return row;
  },

  async findByIds(tx: Tx, ids: readonly string[]): Promise<ScheduleRow[]> {
    return tx.query<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tx.tenantId, lookupableIds(ids)],
    );
  },

  async findByCentres(tx: Tx, centreIds: readonly string[]): Promise<ScheduleRow[]> {
    return tx.query<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE tenant_id = $1 AND centre_id = ANY($2::uuid[]) ORDER BY name, id`,
      [tx.tenantId, lookupableIds(centreIds)],
    );
  },

  async idsOfCentre(tx: Tx, centreId: string): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(`SELECT id FROM schedules WHERE tenant_id = $1 AND centre_id = $2`, [tx.tenantId, centreId]);
    return rows.map((row) => row.id);
  },

  /** Keyset page of one centre's schedules ordered by (name, id). */
  async listOfCentre(tx: Tx, centreId: string, page: { limit: number; after?: [string, string] }): Promise<ScheduleRow[]> {
    return tx.query<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE tenant_id = $1 AND centre_id = $2
         AND ($3::text IS NULL OR (name, id) > ($3, $4::uuid))
       ORDER BY name, id LIMIT $5`,
      [tx.tenantId, centreId, page.after?.[0] ?? null, page.after?.[1] ?? null, page.limit],
    );
  },

  async replaceServices(tx: Tx, scheduleId: string, serviceIds: readonly string[]): Promise<void> {
    await tx.query(`DELETE FROM schedule_services WHERE tenant_id = $1 AND schedule_id = $2`, [tx.tenantId, scheduleId]);
    await tx.query(
      `INSERT INTO schedule_services (tenant_id, schedule_id, service_id) SELECT $1, $2, unnest($3::uuid[])`,
      [tx.tenantId, scheduleId, serviceIds],
    );
  },

  async servicesOf(tx: Tx, scheduleIds: readonly string[]): Promise<OfferedServiceRow[]> {
    return tx.query<OfferedServiceRow>(
      `SELECT ss.schedule_id AS "scheduleId", s.id, s.code, s.name, s.duration_minutes AS "durationMinutes",
              s.required_qualification AS "requiredQualification", s.created_at AS "createdAt", s.updated_at AS "updatedAt", s.link_id AS "linkId"
       FROM schedule_services ss JOIN services s ON s.tenant_id = ss.tenant_id AND s.id = ss.service_id
       WHERE ss.tenant_id = $1 AND ss.schedule_id = ANY($2::uuid[]) ORDER BY s.code, s.id`,
      [tx.tenantId, lookupableIds(scheduleIds)],
    );
  },
};
