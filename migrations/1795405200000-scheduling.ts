import type { MigrationInterface, QueryRunner } from 'typeorm';

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

/**
 * SQL functions shared by availability and booking, so "open", "closed" and "on the grid"
 * mean exactly the same thing when slots are shown and when one is booked. They run as the
 * caller (SECURITY INVOKER): row-level security applies inside them too.
 */
const SCHEDULING_FUNCTIONS_UP = [
  // Instants leave the database as ISO-8601 UTC text, so hot read paths build no Date objects.
  `CREATE FUNCTION careslot_utc(t timestamptz) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
   RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,

  // A local [start, end) as real time. A start in the spring-forward gap moves forward by the gap
  // and may pass an end that did not move: such a range is empty, never an error.
  `CREATE FUNCTION careslot_local_range(p_start timestamp, p_end timestamp, p_tz text) RETURNS tstzrange
   LANGUAGE sql STABLE PARALLEL SAFE
   RETURN tstzrange(p_start AT TIME ZONE p_tz, greatest(p_start AT TIME ZONE p_tz, p_end AT TIME ZONE p_tz))`,

  // Opening blocks around a window: weekly hours expanded per LOCAL day (so DST days get their real
  // length), plus extra hours. A slot grid is anchored at each block's start.
  `CREATE FUNCTION careslot_schedule_blocks(p_tenant uuid, p_schedule uuid, p_tz text, p_from timestamptz, p_to timestamptz)
   RETURNS TABLE (block tstzrange) LANGUAGE sql STABLE AS $$
     -- d.day is a DATE: date + time is a local timestamp, which AT TIME ZONE turns into the right instant.
     SELECT careslot_local_range((d.day + oh.start_time), (d.day + oh.end_time), p_tz)
     FROM generate_series(0, (p_to AT TIME ZONE p_tz)::date - (p_from AT TIME ZONE p_tz)::date + 2) AS i
     CROSS JOIN LATERAL (SELECT (p_from AT TIME ZONE p_tz)::date - 1 + i AS day) AS d
     JOIN opening_hours oh ON oh.tenant_id = p_tenant AND oh.schedule_id = p_schedule
      AND oh.weekday = extract(isodow FROM d.day)
      AND d.day >= oh.valid_from AND (oh.valid_until IS NULL OR d.day <= oh.valid_until)
     UNION ALL
     SELECT careslot_local_range(e.starts_local, e.ends_local, p_tz)
     FROM schedule_exceptions e
     WHERE e.tenant_id = p_tenant AND e.schedule_id = p_schedule AND e.kind = 'EXTRA_HOURS'
       AND e.starts_local < (p_to AT TIME ZONE p_tz) + interval '1 day' AND e.ends_local > (p_from AT TIME ZONE p_tz) - interval '1 day'
   $$`,

  `CREATE FUNCTION careslot_schedule_closed(p_tenant uuid, p_schedule uuid, p_tz text, p_from timestamptz, p_to timestamptz)
   RETURNS tstzmultirange LANGUAGE sql STABLE AS $$
     SELECT coalesce(range_agg(careslot_local_range(e.starts_local, e.ends_local, p_tz)), '{}'::tstzmultirange)
     FROM schedule_exceptions e
     WHERE e.tenant_id = p_tenant AND e.schedule_id = p_schedule AND e.kind = 'CLOSED'
       AND e.starts_local < (p_to AT TIME ZONE p_tz) + interval '1 day' AND e.ends_local > (p_from AT TIME ZONE p_tz) - interval '1 day'
   $$`,

  // Why an appointment [start, start + duration) cannot sit in a schedule, or NULL when it can:
  // OFF_GRID (start not on a slot of an opening block) or OUTSIDE_HOURS (runs into closed time).
  `CREATE FUNCTION careslot_slot_problem(p_tenant uuid, p_schedule uuid, p_tz text, p_slot_minutes int, p_start timestamptz, p_minutes int)
   RETURNS text LANGUAGE sql STABLE AS $$
     WITH blocks AS (
       SELECT block FROM careslot_schedule_blocks(p_tenant, p_schedule, p_tz, p_start - interval '1 day', p_start + interval '1 day')
     ), open AS (
       SELECT coalesce(range_agg(block), '{}'::tstzmultirange)
              - careslot_schedule_closed(p_tenant, p_schedule, p_tz, p_start - interval '1 day', p_start + interval '1 day') AS open
       FROM blocks
     )
     SELECT CASE
       WHEN NOT EXISTS (SELECT 1 FROM blocks WHERE p_start >= lower(block) AND p_start < upper(block)) THEN 'OUTSIDE_HOURS'
       WHEN NOT EXISTS (SELECT 1 FROM blocks WHERE p_start >= lower(block) AND p_start < upper(block)
                          AND (extract(epoch FROM p_start - lower(block))::bigint % (p_slot_minutes * 60)) = 0) THEN 'OFF_GRID'
       WHEN NOT (tstzrange(p_start, p_start + make_interval(mins => p_minutes)) <@ (SELECT open FROM open)) THEN 'OUTSIDE_HOURS'
     END
   $$`,
];

const SCHEDULING_FUNCTIONS_DOWN = [
  'DROP FUNCTION careslot_slot_problem(uuid, uuid, text, int, timestamptz, int)',
  'DROP FUNCTION careslot_schedule_closed(uuid, uuid, text, timestamptz, timestamptz)',
  'DROP FUNCTION careslot_schedule_blocks(uuid, uuid, text, timestamptz, timestamptz)',
  'DROP FUNCTION careslot_local_range(timestamp, timestamp, text)',
  'DROP FUNCTION careslot_utc(timestamptz)',
];
