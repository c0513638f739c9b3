import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External schedules (seed 004): a centre connected to another booking system (FHIR R4, SMART
 * Scheduling Links) gets one schedule standing for that system's agenda, named by its reference
 * there. Its availability is asked of the system; a booking made there is recorded here with the
 * system's appointment reference, after the system confirmed it.
 */
export class ExternalSchedules1797250000000 implements MigrationInterface {
  name = 'ExternalSchedules1797250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`ALTER TABLE "schedules" ADD "external_schedule_ref" text`);
    await q(`ALTER TABLE "schedules" ADD CONSTRAINT "schedules_one_remote_kind_check" CHECK ("link_id" IS NULL OR "external_schedule_ref" IS NULL)`);
    await q(`CREATE UNIQUE INDEX "schedules_one_external_per_centre" ON "schedules" ("tenant_id", "centre_id") WHERE "external_schedule_ref" IS NOT NULL`);
    await q(`ALTER TABLE "appointments" ADD "external_appointment_ref" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(`ALTER TABLE "appointments" DROP "external_appointment_ref"`);
    await q(`DROP INDEX "schedules_one_external_per_centre"`);
    await q(`ALTER TABLE "schedules" DROP CONSTRAINT "schedules_one_remote_kind_check"`);
    await q(`ALTER TABLE "schedules" DROP "external_schedule_ref"`);
  }
}
