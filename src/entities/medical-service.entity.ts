import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

/** A bookable service (examination): what an appointment is for, and how long it takes. */
@Check('services_duration_check', `"duration_minutes" BETWEEN 5 AND 720`)
@Entity('services')
@Unique('services_tenant_code_key', ['tenantId', 'code'])
export class MedicalService {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'services_pkey' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'services_tenant_fkey' })
  tenant?: Tenant;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'services_pkey' })
  id!: string;

  @Column('text')
  code!: string;

  @Column('text')
  name!: string;

  @Column('integer')
  durationMinutes!: number;

  @Column('text', { nullable: true })
  requiredQualification!: string | null;

  /** Set on a client's mirror of a service offered through a share. */
  @Column('uuid', { nullable: true })
  linkId!: string | null;

  @Column('uuid', { nullable: true })
  remoteServiceId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
