import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The health of a client centre's link to its sharing server, kept from real traffic (the live
 * watch, availability, bookings): OK, UNREACHABLE, REJECTED (the token is not accepted) or REVOKED.
 */
export class LinkHealth1796700000000 implements MigrationInterface {
  name = 'LinkHealth1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "share_links"
      ADD "status" text NOT NULL DEFAULT 'OK',
      ADD "last_contact_at" TIMESTAMP WITH TIME ZONE,
      ADD "last_problem" text,
      ADD "status_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      ADD CONSTRAINT "share_links_status_check" CHECK ("status" IN ('OK', 'UNREACHABLE', 'REJECTED', 'REVOKED'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "share_links" DROP CONSTRAINT "share_links_status_check",
      DROP COLUMN "status", DROP COLUMN "last_contact_at", DROP COLUMN "last_problem", DROP COLUMN "status_changed_at"`);
  }
}
