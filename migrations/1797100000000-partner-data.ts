import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partner data access (seed 002): a clinic head opens the tenant's patient and appointment data to
 * a partner; it flows from 24 hours after opening, along a resumable feed.
 * - `careslot_now()` is the feed's clock: the database's time, shifted only where a test set
 *   `careslot_clock` (production leaves it empty).
 * - Every appointment and patient carries `feed_xid`, the transaction (its 64-bit id) that last changed what a
 *   partner would see of it (triggers keep it), so the feed is read in commit-safe order: rows
 *   below the oldest running transaction never gain a predecessor.
 * - Appointments that cross the sliding window's edges without an edit are touched by a periodic
 *   sweep (`partner_feed_sweeps` holds how far it got; the `partner_feed_sweeper` scope may touch
 *   any tenant's appointments).
 * - A partner sees appointments beyond its own bookings only while its access is open and has
 *   begun (the `partner_scope` policy, again).
 * - Notifications a partner records having sent, checked against the patient's consent.
 */
export class PartnerData1797100000000 implements MigrationInterface {
  name = 'PartnerData1797100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`CREATE TABLE "careslot_clock" ("only_row" boolean PRIMARY KEY DEFAULT true CHECK ("only_row"), "shift" interval NOT NULL)`);
    await q(`GRANT SELECT ON "careslot_clock" TO ${APP_ROLE}`);
    await q(`CREATE FUNCTION careslot_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
      SELECT now() + coalesce((SELECT shift FROM careslot_clock), interval '0') $$`);

    await q(`
      CREATE TABLE "partner_data_access" (
        "tenant_id" uuid NOT NULL, "partner_id" uuid NOT NULL,
        "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "opened_by" text NOT NULL,
        "closed_at" TIMESTAMP WITH TIME ZONE, "closed_by" text,
        "epoch" integer NOT NULL DEFAULT 1,
        CONSTRAINT "partner_data_access_pkey" PRIMARY KEY ("tenant_id", "partner_id"),
        CONSTRAINT "partner_data_access_partner_fkey" FOREIGN KEY ("tenant_id", "partner_id") REFERENCES "partners"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "partner_notifications" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "partner_id" uuid NOT NULL,
        "appointment_id" uuid NOT NULL, "patient_id" uuid NOT NULL, "channel" text NOT NULL, "purpose" text NOT NULL,
        "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, "idempotency_key" text NOT NULL,
        "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "partner_notifications_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "partner_notifications_key" UNIQUE ("tenant_id", "partner_id", "idempotency_key"),
        CONSTRAINT "partner_notifications_channel_check" CHECK ("channel" IN ('SMS', 'EMAIL', 'PUSH', 'VOICE', 'MESSENGER')),
        CONSTRAINT "partner_notifications_purpose_check" CHECK ("purpose" IN ('REMINDER', 'CONFIRMATION_REQUEST', 'RESCHEDULED', 'CANCELLED', 'FOLLOW_UP')),
        CONSTRAINT "partner_notifications_partner_fkey" FOREIGN KEY ("tenant_id", "partner_id") REFERENCES "partners"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "partner_notifications_appointment_fkey" FOREIGN KEY ("tenant_id", "appointment_id") REFERENCES "appointments"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`CREATE INDEX "partner_notifications_appointment_idx" ON "partner_notifications" ("tenant_id", "appointment_id")`);
    for (const table of ['partner_data_access', 'partner_notifications']) {
      await q(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
      await q(`CREATE POLICY tenant_isolation ON "${table}" USING ("tenant_id" = ${CURRENT_TENANT_SQL}) WITH CHECK ("tenant_id" = ${CURRENT_TENANT_SQL})`);
      await q(`CREATE POLICY partner_scope ON "${table}" AS RESTRICTIVE
        USING (${CURRENT_PARTNER_SQL} IS NULL OR "partner_id" = ${CURRENT_PARTNER_SQL})
        WITH CHECK (${CURRENT_PARTNER_SQL} IS NULL OR "partner_id" = ${CURRENT_PARTNER_SQL})`);
      await q(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO ${APP_ROLE}`);
    }

    await q(`CREATE FUNCTION careslot_xact() RETURNS bigint LANGUAGE sql VOLATILE AS $$ SELECT pg_current_xact_id()::text::bigint $$`);
    await q(`ALTER TABLE "appointments" ADD "feed_xid" bigint NOT NULL DEFAULT careslot_xact()`);
    await q(`ALTER TABLE "patients" ADD "feed_xid" bigint NOT NULL DEFAULT careslot_xact()`);
    await q(`CREATE INDEX "appointments_feed_idx" ON "appointments" ("tenant_id", "feed_xid", "id")`);
    await q(`CREATE INDEX "patients_feed_idx" ON "patients" ("tenant_id", "feed_xid", "id")`);

    // What a partner sees of an appointment changed: the row is touched (its own fields) …
    await q(`CREATE FUNCTION careslot_feed_touch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.feed_xid := careslot_xact(); RETURN NEW; END $$`);
    await q(`CREATE TRIGGER appointments_feed_touch BEFORE UPDATE ON "appointments" FOR EACH ROW
      WHEN ((OLD.status, OLD.starts_at, OLD.ends_at, OLD.schedule_id, OLD.service_id, OLD.patient_id, OLD.anonymous)
            IS DISTINCT FROM (NEW.status, NEW.starts_at, NEW.ends_at, NEW.schedule_id, NEW.service_id, NEW.patient_id, NEW.anonymous))
      EXECUTE FUNCTION careslot_feed_touch()`);
    // … or its patient's (names, phone, consents: with the patient's appointments) …
    await q(`CREATE TRIGGER patients_feed_touch BEFORE UPDATE ON "patients" FOR EACH ROW
      WHEN ((OLD.family_name, OLD.given_name, OLD.patronymic, OLD.phone, OLD.data_processing_refused, OLD.all_notifications_refused, OLD.advertising_refused)
            IS DISTINCT FROM (NEW.family_name, NEW.given_name, NEW.patronymic, NEW.phone, NEW.data_processing_refused, NEW.all_notifications_refused, NEW.advertising_refused))
      EXECUTE FUNCTION careslot_feed_touch()`);
    await q(`CREATE FUNCTION careslot_feed_touch_patient_appointments() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE appointments SET feed_xid = careslot_xact()
        WHERE tenant_id = NEW.tenant_id AND patient_id = NEW.id AND status <> 'HELD';
        RETURN NULL;
      END $$`);
    await q(`CREATE TRIGGER patients_feed_touch_appointments AFTER UPDATE ON "patients" FOR EACH ROW
      WHEN (OLD.feed_xid IS DISTINCT FROM NEW.feed_xid) EXECUTE FUNCTION careslot_feed_touch_patient_appointments()`);
    // … or its practitioner's (a ban, the name), or its schedule's practitioner: in and near the window
    // (further out nothing is shared either way, and the sweep touches what enters it).
    await q(`CREATE FUNCTION careslot_feed_touch_schedule_appointments(p_tenant uuid, p_schedule uuid, p_practitioner uuid) RETURNS void
      LANGUAGE sql AS $$
        UPDATE appointments a SET feed_xid = careslot_xact()
        FROM schedules s
        WHERE s.tenant_id = p_tenant AND (s.id = p_schedule OR s.practitioner_id = p_practitioner)
          AND a.tenant_id = s.tenant_id AND a.schedule_id = s.id AND a.status <> 'HELD'
          AND a.starts_at > careslot_now() - interval '46 days' AND a.starts_at < careslot_now() + interval '31 days' $$`);
    await q(`CREATE FUNCTION careslot_feed_touch_practitioner() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM careslot_feed_touch_schedule_appointments(NEW.tenant_id, NULL, NEW.id); RETURN NULL; END $$`);
    await q(`CREATE TRIGGER practitioners_feed_touch AFTER UPDATE ON "practitioners" FOR EACH ROW
      WHEN ((OLD.data_sharing_banned, OLD.name) IS DISTINCT FROM (NEW.data_sharing_banned, NEW.name))
      EXECUTE FUNCTION careslot_feed_touch_practitioner()`);
    await q(`CREATE FUNCTION careslot_feed_touch_schedule() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM careslot_feed_touch_schedule_appointments(NEW.tenant_id, NEW.id, NULL); RETURN NULL; END $$`);
    await q(`CREATE TRIGGER schedules_feed_touch AFTER UPDATE ON "schedules" FOR EACH ROW
      WHEN (OLD.practitioner_id IS DISTINCT FROM NEW.practitioner_id) EXECUTE FUNCTION careslot_feed_touch_schedule()`);

    await q(`CREATE TABLE "partner_feed_sweeps" ("only_row" boolean PRIMARY KEY DEFAULT true CHECK ("only_row"), "swept_to" TIMESTAMP WITH TIME ZONE NOT NULL)`);
    await q(`GRANT SELECT, INSERT, UPDATE ON "partner_feed_sweeps" TO ${APP_ROLE}`);
    await q(`CREATE POLICY partner_feed_sweeper ON "appointments" USING (current_setting('app.scope', true) = 'partner-feed-sweeper' AND "status" <> 'HELD')`);
    await q(`CREATE POLICY partner_feed_sweeper ON "partner_data_access" FOR SELECT USING (current_setting('app.scope', true) = 'partner-feed-sweeper')`);

    // Beyond its own bookings (partner_scope of 1796900000000), a partner sees the tenant's
    // appointments only while its data access is open and has begun; which of them it is shown is
    // the partner-data service's consent filter.
    await q(`DROP POLICY partner_scope ON "appointments"`);
    await q(`CREATE POLICY partner_scope ON "appointments" AS RESTRICTIVE
      USING (${CURRENT_PARTNER_SQL} IS NULL OR "partner_id" = ${CURRENT_PARTNER_SQL} OR (SELECT ${DATA_OPEN_SQL}))
      WITH CHECK (${CURRENT_PARTNER_SQL} IS NULL OR "partner_id" = ${CURRENT_PARTNER_SQL} OR (SELECT ${DATA_OPEN_SQL}))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`DROP POLICY partner_scope ON "appointments"`);
    await q(`CREATE POLICY partner_scope ON "appointments" AS RESTRICTIVE
      USING (${CURRENT_PARTNER_SQL} IS NULL OR "partner_id" = ${CURRENT_PARTNER_SQL})
      WITH CHECK (${CURRENT_PARTNER_SQL} IS NULL OR "partner_id" = ${CURRENT_PARTNER_SQL})`);
    await q(`DROP POLICY partner_feed_sweeper ON "partner_data_access"`);
    await q(`DROP POLICY partner_feed_sweeper ON "appointments"`);
    await q(`REVOKE ALL ON "partner_feed_sweeps" FROM ${APP_ROLE}`);
    await q(`DROP TABLE "partner_feed_sweeps"`);
    await q(`DROP TRIGGER schedules_feed_touch ON "schedules"`);
    await q(`DROP FUNCTION careslot_feed_touch_schedule()`);
    await q(`DROP TRIGGER practitioners_feed_touch ON "practitioners"`);
    await q(`DROP FUNCTION careslot_feed_touch_practitioner()`);
    await q(`DROP FUNCTION careslot_feed_touch_schedule_appointments(uuid, uuid, uuid)`);
    await q(`DROP TRIGGER patients_feed_touch_appointments ON "patients"`);
    await q(`DROP FUNCTION careslot_feed_touch_patient_appointments()`);
    await q(`DROP TRIGGER patients_feed_touch ON "patients"`);
    await q(`DROP TRIGGER appointments_feed_touch ON "appointments"`);
    await q(`DROP FUNCTION careslot_feed_touch()`);
    await q(`DROP INDEX "patients_feed_idx"`);
    await q(`DROP INDEX "appointments_feed_idx"`);
    await q(`ALTER TABLE "patients" DROP COLUMN "feed_xid"`);
    await q(`ALTER TABLE "appointments" DROP COLUMN "feed_xid"`);
    await q(`DROP FUNCTION careslot_xact()`);
    for (const table of ['partner_notifications', 'partner_data_access']) await q(`REVOKE ALL ON "${table}" FROM ${APP_ROLE}`);
    await q(`DROP TABLE "partner_notifications"`);
    await q(`DROP TABLE "partner_data_access"`);
    await q(`DROP FUNCTION careslot_now()`);
    await q(`REVOKE ALL ON "careslot_clock" FROM ${APP_ROLE}`);
    await q(`DROP TABLE "careslot_clock"`);
  }
}

// This migration's own copy of the scope SQL: frozen with it, never shared (migrations/index.ts).
const APP_ROLE = 'careslot_app';
const CURRENT_TENANT_SQL = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;
const CURRENT_PARTNER_SQL = `NULLIF(current_setting('app.partner_id', true), '')::uuid`;
/** The current partner's data access is open and has begun (evaluated once per statement: no row is referred to). */
const DATA_OPEN_SQL = `EXISTS (SELECT 1 FROM partner_data_access g
  WHERE g.tenant_id = ${CURRENT_TENANT_SQL} AND g.partner_id = ${CURRENT_PARTNER_SQL}
    AND g.closed_at IS NULL AND g.opened_at + interval '24 hours' <= careslot_now())`;
