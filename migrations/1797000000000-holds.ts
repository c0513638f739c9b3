import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Holds (seed 001's "Start the reservation"): a slot held for a few minutes is an appointment row
 * with status HELD and an expiry, so the exclusion constraint covers holds as it covers bookings.
 * An expired hold is read as free from its expiry on (availability, careslot_busy_time) and is
 * removed by the next statement that wants its time (careslot_free_expired_holds) or the sweeper.
 */
export class Holds1797000000000 implements MigrationInterface {
  name = 'Holds1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`ALTER TABLE "appointments" DROP CONSTRAINT "appointments_status_check",
      ADD CONSTRAINT "appointments_status_check" CHECK ("status" IN ('BOOKED', 'CONFIRMED', 'ARRIVED', 'FULFILLED', 'CANCELLED', 'NO_SHOW', 'HELD')),
      ADD "hold_expires_at" TIMESTAMP WITH TIME ZONE, ADD "held_by" text,
      ADD CONSTRAINT "appointments_hold_check" CHECK (("status" = 'HELD') = ("hold_expires_at" IS NOT NULL AND "held_by" IS NOT NULL))`);
    // Live holds are few: found per schedule and time by the staff's HELD slots, and by the sweeper.
    await q(`CREATE INDEX "appointments_held_idx" ON "appointments" ("tenant_id", "schedule_id", "starts_at") WHERE status = 'HELD'`);
    // The sweeper's scope reads and deletes expired holds across tenants, and nothing else.
    await q(`CREATE POLICY hold_sweeper ON "appointments" USING (current_setting('app.scope', true) = 'hold-sweeper' AND "status" = 'HELD' AND "hold_expires_at" <= now())`);
    // A hold id no longer there is told apart from one never placed by its audited placement.
    await q(`CREATE INDEX "audit_events_hold_placed_idx" ON "audit_events" ("tenant_id", "entity_id") WHERE action = 'hold.placed'`);
    // Other bookings' time, as a partner may see it: now without expired holds.
    await q(`
      CREATE OR REPLACE FUNCTION careslot_busy_time(p_tenant uuid, p_schedule uuid, p_from timestamptz, p_to timestamptz) RETURNS tstzmultirange
      LANGUAGE sql STABLE SET app.partner_id = '' AS $$
        SELECT coalesce(range_agg(tstzrange(a.starts_at, a.ends_at)), '{}'::tstzmultirange) FROM appointments a
        WHERE a.tenant_id = p_tenant AND a.schedule_id = p_schedule AND a.status <> 'CANCELLED'
          AND (a.status <> 'HELD' OR a.hold_expires_at > now())
          AND a.starts_at < p_to + interval '1 day' AND a.ends_at > p_from - interval '1 day'
          AND a.starts_at > p_from - interval '2 days'
      $$`);
    // Whoever books or holds a time frees the expired holds on it first, whoever placed them (the
    // partner scope would hide another partner's). Holds last minutes and appointments at most 12 h.
    await q(`
      CREATE FUNCTION careslot_free_expired_holds(p_tenant uuid, p_schedule uuid, p_start timestamptz, p_end timestamptz) RETURNS integer
      LANGUAGE sql VOLATILE SET app.partner_id = '' AS $$
        WITH freed AS (
          DELETE FROM appointments a
          WHERE a.tenant_id = p_tenant AND a.schedule_id = p_schedule AND a.status = 'HELD' AND a.hold_expires_at <= now()
            AND a.starts_at < p_end AND a.ends_at > p_start AND a.starts_at > p_start - interval '1 day'
          RETURNING 1)
        SELECT count(*)::int FROM freed
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`DROP FUNCTION careslot_free_expired_holds(uuid, uuid, timestamptz, timestamptz)`);
    await q(`
      CREATE OR REPLACE FUNCTION careslot_busy_time(p_tenant uuid, p_schedule uuid, p_from timestamptz, p_to timestamptz) RETURNS tstzmultirange
      LANGUAGE sql STABLE SET app.partner_id = '' AS $$
        SELECT coalesce(range_agg(tstzrange(a.starts_at, a.ends_at)), '{}'::tstzmultirange) FROM appointments a
        WHERE a.tenant_id = p_tenant AND a.schedule_id = p_schedule AND a.status <> 'CANCELLED'
          AND a.starts_at < p_to + interval '1 day' AND a.ends_at > p_from - interval '1 day'
          AND a.starts_at > p_from - interval '2 days'
      $$`);
    await q(`DELETE FROM "appointments" WHERE "status" = 'HELD'`);
    await q(`DROP POLICY hold_sweeper ON "appointments"`);
    await q(`DROP INDEX "audit_events_hold_placed_idx"`);
    await q(`DROP INDEX "appointments_held_idx"`);
    await q(`ALTER TABLE "appointments" DROP CONSTRAINT "appointments_hold_check", DROP COLUMN "hold_expires_at", DROP COLUMN "held_by",
      DROP CONSTRAINT "appointments_status_check",
      ADD CONSTRAINT "appointments_status_check" CHECK ("status" IN ('BOOKED', 'CONFIRMED', 'ARRIVED', 'FULFILLED', 'CANCELLED', 'NO_SHOW'))`);
  }
}
