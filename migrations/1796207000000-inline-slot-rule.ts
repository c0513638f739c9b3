import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SLOT_RULE_FUNCTIONS_DOWN, SLOT_RULE_FUNCTIONS_UP } from './support/slot-rule-functions';

/** The slot rule becomes inlinable, so booking and reschedule stop re-planning it on every call. */
export class InlineSlotRule1796207000000 implements MigrationInterface {
  name = 'InlineSlotRule1796207000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of SLOT_RULE_FUNCTIONS_UP) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of SLOT_RULE_FUNCTIONS_DOWN) await queryRunner.query(statement);
  }
}
