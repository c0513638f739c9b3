import { Check, Column, Index, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Centre } from './centre.entity';
import { Practitioner } from './practitioner.entity';

/** The bookable agenda of one centre, optionally of one practitioner. Slots are derived, never stored. */
@Check('schedules_slot_minutes_check', `"slot_minutes" BETWEEN 5 AND 480`)
@Check('schedules_one_remote_kind_check', `"link_id" IS NULL OR "external_schedule_ref" IS NULL`)
@Index('schedules_one_external_per_centre', ['tenantId', 'centreId'], { unique: true, where: '"external_schedule_ref" IS NOT NULL' })
@Entity('schedules')
export class Schedule {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'schedules_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'schedules_pkey' })
  id!: string;

  @Column('uuid')
  centreId!: string;

  @ManyToOne(() => Centre, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'schedules_centre_fkey' },
    { name: 'centre_id', referencedColumnName: 'id', foreignKeyConstraintName: 'schedules_centre_fkey' },
  ])
  centre?: Centre;

  @Column('uuid', { nullable: true })
  practitionerId!: string | null;

  @ManyToOne(() => Practitioner, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'schedules_practitioner_fkey' },
    { name: 'practitioner_id', referencedColumnName: 'id', foreignKeyConstraintName: 'schedules_practitioner_fkey' },
  ])
  practitioner?: Practitioner;

  @Column('text')
  name!: string;

  /** Set on a client's mirror of a schedule shared by another centre: its agenda lives there. */
  @Column('uuid', { nullable: true })
  linkId!: string | null;

  @Column('uuid', { nullable: true })
  remoteScheduleId!: string | null;

  /** Set on a centre's external schedule: the agenda of its connected booking system (FHIR Schedule, SMART Location or Schedule id). */
  @Column('text', { nullable: true })
  externalScheduleRef!: string | null;

  @Column('integer')
  slotMinutes!: number;

  /** Offered services, in the join table schedule_services. */
  @Column('boolean', { default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
