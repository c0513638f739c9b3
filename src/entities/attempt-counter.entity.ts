import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed attempts per user and scope (share links now, booking-system connections later), kept in
 * the database so that the block holds on every server.
 */
@Entity('attempt_counters')
export class AttemptCounter {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'attempt_counters_pkey' })
  tenantId!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'attempt_counters_pkey' })
  subject!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'attempt_counters_pkey' })
  scope!: string;

  /** Attempts counted (before their outcome is known) in the current window. */
  @Column('integer', { default: 0 })
  attempts!: number;

  @Column('integer', { default: 0 })
  failures!: number;

  @Column('timestamptz', { default: () => 'now()' })
  windowStartedAt!: Date;

  @Column('timestamptz', { nullable: true })
  blockedUntil!: Date | null;
}
