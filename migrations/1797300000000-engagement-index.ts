import type { MigrationInterface, QueryRunner } from 'typeorm';

const NEW_TABLES = ['engagement_index_settings', 'engagement_index_centres', 'engagement_index_outbox', 'engagement_index_posts', 'engagement_index_failures'];

/**
 * The national engagement index (seed 003): per tenant its configuration and the centres that take
 * part; a transactional outbox of appointments to reconcile with the index, fed by triggers in the
 * same transaction as every change (any door writes `appointment_changes`; a patient's personal
 * number and a centre's HSA-id are key fields too); what the index holds according to the last
 * accepted Update (`engagement_index_posts`); and the dead letters (answers with ResultCode ERROR).
 * The dispatcher reads settings and outbox across tenants under the `engagement-index` scope.
 */
export class EngagementIndex1797300000000 implements MigrationInterface {
  name = 'EngagementIndex1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE TABLE "engagement_index_settings" (
        "tenant_id" uuid NOT NULL, "enabled" boolean NOT NULL DEFAULT false,
        "source_system" text, "data_controller" text, "endpoint_url" text, "endpoint_hsa_id" text,
        "client_certificate" text, "client_key_ciphertext" bytea, "trusted_ca" text,
        "contract_version" text NOT NULL DEFAULT '1.1',
        "retry_at" TIMESTAMP WITH TIME ZONE, "failed_attempts" integer NOT NULL DEFAULT '0', "last_error" text, "last_error_at" TIMESTAMP WITH TIME ZONE,
        "delivered_requests" bigint NOT NULL DEFAULT '0', "delivered_transactions" bigint NOT NULL DEFAULT '0', "last_delivered_at" TIMESTAMP WITH TIME ZONE,
        "updated_by" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "engagement_index_settings_pkey" PRIMARY KEY ("tenant_id"),
        CONSTRAINT "engagement_index_settings_version_check" CHECK ("contract_version" IN ('1.1', '2.0')),
        CONSTRAINT "engagement_index_settings_tenant_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "engagement_index_centres" (
        "tenant_id" uuid NOT NULL, "centre_id" uuid NOT NULL,
        CONSTRAINT "engagement_index_centres_pkey" PRIMARY KEY ("tenant_id", "centre_id"),
        CONSTRAINT "engagement_index_centres_centre_fkey" FOREIGN KEY ("tenant_id", "centre_id") REFERENCES "centres"("tenant_id", "id") ON DELETE CASCADE
      )`);
    // Markers only (no foreign key): an appointment that is gone is reconciled to "no post" like any other.
    await q(`
      CREATE TABLE "engagement_index_outbox" (
        "tenant_id" uuid NOT NULL, "id" BIGSERIAL NOT NULL, "appointment_id" uuid NOT NULL,
        "resend" boolean NOT NULL DEFAULT false, "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "engagement_index_outbox_pkey" PRIMARY KEY ("tenant_id", "id")
      )`);
    await q(`CREATE INDEX "engagement_index_outbox_appointment_idx" ON "engagement_index_outbox" ("tenant_id", "appointment_id")`);
    await q(`
      CREATE TABLE "engagement_index_posts" (
        "tenant_id" uuid NOT NULL, "appointment_id" uuid NOT NULL,
        "resident" text NOT NULL, "service_domain" text NOT NULL, "logical_address" text NOT NULL,
        "source_system" text NOT NULL, "data_controller" text NOT NULL, "most_recent_content" text NOT NULL,
        "delivered_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "engagement_index_posts_pkey" PRIMARY KEY ("tenant_id", "appointment_id")
      )`);
    await q(`CREATE INDEX "engagement_index_posts_address_idx" ON "engagement_index_posts" ("tenant_id", "logical_address")`);
    await q(`
      CREATE TABLE "engagement_index_failures" (
        "tenant_id" uuid NOT NULL, "appointment_id" uuid NOT NULL, "reason" text NOT NULL,
        "failed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "engagement_index_failures_pkey" PRIMARY KEY ("tenant_id", "appointment_id")
      )`);
    for (const table of NEW_TABLES) {
      await q(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
      await q(`CREATE POLICY tenant_isolation ON "${table}" USING ("tenant_id" = ${CURRENT_TENANT_SQL}) WITH CHECK ("tenant_id" = ${CURRENT_TENANT_SQL})`);
      await q(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO ${APP_ROLE}`);
    }
    await q(`GRANT USAGE ON SEQUENCE "engagement_index_outbox_id_seq" TO ${APP_ROLE}`);
    // The dispatcher finds the tenants that take part and those with work waiting, across tenants (ids only).
    for (const table of ['engagement_index_settings', 'engagement_index_outbox']) {
      await q(`CREATE POLICY engagement_index_dispatch ON "${table}" FOR SELECT USING (${DISPATCH_SCOPE_SQL})`);
    }

    // One place feeds the outbox from every door: each change of an appointment writes appointment_changes.
    // One statement-level trigger per statement (a booking is one statement), only while the tenant's EI is enabled.
    await q(`CREATE FUNCTION careslot_ei_mark_changes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO engagement_index_outbox (tenant_id, appointment_id)
        SELECT DISTINCT n.tenant_id, n.appointment_id FROM ei_changes n
        WHERE n.to_status <> 'HELD'
          AND EXISTS (SELECT 1 FROM engagement_index_settings s WHERE s.tenant_id = n.tenant_id AND s.enabled);
        RETURN NULL;
      END $$`);
    await q(`CREATE TRIGGER appointment_changes_engagement_index AFTER INSERT ON "appointment_changes"
      REFERENCING NEW TABLE AS ei_changes FOR EACH STATEMENT EXECUTE FUNCTION careslot_ei_mark_changes()`);
    // A patient's personal number is a key field: the patient's future (and still posted) appointments.
    await q(`CREATE FUNCTION careslot_ei_mark_patient() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM engagement_index_settings s WHERE s.tenant_id = NEW.tenant_id AND s.enabled) THEN
          INSERT INTO engagement_index_outbox (tenant_id, appointment_id)
          SELECT a.tenant_id, a.id FROM appointments a
          WHERE a.tenant_id = NEW.tenant_id AND a.patient_id = NEW.id AND a.status <> 'HELD'
            AND (a.starts_at > careslot_now()
              OR EXISTS (SELECT 1 FROM engagement_index_posts p WHERE p.tenant_id = a.tenant_id AND p.appointment_id = a.id));
        END IF;
        RETURN NULL;
      END $$`);
    await q(`CREATE TRIGGER patients_engagement_index AFTER UPDATE ON "patients" FOR EACH ROW
      WHEN (OLD.personal_identity_number IS DISTINCT FROM NEW.personal_identity_number) EXECUTE FUNCTION careslot_ei_mark_patient()`);
    // A centre's HSA-id is the logical address, a key field: the centre's future (and still posted) appointments.
    await q(`CREATE FUNCTION careslot_ei_mark_centre() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM engagement_index_settings s WHERE s.tenant_id = NEW.tenant_id AND s.enabled) THEN
          INSERT INTO engagement_index_outbox (tenant_id, appointment_id)
          SELECT a.tenant_id, a.id FROM appointments a JOIN schedules sc ON sc.tenant_id = a.tenant_id AND sc.id = a.schedule_id
          WHERE sc.tenant_id = NEW.tenant_id AND sc.centre_id = NEW.id AND a.status <> 'HELD' AND a.starts_at > careslot_now()
          UNION
          SELECT p.tenant_id, p.appointment_id FROM engagement_index_posts p
          WHERE p.tenant_id = NEW.tenant_id AND p.logical_address = OLD.hsa_id;
        END IF;
        RETURN NULL;
      END $$`);
    await q(`CREATE TRIGGER centres_engagement_index AFTER UPDATE ON "centres" FOR EACH ROW
      WHEN (OLD.hsa_id IS DISTINCT FROM NEW.hsa_id) EXECUTE FUNCTION careslot_ei_mark_centre()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`DROP TRIGGER centres_engagement_index ON "centres"`);
    await q(`DROP FUNCTION careslot_ei_mark_centre()`);
    await q(`DROP TRIGGER patients_engagement_index ON "patients"`);
    await q(`DROP FUNCTION careslot_ei_mark_patient()`);
    await q(`DROP TRIGGER appointment_changes_engagement_index ON "appointment_changes"`);
    await q(`DROP FUNCTION careslot_ei_mark_changes()`);
    await q(`REVOKE ALL ON SEQUENCE "engagement_index_outbox_id_seq" FROM ${APP_ROLE}`);
    for (const table of [...NEW_TABLES].reverse()) {
      await q(`REVOKE ALL ON "${table}" FROM ${APP_ROLE}`);
      await q(`DROP TABLE "${table}"`);
    }
  }
}

// This migration's own copy of the scope SQL: frozen with it, never shared (migrations/index.ts).
const APP_ROLE = 'careslot_app';
const CURRENT_TENANT_SQL = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;
const DISPATCH_SCOPE_SQL = `current_setting('app.scope', true) = 'engagement-index'`;
