import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The partner wall (second to the services): a transaction of a partner user or partner app sets
 * `app.partner_id`, and restrictive policies then show it only its partner's rows of partners,
 * traffic channels, users, API tokens and appointments. Availability still needs other bookings'
 * time (as OCCUPIED, nothing else): `careslot_busy_time` answers it, lifting the partner scope for
 * its own duration only, and only as time ranges.
 */
export class PartnerScope1796900000000 implements MigrationInterface {
  name = 'PartnerScope1796900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of PARTNER_SCOPED) {
      await queryRunner.query(`CREATE POLICY partner_scope ON "${table}" AS RESTRICTIVE
        USING (${CURRENT_PARTNER_SQL} IS NULL OR "${column}" = ${CURRENT_PARTNER_SQL})
        WITH CHECK (${CURRENT_PARTNER_SQL} IS NULL OR "${column}" = ${CURRENT_PARTNER_SQL})`);
    }
    await queryRunner.query(`
      CREATE FUNCTION careslot_busy_time(p_tenant uuid, p_schedule uuid, p_from timestamptz, p_to timestamptz) RETURNS tstzmultirange
      LANGUAGE sql STABLE SET app.partner_id = '' AS $$
        SELECT coalesce(range_agg(tstzrange(a.starts_at, a.ends_at)), '{}'::tstzmultirange) FROM appointments a
        WHERE a.tenant_id = p_tenant AND a.schedule_id = p_schedule AND a.status <> 'CANCELLED'
          AND a.starts_at < p_to + interval '1 day' AND a.ends_at > p_from - interval '1 day'
          AND a.starts_at > p_from - interval '2 days'
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION careslot_busy_time(uuid, uuid, timestamptz, timestamptz)`);
    for (const [table] of PARTNER_SCOPED) await queryRunner.query(`DROP POLICY partner_scope ON "${table}"`);
  }
}

// This migration's own copy of the scope SQL: frozen with it, never shared (migrations/index.ts).
const CURRENT_PARTNER_SQL = `NULLIF(current_setting('app.partner_id', true), '')::uuid`;

const PARTNER_SCOPED: ReadonlyArray<[table: string, column: string]> = [
  ['partners', 'id'], ['traffic_channels', 'partner_id'], ['users', 'partner_id'], ['api_tokens', 'partner_id'], ['appointments', 'partner_id'],
];
