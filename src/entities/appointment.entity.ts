import { Check, Column, CreateDateColumn, Entity, Exclusion, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { MedicalService } from './medical-service.entity';
import { Partner } from './partner.entity';
import { Patient } from './patient.entity';
import { Schedule } from './schedule.entity';

/** FHIR Appointment statuses are the reference. */
export const APPOINTMENT_STATUSES = ['BOOKED', 'CONFIRMED', 'ARRIVED', 'FULFILLED', 'CANCELLED', 'NO_SHOW'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Where a booking came from: drives display (`*` for shared clients) and partner statistics. */
export const APPOINTMENT_ORIGINS = ['LOCAL', 'SHARED_CLIENT', 'PARTNER_BOOKING', 'PARTNER_APP'] as const;
export type AppointmentOrigin = (typeof APPOINTMENT_ORIGINS)[number];

/**
 * The database itself refuses two non-cancelled appointments overlapping in one schedule,
 * whatever the number of servers and concurrent requests.
 */
@Check('appointments_status_check', `"status" IN ('BOOKED', 'CONFIRMED', 'ARRIVED', 'FULFILLED', 'CANCELLED', 'NO_SHOW', 'HELD')`)
@Check('appointments_hold_check', `("status" = 'HELD') = ("hold_expires_at" IS NOT NULL AND "held_by" IS NOT NULL)`)
@Index('appointments_held_idx', ['tenantId', 'scheduleId', 'startsAt'], { where: "status = 'HELD'" })
@Check('appointments_origin_check', `"origin" IN ('LOCAL', 'SHARED_CLIENT', 'PARTNER_BOOKING', 'PARTNER_APP')`)
@Check('appointments_time_order_check', `"ends_at" > "starts_at"`)
@Check('appointments_partner_origin_check', `("origin" IN ('PARTNER_BOOKING', 'PARTNER_APP')) = ("partner_id" IS NOT NULL)`)
@Entity('appointments')
@Exclusion('appointments_no_overlap', `USING gist ("tenant_id" WITH =, "schedule_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&) WHERE ("status" <> 'CANCELLED')`)
@Index('appointments_schedule_time_idx', ['tenantId', 'scheduleId', 'startsAt'])
@Index('appointments_patient_idx', ['tenantId', 'patientId'])
/** Covers the statistics read (INCLUDE columns, which TypeORM cannot express: the migration owns it). */
@Index('appointments_statistics_idx', { synchronize: false })
@Index('appointments_partner_time_idx', ['tenantId', 'partnerId', 'startsAt'], { where: 'partner_id IS NOT NULL' })
@Index('appointments_share_reference_key', ['tenantId', 'shareId', 'clientReference'], { unique: true, where: 'share_id IS NOT NULL' })
@Index('appointments_feed_idx', ['tenantId', 'feedXid', 'id'])
export class Appointment {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'appointments_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'appointments_pkey' })
  id!: string;

  @Column('uuid')
  scheduleId!: string;

  @ManyToOne(() => Schedule, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'appointments_schedule_fkey' },
    { name: 'schedule_id', referencedColumnName: 'id', foreignKeyConstraintName: 'appointments_schedule_fkey' },
  ])
  schedule?: Schedule;

  @Column('uuid')
  serviceId!: string;

  @ManyToOne(() => MedicalService, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'appointments_service_fkey' },
    { name: 'service_id', referencedColumnName: 'id', foreignKeyConstraintName: 'appointments_service_fkey' },
  ])
  service?: MedicalService;

  /** Absent only for bookings whose patient lives on another server (shared-schedule twins). */
  @Column('uuid', { nullable: true })
  patientId!: string | null;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'appointments_patient_fkey' },
    { name: 'patient_id', referencedColumnName: 'id', foreignKeyConstraintName: 'appointments_patient_fkey' },
  ])
  patient?: Patient;

  @Column('timestamptz')
  startsAt!: Date;

  @Column('timestamptz')
  endsAt!: Date;

  @Column('text', { default: 'BOOKED' })
  status!: AppointmentStatus;

  @Column('text', { default: 'LOCAL' })
  origin!: AppointmentOrigin;

  @Column('boolean', { default: false })
  anonymous!: boolean;

  @Column('text', { nullable: true })
  note!: string | null;

  @Column('text', { nullable: true })
  cancellationCode!: string | null;

  @Column('text', { nullable: true })
  cancellationText!: string | null;

  /** Sharing side: the share a client centre booked through, and the client's own reference and name. */
  @Column('uuid', { nullable: true })
  shareId!: string | null;

  @Column('text', { nullable: true })
  clientReference!: string | null;

  @Column('text', { nullable: true })
  clientCentreName!: string | null;

  /** Client side: the twin appointment's id on the sharing server. */
  @Column('uuid', { nullable: true })
  remoteAppointmentId!: string | null;

  /** A booking in an external schedule: the appointment's reference in that booking system (e.g. a FHIR Appointment id). */
  @Column('text', { nullable: true })
  externalAppointmentRef!: string | null;


  /** The partner a partner booking was made for (origin PARTNER_BOOKING or PARTNER_APP). */
  @Column('uuid', { nullable: true })
  partnerId!: string | null;

  @ManyToOne(() => Partner)
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'appointments_partner_fkey' },
    { name: 'partner_id', referencedColumnName: 'id', foreignKeyConstraintName: 'appointments_partner_fkey' },
  ])
  partner?: Partner;

  /** A hold (status HELD): when it stops holding its time, and who may book on it (actor kind:id). */
  @Column('timestamptz', { nullable: true })
  holdExpiresAt!: Date | null;

  @Column('text', { nullable: true })
  heldBy!: string | null;

  /** The transaction (64-bit id) that last changed what a partner would see of it: the partner feed's order (triggers keep it). */
  @Column('bigint', { default: () => 'careslot_xact()' })
  feedXid!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
