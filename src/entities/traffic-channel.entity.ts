import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Centre } from './centre.entity';
import { MedicalService } from './medical-service.entity';
import { Partner } from './partner.entity';

/** One activated service of one centre for one partner (seed 001's traffic channels); absent = not activated. */
@Entity('traffic_channels')
@Index('traffic_channels_centre_idx', ['tenantId', 'centreId', 'serviceId'])
export class TrafficChannel {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'traffic_channels_pkey' })
  tenantId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'traffic_channels_pkey' })
  partnerId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'traffic_channels_pkey' })
  centreId!: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'traffic_channels_pkey' })
  serviceId!: string;

  @ManyToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'traffic_channels_partner_fkey' },
    { name: 'partner_id', referencedColumnName: 'id', foreignKeyConstraintName: 'traffic_channels_partner_fkey' },
  ])
  partner?: Partner;

  @ManyToOne(() => Centre, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'traffic_channels_centre_fkey' },
    { name: 'centre_id', referencedColumnName: 'id', foreignKeyConstraintName: 'traffic_channels_centre_fkey' },
  ])
  centre?: Centre;

  @ManyToOne(() => MedicalService, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'traffic_channels_service_fkey' },
    { name: 'service_id', referencedColumnName: 'id', foreignKeyConstraintName: 'traffic_channels_service_fkey' },
  ])
  service?: MedicalService;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
