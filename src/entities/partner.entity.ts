import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Tenant } from './tenant.entity';

export const PARTNER_KINDS = ['INSURER', 'BOOKING_PORTAL', 'NOTIFICATION_SERVICE', 'OTHER'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** An external organisation with an agreement with the tenant (seed 001): it books through traffic channels. */
@Entity('partners')
@Unique('partners_tenant_name_key', ['tenantId', 'name'])
@Check('partners_kind_check', `"kind" IN ('INSURER', 'BOOKING_PORTAL', 'NOTIFICATION_SERVICE', 'OTHER')`)
export class Partner {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'partners_pkey' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'partners_tenant_fkey' })
  tenant?: Tenant;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'partners_pkey' })
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  kind!: PartnerKind;

  @Column('text', { nullable: true })
  contactName!: string | null;

  @Column('text', { nullable: true })
  contactEmail!: string | null;

  @Column('text', { nullable: true })
  contactPhone!: string | null;

  /** An inactive partner books nothing and its users and apps are refused. */
  @Column('boolean', { default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
