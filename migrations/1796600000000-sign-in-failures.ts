import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed sign-ins, counted per client address and per token id so that every instance sees them
 * (rate-limiter-flexible's PostgreSQL store, in its own table layout). Not tenant data: a failed
 * sign-in has no tenant yet, so no row-level security; the app role may only count.
 */
export class SignInFailures1796600000000 implements MigrationInterface {
  name = 'SignInFailures1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE sign_in_failures (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    )`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_failures TO careslot_app`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sign_in_failures`);
  }
}
