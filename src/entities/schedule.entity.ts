import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Centre } from './centre.entity';
import { Practitioner } from './practitioner.entity';

/** The bookable agenda of one centre, optionally of one practitioner. Slots are derived, never stored. */
@Check('schedules_slot_minutes_check', `"slot_minutes" BETWEEN 5 AND 480`)
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
