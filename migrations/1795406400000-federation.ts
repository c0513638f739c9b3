import type { MigrationInterface, QueryRunner } from 'typeorm';

const NEW_TABLES = ['schedule_shares', 'schedule_share_schedules', 'share_links', 'attempt_counters'];

/**
 * Schedule sharing between tenants: shares on the sharing side, links and mirrored
 * schedules/services on the client side, twin references on appointments, and the attempt
 * counters that block a user after repeated failed connection tests.
 */
export class Federation1795406400000 implements MigrationInterface {
  name = 'Federation1795406400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE TABLE "schedule_shares" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "centre_id" uuid NOT NULL,
        "label" text NOT NULL, "secret_hash" bytea NOT NULL,
        "allowed_service_ids" uuid array NOT NULL DEFAULT '{}', "earliest_days_ahead" integer NOT NULL DEFAULT '0',
        "latest_days_ahead" integer NOT NULL DEFAULT '90', "weekly_windows" jsonb NOT NULL DEFAULT '[]', "daily_quota" integer,
        "revoked_at" TIMESTAMP WITH TIME ZONE, "token_rotated_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "schedule_shares_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "schedule_shares_centre_fkey" FOREIGN KEY ("tenant_id", "centre_id") REFERENCES "centres"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "schedule_share_schedules" (
        "tenant_id" uuid NOT NULL, "share_id" uuid NOT NULL, "schedule_id" uuid NOT NULL,
        CONSTRAINT "schedule_share_schedules_pkey" PRIMARY KEY ("tenant_id", "share_id", "schedule_id"),
        CONSTRAINT "schedule_share_schedules_share_fkey" FOREIGN KEY ("tenant_id", "share_id") REFERENCES "schedule_shares"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "schedule_share_schedules_schedule_fkey" FOREIGN KEY ("tenant_id", "schedule_id") REFERENCES "schedules"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "share_links" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "centre_id" uuid NOT NULL,
        "remote_url" text NOT NULL, "remote_centre_id" uuid NOT NULL, "remote_centre_name" text NOT NULL, "remote_share_id" uuid NOT NULL,
        "token_ciphertext" bytea NOT NULL, "label" text NOT NULL, "removed_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "share_links_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "share_links_centre_fkey" FOREIGN KEY ("tenant_id", "centre_id") REFERENCES "centres"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "attempt_counters" (
        "tenant_id" uuid NOT NULL, "subject" text NOT NULL, "scope" text NOT NULL,
        "attempts" integer NOT NULL DEFAULT '0', "failures" integer NOT NULL DEFAULT '0',
        "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "blocked_until" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "attempt_counters_pkey" PRIMARY KEY ("tenant_id", "subject", "scope")
      )`);
    await q(`ALTER TABLE "services" ADD "link_id" uuid, ADD "remote_service_id" uuid`);
    await q(`ALTER TABLE "schedules" ADD "link_id" uuid, ADD "remote_schedule_id" uuid`);
    await q(`ALTER TABLE "appointments" ADD "share_id" uuid, ADD "client_reference" text, ADD "client_centre_name" text, ADD "remote_appointment_id" uuid`);
    await q(`CREATE UNIQUE INDEX "appointments_share_reference_key" ON "appointments" ("tenant_id", "share_id", "client_reference") WHERE share_id IS NOT NULL`);
    for (const table of NEW_TABLES) await protectTenantTable(queryRunner, table);
    // Each server keeps live subscriptions to the sharing servers of every link, so at start it must
    // find all links: a transaction that declares the registry scope may read share_links of every
    // tenant (the token stays encrypted; the registry reads only ids). Writes remain tenant-bound.
    await q(`CREATE POLICY link_registry ON "share_links" FOR SELECT USING (current_setting('app.scope', true) = 'link-registry')`);
    // The job queue's tables (graphile-worker's own schema, installed before our migrations) admit
    // only their owner. The app role enqueues through this one function, inside its own transaction,
    // so a job exists exactly when the change that caused it does. plpgsql: checked when called.
    await q(`
      CREATE FUNCTION careslot_enqueue_job(p_task text, p_payload json, p_job_key text, p_run_at timestamptz DEFAULT NULL) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      BEGIN
        PERFORM graphile_worker.add_job(p_task, p_payload, job_key => p_job_key, run_at => p_run_at);
      END $$`);
    await q(`REVOKE ALL ON FUNCTION careslot_enqueue_job(text, json, text, timestamptz) FROM PUBLIC`);
    await q(`GRANT EXECUTE ON FUNCTION careslot_enqueue_job(text, json, text, timestamptz) TO ${APP_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`DROP FUNCTION careslot_enqueue_job(text, json, text, timestamptz)`);
    await q(`DROP POLICY link_registry ON "share_links"`);
    for (const table of [...NEW_TABLES].reverse()) {
      await unprotectTenantTable(queryRunner, table);
      await q(`DROP TABLE "${table}"`);
    }
    await q(`DROP INDEX "appointments_share_reference_key"`);
    await q(`ALTER TABLE "appointments" DROP "remote_appointment_id", DROP "client_centre_name", DROP "client_reference", DROP "share_id"`);
    await q(`ALTER TABLE "schedules" DROP "remote_schedule_id", DROP "link_id"`);
    await q(`ALTER TABLE "services" DROP "remote_service_id", DROP "link_id"`);
  }
}

// This migration's own copy of the tenant-isolation SQL: frozen with it, never shared (migrations/index.ts).

/** The role the application connects as: no ownership, no BYPASSRLS, so row-level security always applies. */
const APP_ROLE = 'careslot_app';

/** The tenant of the current transaction, or NULL (which matches no row) when none was set. */
const CURRENT_TENANT_SQL = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;

/**
 * Tenant isolation for one table: RLS enabled and forced (the owner is bound too),
 * one policy for every command, and the app role's grants.
 */
async function protectTenantTable(queryRunner: QueryRunner, table: string, tenantColumn = 'tenant_id'): Promise<void> {
  await queryRunner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(
    `CREATE POLICY tenant_isolation ON "${table}" USING ("${tenantColumn}" = ${CURRENT_TENANT_SQL}) WITH CHECK ("${tenantColumn}" = ${CURRENT_TENANT_SQL})`,
  );
  await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO ${APP_ROLE}`);
}

async function unprotectTenantTable(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`REVOKE ALL ON "${table}" FROM ${APP_ROLE}`);
  await queryRunner.query(`DROP POLICY IF EXISTS tenant_isolation ON "${table}"`);
  await queryRunner.query(`ALTER TABLE "${table}" NO FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE "${table}" DISABLE ROW LEVEL SECURITY`);
}
