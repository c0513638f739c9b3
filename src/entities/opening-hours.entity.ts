import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Schedule } from './schedule.entity';

/** One weekly block of opening hours, in the centre's local time, valid between two dates. */
@Check('opening_hours_weekday_check', `"weekday" BETWEEN 1 AND 7`)
@Check('opening_hours_time_order_check', `"end_time" > "start_time"`)
@Entity('opening_hours')
@Index('opening_hours_schedule_idx', ['tenantId', 'scheduleId'])
export class OpeningHours {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'opening_hours_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'opening_hours_pkey' })
  id!: string;

  @Column('uuid')
  scheduleId!: string;

  @ManyToOne(() => Schedule, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'opening_hours_schedule_fkey' },
    { name: 'schedule_id', referencedColumnName: 'id', foreignKeyConstraintName: 'opening_hours_schedule_fkey' },
  ])
  schedule?: Schedule;

  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  @Column('smallint')
  weekday!: number;

  @Column('time')
  startTime!: string;

  @Column('time')
  endTime!: string;

  @Column('date')
  validFrom!: string;

  @Column('date', { nullable: true })
  validUntil!: string | null;
}
