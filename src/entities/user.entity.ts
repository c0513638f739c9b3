import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Partner } from './partner.entity';
import { Tenant } from './tenant.entity';

export const STAFF_ROLES = ['ADMIN', 'CLINIC_HEAD', 'SCHEDULER', 'VIEWER'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const STAFF_PERMISSIONS = ['PARTNER_BOOKING'] as const;
export type StaffPermission = (typeof STAFF_PERMISSIONS)[number];

/** A staff member of one tenant. */
@Entity('users')
@Unique('users_tenant_email_key', ['tenantId', 'email'])
export class User {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'users_pkey' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'users_tenant_fkey' })
  tenant?: Tenant;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'users_pkey' })
  id!: string;

  @Column('text')
  email!: string;

  @Column('text')
  displayName!: string;

  @Column('text', { array: true, default: () => "'{}'" })
  roles!: StaffRole[];

  @Column('text', { array: true, default: () => "'{}'" })
  permissions!: StaffPermission[];

  @Column('boolean', { default: true })
  active!: boolean;

  /** A partner user belongs to one partner and acts only for it; staff have none. */
  @Column('uuid', { nullable: true })
  partnerId!: string | null;

  @ManyToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'users_partner_fkey' },
    { name: 'partner_id', referencedColumnName: 'id', foreignKeyConstraintName: 'users_partner_fkey' },
  ])
  partner?: Partner;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
