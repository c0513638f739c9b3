import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Appointment } from './appointment.entity';
import { Partner } from './partner.entity';

export const NOTIFICATION_CHANNELS = ['SMS', 'EMAIL', 'PUSH', 'VOICE', 'MESSENGER'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export const NOTIFICATION_PURPOSES = ['REMINDER', 'CONFIRMATION_REQUEST', 'RESCHEDULED', 'CANCELLED', 'FOLLOW_UP'] as const;
export type NotificationPurpose = (typeof NOTIFICATION_PURPOSES)[number];

/** A notification a partner sent a patient about an appointment (seed 002), recorded once the patient's consent allowed it. */
@Entity('partner_notifications')
@Unique('partner_notifications_key', ['tenantId', 'partnerId', 'idempotencyKey'])
@Check('partner_notifications_channel_check', `"channel" IN ('SMS', 'EMAIL', 'PUSH', 'VOICE', 'MESSENGER')`)
@Check('partner_notifications_purpose_check', `"purpose" IN ('REMINDER', 'CONFIRMATION_REQUEST', 'RESCHEDULED', 'CANCELLED', 'FOLLOW_UP')`)
@Index('partner_notifications_appointment_idx', ['tenantId', 'appointmentId'])
export class PartnerNotification {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'partner_notifications_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'partner_notifications_pkey' })
  id!: string;

  @Column('uuid')
  partnerId!: string;

  @ManyToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'partner_notifications_partner_fkey' },
    { name: 'partner_id', referencedColumnName: 'id', foreignKeyConstraintName: 'partner_notifications_partner_fkey' },
  ])
  partner?: Partner;

  @Column('uuid')
  appointmentId!: string;

  @ManyToOne(() => Appointment, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'partner_notifications_appointment_fkey' },
    { name: 'appointment_id', referencedColumnName: 'id', foreignKeyConstraintName: 'partner_notifications_appointment_fkey' },
  ])
  appointment?: Appointment;

  @Column('uuid')
  patientId!: string;

  @Column('text')
  channel!: NotificationChannel;

  @Column('text')
  purpose!: NotificationPurpose;

  @Column('timestamptz')
  sentAt!: Date;

  @Column('text')
  idempotencyKey!: string;

  @Column('timestamptz', { default: () => 'now()' })
  recordedAt!: Date;
}
