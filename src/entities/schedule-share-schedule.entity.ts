import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Schedule } from './schedule.entity';
import { ScheduleShare } from './schedule-share.entity';

@Entity('schedule_share_schedules')
export class ScheduleShareSchedule {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'schedule_share_schedules_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'schedule_share_schedules_pkey' })
  shareId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'schedule_share_schedules_pkey' })
  scheduleId!: string;

  @ManyToOne(() => ScheduleShare, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'schedule_share_schedules_share_fkey' },
    { name: 'share_id', referencedColumnName: 'id', foreignKeyConstraintName: 'schedule_share_schedules_share_fkey' },
  ])
  share?: ScheduleShare;

  @ManyToOne(() => Schedule, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'schedule_share_schedules_schedule_fkey' },
    { name: 'schedule_id', referencedColumnName: 'id', foreignKeyConstraintName: 'schedule_share_schedules_schedule_fkey' },
  ])
  schedule?: Schedule;
}
