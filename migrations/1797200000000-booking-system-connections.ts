import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Booking-system connections (seed 004): per centre (location), the booking system that really
 * holds its agenda and the fields that system needs. Secrets are sealed (only their last four
 * characters are kept readable); a careslot connection is a share link, named by `link_id`.
 */
export class BookingSystemConnections1797200000000 implements MigrationInterface {
  name = 'BookingSystemConnections1797200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE TABLE "booking_system_connections" (
        "tenant_id" uuid NOT NULL, "centre_id" uuid NOT NULL, "system" text NOT NULL,
        "external_id" text, "external_department_id" text, "booking_url" text,
        "api_key_ciphertext" bytea, "api_key_last4" text, "link_id" uuid, "remote_name" text,
        "status" text NOT NULL DEFAULT 'OK', "last_contact_at" TIMESTAMP WITH TIME ZONE, "last_problem" text,
        "saved_by" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "booking_system_connections_pkey" PRIMARY KEY ("tenant_id", "centre_id"),
        CONSTRAINT "booking_system_connections_system_check" CHECK ("system" IN ('CARESLOT', 'FHIR_R4', 'SMART_SCHEDULING_LINKS')),
        CONSTRAINT "booking_system_connections_status_check" CHECK ("status" IN ('OK', 'UNREACHABLE', 'REJECTED')),
        CONSTRAINT "booking_system_connections_link_check" CHECK (("system" = 'CARESLOT') = ("link_id" IS NOT NULL)),
        CONSTRAINT "booking_system_connections_centre_fkey" FOREIGN KEY ("tenant_id", "centre_id") REFERENCES "centres"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "booking_system_connections_link_fkey" FOREIGN KEY ("tenant_id", "link_id") REFERENCES "share_links"("tenant_id", "id")
      )`);
    await q(`ALTER TABLE "booking_system_connections" ENABLE ROW LEVEL SECURITY`);
    await q(`ALTER TABLE "booking_system_connections" FORCE ROW LEVEL SECURITY`);
    await q(`CREATE POLICY tenant_isolation ON "booking_system_connections" USING ("tenant_id" = ${CURRENT_TENANT_SQL}) WITH CHECK ("tenant_id" = ${CURRENT_TENANT_SQL})`);
    await q(`GRANT SELECT, INSERT, UPDATE, DELETE ON "booking_system_connections" TO ${APP_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`REVOKE ALL ON "booking_system_connections" FROM ${APP_ROLE}`);
    await queryRunner.query(`DROP TABLE "booking_system_connections"`);
  }
}

// This migration's own copy of the tenant-isolation SQL: frozen with it, never shared (migrations/index.ts).
const APP_ROLE = 'careslot_app';
const CURRENT_TENANT_SQL = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;
