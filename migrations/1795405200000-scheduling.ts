import type { MigrationInterface, QueryRunner } from 'typeorm';
import { protectTenantTable, unprotectTenantTable } from './support/rls';
import { SCHEDULING_FUNCTIONS_DOWN, SCHEDULING_FUNCTIONS_UP } from './support/scheduling-functions';

const TENANT_TABLES = [
  'centres', 'practitioners', 'services', 'schedules', 'schedule_services', 'opening_hours', 'schedule_exceptions',
  'patients', 'appointments', 'appointment_changes',
];

/** Centres, practitioners, services, schedules with opening hours and exceptions, patients, appointments and their history. */
export class Scheduling1795405200000 implements MigrationInterface {
  name = 'Scheduling1795405200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`
      CREATE TABLE "centres" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL, "time_zone" text NOT NULL, "hsa_id" text, "address" jsonb,
        "offline" boolean NOT NULL DEFAULT false,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "centres_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "centres_tenant_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "practitioners" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL, "qualifications" text array NOT NULL DEFAULT '{}', "data_sharing_banned" boolean NOT NULL DEFAULT false,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "practitioners_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "practitioners_tenant_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "services" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "code" text NOT NULL, "name" text NOT NULL, "duration_minutes" integer NOT NULL, "required_qualification" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "services_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "services_tenant_code_key" UNIQUE ("tenant_id", "code"),
        CONSTRAINT "services_duration_check" CHECK ("duration_minutes" BETWEEN 5 AND 720),
        CONSTRAINT "services_tenant_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "schedules" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "centre_id" uuid NOT NULL, "practitioner_id" uuid, "name" text NOT NULL, "slot_minutes" integer NOT NULL,
        "active" boolean NOT NULL DEFAULT true,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "schedules_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "schedules_slot_minutes_check" CHECK ("slot_minutes" BETWEEN 5 AND 480),
        CONSTRAINT "schedules_centre_fkey" FOREIGN KEY ("tenant_id", "centre_id") REFERENCES "centres"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "schedules_practitioner_fkey" FOREIGN KEY ("tenant_id", "practitioner_id") REFERENCES "practitioners"("tenant_id", "id") ON DELETE RESTRICT
      )`);
    await q(`
      CREATE TABLE "schedule_services" (
        "tenant_id" uuid NOT NULL, "schedule_id" uuid NOT NULL, "service_id" uuid NOT NULL,
        CONSTRAINT "schedule_services_pkey" PRIMARY KEY ("tenant_id", "schedule_id", "service_id"),
        CONSTRAINT "schedule_services_schedule_fkey" FOREIGN KEY ("tenant_id", "schedule_id") REFERENCES "schedules"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "schedule_services_service_fkey" FOREIGN KEY ("tenant_id", "service_id") REFERENCES "services"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`
      CREATE TABLE "opening_hours" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "schedule_id" uuid NOT NULL,
        "weekday" smallint NOT NULL, "start_time" TIME NOT NULL, "end_time" TIME NOT NULL,
        "valid_from" date NOT NULL, "valid_until" date,
        CONSTRAINT "opening_hours_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "opening_hours_weekday_check" CHECK ("weekday" BETWEEN 1 AND 7),
        CONSTRAINT "opening_hours_time_order_check" CHECK ("end_time" > "start_time"),
        CONSTRAINT "opening_hours_schedule_fkey" FOREIGN KEY ("tenant_id", "schedule_id") REFERENCES "schedules"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`CREATE INDEX "opening_hours_schedule_idx" ON "opening_hours" ("tenant_id", "schedule_id")`);
    await q(`
      CREATE TABLE "schedule_exceptions" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "schedule_id" uuid NOT NULL,
        "kind" text NOT NULL, "starts_local" TIMESTAMP NOT NULL, "ends_local" TIMESTAMP NOT NULL, "reason" text,
        CONSTRAINT "schedule_exceptions_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "schedule_exceptions_kind_check" CHECK ("kind" IN ('CLOSED', 'EXTRA_HOURS')),
        CONSTRAINT "schedule_exceptions_order_check" CHECK ("ends_local" > "starts_local"),
        CONSTRAINT "schedule_exceptions_schedule_fkey" FOREIGN KEY ("tenant_id", "schedule_id") REFERENCES "schedules"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`CREATE INDEX "schedule_exceptions_schedule_idx" ON "schedule_exceptions" ("tenant_id", "schedule_id")`);
    await q(`
      CREATE TABLE "patients" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "family_name" text NOT NULL, "given_name" text NOT NULL, "patronymic" text, "phone" text, "personal_identity_number" text,
        "data_processing_refused" boolean NOT NULL DEFAULT false, "all_notifications_refused" boolean NOT NULL DEFAULT false,
        "advertising_refused" boolean NOT NULL DEFAULT false,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "patients_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "patients_tenant_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q(`CREATE UNIQUE INDEX "patients_identity_number_key" ON "patients" ("tenant_id", "personal_identity_number") WHERE personal_identity_number IS NOT NULL`);
    await q(`CREATE INDEX "patients_name_search_idx" ON "patients" ("tenant_id", lower(family_name || ' ' || given_name) text_pattern_ops)`);
    await q(`
      CREATE TABLE "appointments" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "schedule_id" uuid NOT NULL, "service_id" uuid NOT NULL, "patient_id" uuid,
        "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "status" text NOT NULL DEFAULT 'BOOKED', "origin" text NOT NULL DEFAULT 'LOCAL', "anonymous" boolean NOT NULL DEFAULT false,
        "note" text, "cancellation_code" text, "cancellation_text" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "appointments_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "appointments_status_check" CHECK ("status" IN ('BOOKED', 'CONFIRMED', 'ARRIVED', 'FULFILLED', 'CANCELLED', 'NO_SHOW')),
        CONSTRAINT "appointments_origin_check" CHECK ("origin" IN ('LOCAL', 'SHARED_CLIENT', 'PARTNER_BOOKING', 'PARTNER_APP')),
        CONSTRAINT "appointments_time_order_check" CHECK ("ends_at" > "starts_at"),
        CONSTRAINT "appointments_no_overlap" EXCLUDE USING gist ("tenant_id" WITH =, "schedule_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&) WHERE ("status" <> 'CANCELLED'),
        CONSTRAINT "appointments_schedule_fkey" FOREIGN KEY ("tenant_id", "schedule_id") REFERENCES "schedules"("tenant_id", "id") ON DELETE RESTRICT,
        CONSTRAINT "appointments_service_fkey" FOREIGN KEY ("tenant_id", "service_id") REFERENCES "services"("tenant_id", "id") ON DELETE RESTRICT,
        CONSTRAINT "appointments_patient_fkey" FOREIGN KEY ("tenant_id", "patient_id") REFERENCES "patients"("tenant_id", "id") ON DELETE RESTRICT
      )`);
    await q(`CREATE INDEX "appointments_schedule_time_idx" ON "appointments" ("tenant_id", "schedule_id", "starts_at")`);
    await q(`CREATE INDEX "appointments_patient_idx" ON "appointments" ("tenant_id", "patient_id")`);
    await q(`
      CREATE TABLE "appointment_changes" (
        "tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "appointment_id" uuid NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "action" text NOT NULL,
        "actor_kind" text NOT NULL, "actor_id" text, "from_status" text, "to_status" text NOT NULL,
        "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "idempotency_key" text, "request_hash" bytea,
        CONSTRAINT "appointment_changes_pkey" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "appointment_changes_appointment_fkey" FOREIGN KEY ("tenant_id", "appointment_id") REFERENCES "appointments"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q(`CREATE UNIQUE INDEX "appointment_changes_idempotency_key" ON "appointment_changes" ("tenant_id", "idempotency_key") WHERE idempotency_key IS NOT NULL`);
    await q(`CREATE INDEX "appointment_changes_appointment_idx" ON "appointment_changes" ("tenant_id", "appointment_id", "occurred_at")`);
    for (const table of TENANT_TABLES) await protectTenantTable(queryRunner, table);
    for (const statement of SCHEDULING_FUNCTIONS_UP) await q(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of SCHEDULING_FUNCTIONS_DOWN) await queryRunner.query(statement);
    for (const table of [...TENANT_TABLES].reverse()) {
      await unprotectTenantTable(queryRunner, table);
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
