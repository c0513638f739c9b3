import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Schedule } from './schedule.entity';

export const EXCEPTION_KINDS = ['CLOSED', 'EXTRA_HOURS'] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** A closed period or extra opening hours, in the centre's local time. */
@Check('schedule_exceptions_kind_check', `"kind" IN ('CLOSED', 'EXTRA_HOURS')`)
@Check('schedule_exceptions_order_check', `"ends_local" > "starts_local"`)
@Entity('schedule_exceptions')
@Index('schedule_exceptions_schedule_idx', ['tenantId', 'scheduleId'])
export class ScheduleException {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'schedule_exceptions_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'schedule_exceptions_pkey' })
  id!: string;

  @Column('uuid')
  scheduleId!: string;

  @ManyToOne(() => Schedule, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'schedule_exceptions_schedule_fkey' },
    { name: 'schedule_id', referencedColumnName: 'id', foreignKeyConstraintName: 'schedule_exceptions_schedule_fkey' },
  ])
  schedule?: Schedule;

  @Column('text')
  kind!: ExceptionKind;

  @Column('timestamp without time zone')
  startsLocal!: Date;

  @Column('timestamp without time zone')
  endsLocal!: Date;

  @Column('text', { nullable: true })
  reason!: string | null;
}
