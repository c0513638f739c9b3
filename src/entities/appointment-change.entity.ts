import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Appointment, type AppointmentStatus } from './appointment.entity';

/**
 * The history of an appointment: who did what, when. A change made with an idempotency key
 * keeps the key and a hash of its request, so a repeated request finds its first answer.
 */
@Entity('appointment_changes')
@Index('appointment_changes_appointment_idx', ['tenantId', 'appointmentId', 'occurredAt'])
@Index('appointment_changes_idempotency_key', ['tenantId', 'idempotencyKey'], { unique: true, where: 'idempotency_key IS NOT NULL' })
export class AppointmentChange {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'appointment_changes_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'appointment_changes_pkey' })
  id!: string;

  @Column('uuid')
  appointmentId!: string;

  @ManyToOne(() => Appointment, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'appointment_changes_appointment_fkey' },
    { name: 'appointment_id', referencedColumnName: 'id', foreignKeyConstraintName: 'appointment_changes_appointment_fkey' },
  ])
  appointment?: Appointment;

  @Column('timestamptz', { default: () => 'now()' })
  occurredAt!: Date;

  /** BOOKED, RESCHEDULED, CONFIRMED, CANCELLED, STATUS_CHANGED … */
  @Column('text')
  action!: string;

  @Column('text')
  actorKind!: string;

  @Column('text', { nullable: true })
  actorId!: string | null;

  @Column('text', { nullable: true })
  fromStatus!: AppointmentStatus | null;

  @Column('text')
  toStatus!: AppointmentStatus;

  @Column('timestamptz')
  startsAt!: Date;

  @Column('timestamptz')
  endsAt!: Date;

  @Column('text', { nullable: true })
  idempotencyKey!: string | null;

  @Column('bytea', { nullable: true })
  requestHash!: Buffer | null;
}
