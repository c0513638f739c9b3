import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partner booking (seed 001): partners of a tenant, their traffic channels (partner × centre ×
 * service, present = activated), partner users and partner-app tokens bound to one partner, and
 * the partner recorded on the appointments booked for it. The statistics index covers a tenant's
 * period read without touching the table.
 */
export class Partners1796800000000 implements MigrationInterface {
  name = 'Partners1796800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE TABLE "partners" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "kind" text NOT NULL,
        "contact_name" text, "contact_email" text, "contact_phone" text, "active" boolean NOT NULL DEFAULT true,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "partners_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "partners_tenant_name_key" UNIQUE ("tenant_id", "name"),
        CONSTRAINT "partners_kind_check" CHECK ("kind" IN ('INSURER', 'BOOKING_PORTAL', 'NOTIFICATION_SERVICE', 'OTHER')),
        CONSTRAINT "partners_tenant_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "traffic_channels" (
        "tenant_id" uuid NOT NULL, "partner_id" uuid NOT NULL, "centre_id" uuid NOT NULL, "service_id" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "traffic_channels_pkey" PRIMARY KEY ("tenant_id", "partner_id", "centre_id", "service_id"),
        CONSTRAINT "traffic_channels_partner_fkey" FOREIGN KEY ("tenant_id", "partner_id") REFERENCES "partners"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "traffic_channels_centre_fkey" FOREIGN KEY ("tenant_id", "centre_id") REFERENCES "centres"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "traffic_channels_service_fkey" FOREIGN KEY ("tenant_id", "service_id") REFERENCES "services"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`CREATE INDEX "traffic_channels_centre_idx" ON "traffic_channels" ("tenant_id", "centre_id", "service_id")`);

    await q(`ALTER TABLE "users" ADD "partner_id" uuid,
      ADD CONSTRAINT "users_partner_fkey" FOREIGN KEY ("tenant_id", "partner_id") REFERENCES "partners"("tenant_id", "id") ON DELETE CASCADE`);
    await q(`ALTER TABLE "api_tokens" ADD "partner_id" uuid,
      ADD CONSTRAINT "api_tokens_partner_fkey" FOREIGN KEY ("tenant_id", "partner_id") REFERENCES "partners"("tenant_id", "id") ON DELETE CASCADE,
      ADD CONSTRAINT "api_tokens_owner_check" CHECK (("principal_kind" = 'STAFF_USER' AND "user_id" IS NOT NULL AND "partner_id" IS NULL) OR ("principal_kind" = 'PARTNER_APP' AND "partner_id" IS NOT NULL AND "user_id" IS NULL))`);
    await q(`ALTER TABLE "appointments" ADD "partner_id" uuid,
      ADD CONSTRAINT "appointments_partner_fkey" FOREIGN KEY ("tenant_id", "partner_id") REFERENCES "partners"("tenant_id", "id"),
      ADD CONSTRAINT "appointments_partner_origin_check" CHECK (("origin" IN ('PARTNER_BOOKING', 'PARTNER_APP')) = ("partner_id" IS NOT NULL))`);
    await q(`CREATE INDEX "appointments_partner_time_idx" ON "appointments" ("tenant_id", "partner_id", "starts_at") WHERE partner_id IS NOT NULL`);
    await q(`CREATE INDEX "appointments_statistics_idx" ON "appointments" ("tenant_id", "starts_at") INCLUDE ("schedule_id", "service_id", "status", "origin", "partner_id")`);

    for (const table of ['partners', 'traffic_channels']) {
      await q(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
      await q(`CREATE POLICY tenant_isolation ON "${table}" USING ("tenant_id" = ${CURRENT_TENANT_SQL}) WITH CHECK ("tenant_id" = ${CURRENT_TENANT_SQL})`);
      await q(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO ${APP_ROLE}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`DROP INDEX "appointments_statistics_idx"`);
    await q(`DROP INDEX "appointments_partner_time_idx"`);
    await q(`ALTER TABLE "appointments" DROP CONSTRAINT "appointments_partner_origin_check", DROP CONSTRAINT "appointments_partner_fkey", DROP COLUMN "partner_id"`);
    await q(`ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_owner_check", DROP CONSTRAINT "api_tokens_partner_fkey", DROP COLUMN "partner_id"`);
    await q(`ALTER TABLE "users" DROP CONSTRAINT "users_partner_fkey", DROP COLUMN "partner_id"`);
    for (const table of ['traffic_channels', 'partners']) await q(`REVOKE ALL ON "${table}" FROM ${APP_ROLE}`);
    await q(`DROP TABLE "traffic_channels"`);
    await q(`DROP TABLE "partners"`);
  }
}

// This migration's own copy of the tenant-isolation SQL: frozen with it, never shared (migrations/index.ts).
const APP_ROLE = 'careslot_app';
const CURRENT_TENANT_SQL = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;
