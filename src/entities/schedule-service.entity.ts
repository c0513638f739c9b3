import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MedicalService } from './medical-service.entity';
import { Schedule } from './schedule.entity';

/** Which services a schedule offers. */
@Entity('schedule_services')
export class ScheduleService {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'schedule_services_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'schedule_services_pkey' })
  scheduleId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'schedule_services_pkey' })
  serviceId!: string;

  @ManyToOne(() => Schedule, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'schedule_services_schedule_fkey' },
    { name: 'schedule_id', referencedColumnName: 'id', foreignKeyConstraintName: 'schedule_services_schedule_fkey' },
  ])
  schedule?: Schedule;

  @ManyToOne(() => MedicalService, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'schedule_services_service_fkey' },
    { name: 'service_id', referencedColumnName: 'id', foreignKeyConstraintName: 'schedule_services_service_fkey' },
  ])
  service?: MedicalService;
}
